"""The ask job: grounded answers about past decisions.

Extractive (the offline default) picks the evidence sentences that best answer the question
(embedding similarity + lexical overlap, MMR against repeats); a model provider drafts an
answer from packed evidence through a LangChain chain. Either way the guard checks the draft,
supersession is stated by code (never left to the model), and weak evidence means abstaining.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable

import numpy as np

from assistant import vocab
from assistant.guard import ABSTAIN_TEXT, Guard, GuardConfig, render_claims, strip_injections
from assistant.index.library import Library
from assistant.llm.registry import provider, with_model
from assistant.models import Answer, DocSummary, Evidence, SearchFilters, SearchHit, Source, Status
from assistant.text import content_words, lexical_terms, split_sentences

TokenSink = Callable[[str], None]
_META_LINE = re.compile(r"^\W*[A-Za-z][\w ()/-]{0,30}:\s*\S.{0,60}$")
_TABLE = re.compile(r"\|.*\|")
_DECISION = re.compile(r"(?:^|> )(?:decision(?! drivers)|decision outcome|chosen option|proposal|root cause)", re.I)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ASKS_ADVICE = re.compile(r"^\W*(?:should|shall|can|could|will|would|is it|isn't it|do we (?:even )?need|why not|is there)\b"
                          r"|\b(?:should we|can we|why not|won't it|right\?|worth it)\b", re.I)
_COSTS = re.compile(r"consequence|drawback|risk|downside|trade|cost|cons\b|negative|what we give up", re.I)
_BACKGROUND = re.compile(r"^(?:context|context and problem statement|problem|background|motivation)$", re.I)
_SKIP_SECTIONS = re.compile(r"^(?:status|preamble|links|metadata)$", re.I)


def _as_of_view(doc: DocSummary, docs: dict[str, DocSummary], as_of: dt.date | None) -> tuple[Status, list[str]]:
    """A document's status and successors as the organisation stood on ``as_of``."""
    succ = list(doc.superseded_by)
    if as_of is not None:
        succ = [s for s in succ if s in docs and docs[s].date is not None and docs[s].date <= as_of]
        if doc.status is Status.superseded and not succ:
            return Status.accepted, []  # superseded only later: current on that date
    return doc.status, succ


def current_successor(doc_id: str, docs: dict[str, DocSummary], as_of: dt.date | None) -> str | None:
    """Follow supersession to the decision in force (as of ``as_of``), e.g. 0005 -> 0016 -> 0027."""
    seen = {doc_id}
    cur = doc_id
    while True:
        d = docs.get(cur)
        if d is None:
            return None if cur == doc_id else cur
        _, succ = _as_of_view(d, docs, as_of)
        if not succ or succ[0] in seen:
            return None if cur == doc_id else cur
        cur = succ[0]
        seen.add(cur)


def _source(d: DocSummary, docs: dict[str, DocSummary], as_of: dt.date | None) -> Source:
    status, succ = _as_of_view(d, docs, as_of)
    return Source(doc_id=d.id, title=d.title, kind=d.kind, status=status, date=d.date, path=d.path, superseded_by=succ)


class Asker:
    """The ask job over one opened library (reused across questions: chat, the API)."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.settings = lib.settings
        self.guard = Guard(lib.embed, GuardConfig(self.settings.guard_support_threshold, self.settings.guard_unsupported))

    # -- evidence --
    def evidence(self, question: str, filters: SearchFilters, as_of: dt.date | None, k: int) -> tuple[list[Evidence], dict[str, DocSummary]]:
        if as_of is not None:
            filters = filters.model_copy(update={"until": min(filters.until or as_of, as_of)})
        hits = self.lib.search(question, filters, k=k).hits
        docs = self.lib.summaries()
        return [self._evidence(h, docs, as_of) for h in hits], docs

    @staticmethod
    def _evidence(h: SearchHit, docs: dict[str, DocSummary], as_of: dt.date | None) -> Evidence:
        status, succ = (h.status, h.superseded_by)
        if h.doc_id in docs:
            status, succ = _as_of_view(docs[h.doc_id], docs, as_of)
        return Evidence(chunk_id=h.chunk_id, doc_id=h.doc_id, title=h.title, kind=h.kind, status=status, date=h.date,
                        section=h.section, path=h.path, line_start=h.line_start, line_end=h.line_end, location=h.location, text=h.text,
                        superseded_by=succ, score=h.score)

    # -- the job --
    def ask(self, question: str, filters: SearchFilters | None = None, as_of: dt.date | None = None,
            on_token: TokenSink | None = None) -> Answer:
        start = time.perf_counter()
        filters = filters or SearchFilters()
        evidence, docs = self.evidence(question, filters, as_of, self.settings.ask_k)
        evidence, suspects = strip_injections(evidence)
        answer, fallback = with_model(
            self.settings, lambda: self._generative(question, evidence, docs, as_of, on_token),
            lambda: self._extractive(question, evidence, docs, as_of))
        answer.fallback = fallback
        if fallback:
            answer.notes.insert(0, f"Note: {fallback}.")
        answer.verdict.injection_suspects = suspects
        answer.as_of_requested = as_of
        answer.retrieved = list(dict.fromkeys(e.doc_id for e in evidence))
        answer.seconds = round(time.perf_counter() - start, 3)
        return answer

    def _extractive(self, question: str, evidence: list[Evidence], docs: dict[str, DocSummary],
                    as_of: dt.date | None) -> Answer:
        terms = lexical_terms(question)
        unknown = [t for t in self.lib.unknown_terms(" ".join(terms)) if t in terms] if terms else []
        known = [t for t in terms if t not in unknown]
        if len(unknown) >= 2 and len(unknown) >= 0.3 * (len(unknown) + len(known)):
            return self._abstain(question, evidence, docs, as_of,
                                 f"the documents never mention: {', '.join(unknown)}")
        picked = self._pick_sentences(question, evidence)
        if not picked:
            return self._abstain(question, evidence, docs, as_of, "the best evidence is too weak")
        # a superseded decision is never presented alone: add the current decision's best sentence
        decided = {e.doc_id for _, e in picked if _DECISION.search(e.section)}
        for _, e in list(picked):
            succ = current_successor(e.doc_id, docs, as_of)
            if succ and succ not in decided:
                extra = [self._evidence(h, docs, as_of) for h in self.lib.chunks(succ)]
                extra = [x for x in extra if _DECISION.search(x.section)] or extra
                best = self._pick_sentences(question, extra, limit=1, floor=0.0)
                if best and best[0][0] not in {p for p, _ in picked}:
                    picked = best + picked  # the decision in force comes first
                    evidence = [*evidence, best[0][1]]
                    decided.add(succ)
        # a question that asks for a recommendation gets what it would cost, from the same evidence
        if _ASKS_ADVICE.search(question) and not any(p.search(s) for s, _ in picked for p in vocab.hype().tradeoff):
            costs = [e for e in evidence if _COSTS.search(e.section)] or evidence
            have = {p for p, _ in picked}
            extra = [x for x in self._pick_sentences(question, costs, limit=6, floor=0.0)
                     if x[0] not in have and any(p.search(x[0]) for p in vocab.hype().tradeoff)]
            if extra:
                picked = [*picked, extra[0]]
        draft = " ".join(f"{s} [{e.doc_id} §{e.section}]" for s, e in picked)
        return self._finish(question, draft, evidence, docs, as_of, "extractive")

    def _pick_sentences(self, question: str, evidence: list[Evidence], limit: int | None = None,
                        floor: float | None = None) -> list[tuple[str, Evidence]]:
        limit = limit or self.settings.ask_max_sentences
        floor = self.settings.ask_min_evidence if floor is None else floor
        cands: list[tuple[str, Evidence, int]] = []
        for rank, e in enumerate(evidence):
            if _SKIP_SECTIONS.match(e.section):
                continue  # status lines and front matter restate metadata the answer shows anyway
            for s in split_sentences(e.text):
                s = _LINK.sub(r"\1", s.lstrip("…").strip()).lstrip("-*+ ").strip()
                if s and s[-1] not in ".!?:;)":
                    s += "."
                if not 25 <= len(s) <= 600 or _TABLE.search(s) or s.startswith(("```", "#")) or _META_LINE.match(s):
                    continue
                if len(content_words(s)) < 4 or s.endswith("?"):
                    continue  # a question the document asks itself is not an answer
                if any(p.search(s) for g in ("superlatives", "buzzwords") for p in getattr(vocab.hype(), g)):
                    continue  # a document's own hype ("infinitely scalable") is not evidence
                cands.append((s, e, rank))
        if not cands:
            return []
        embed = self.lib.embed
        vecs = embed([question] + [c[0] for c in cands])
        q, sv = vecs[0], vecs[1:]
        qwords = content_words(question)
        cos = sv @ q
        overlap = np.array([len(qwords & content_words(c[0])) / len(qwords) if qwords else 0.0 for c in cands])
        # context: the chunk's own retrieval rank; a decision section is what most questions are
        # after; a superseded decision ranks a little lower than the current one
        n_ev = max(len(evidence), 1)
        context = np.array([1.0 - c[2] / n_ev for c in cands])
        decision = np.array([0.04 if _DECISION.search(c[1].section) else 0.0 for c in cands])
        # a doc's account of the situation before its decision is background, not the answer
        decided_docs = {c[1].doc_id for c in cands if _DECISION.search(c[1].section)}
        decision -= np.array([0.04 if c[1].doc_id in decided_docs and _BACKGROUND.search(c[1].section) else 0.0 for c in cands])
        stale = np.array([0.05 if c[1].status is Status.superseded else 0.0 for c in cands])
        score = 0.5 * cos + 0.25 * overlap + 0.25 * context + decision - stale
        best = float(score.max())
        if best < floor:
            return []
        chosen: list[int] = []
        pool = [i for i in range(len(cands)) if score[i] >= max(0.3, 0.55 * best)]  # the best passed the floor
        while pool and len(chosen) < limit:
            def mmr(i: int) -> float:
                redundancy = max((float(sv[i] @ sv[j]) for j in chosen), default=0.0)
                return 0.75 * float(score[i]) - 0.25 * redundancy
            i = max(pool, key=mmr)
            pool.remove(i)
            if chosen and max(float(sv[i] @ sv[j]) for j in chosen) > 0.9:
                continue  # a near repeat
            chosen.append(i)
        # a superseded decision may give context once; the answer is about what is in force
        stale_seen = 0
        kept = []
        for i in chosen:
            if cands[i][1].status is Status.superseded:
                stale_seen += 1
                if stale_seen > 1:
                    continue
            kept.append(i)
        chosen = kept
        # current decisions first, then by retrieval rank and position in the chunk
        chosen.sort(key=lambda i: (cands[i][1].status is Status.superseded, cands[i][2],
                                   cands[i][1].text.find(cands[i][0])))
        return [(cands[i][0], cands[i][1]) for i in chosen]

    def _generative(self, question: str, evidence: list[Evidence], docs: dict[str, DocSummary],
                    as_of: dt.date | None, on_token: TokenSink | None) -> Answer:
        from assistant.llm.chains import run_ask_chain

        packed = evidence[: max(1, min(len(evidence), 6))]
        draft = run_ask_chain(self.settings, question, packed, as_of, on_token)
        answer = self._finish(question, draft, packed, docs, as_of, provider(self.settings).name)
        answer.draft = draft
        return answer

    def _finish(self, question: str, draft: str, evidence: list[Evidence], docs: dict[str, DocSummary],
                as_of: dt.date | None, provider: str) -> Answer:
        claims, verdict = self.guard.check(draft, evidence)
        if verdict.abstained:
            answer = self._abstain(question, evidence, docs, as_of, verdict.reason)
            answer.verdict = verdict
            answer.provider = provider
            return answer
        cited = list(dict.fromkeys(c.doc_id for claim in claims for c in claim.citations))
        sources = [_source(docs[d], docs, as_of) for d in cited if d in docs]
        notes = []
        for src in sources:
            succ = current_successor(src.doc_id, docs, as_of)
            if src.status is Status.superseded or succ:
                succ_doc = docs.get(succ or "")
                when = f" on {succ_doc.date}" if succ_doc and succ_doc.date else ""
                title = f" ({succ_doc.title})" if succ_doc else ""
                notes.append(f"{src.doc_id} is superseded: the current decision is {succ}{title}, dated{when}."
                             .replace("dated.", "undated.").replace(", dated on", ", dated"))
        newest = max((s.date for s in sources if s.date), default=None)
        return Answer(question=question, text=render_claims(claims), claims=claims, sources=sources, notes=notes,
                      as_of=newest, provider=provider, verdict=verdict)

    def _abstain(self, question: str, evidence: list[Evidence], docs: dict[str, DocSummary],
                 as_of: dt.date | None, reason: str) -> Answer:
        nearest = [_source(docs[d], docs, as_of) for d in dict.fromkeys(e.doc_id for e in evidence) if d in docs][:5]
        answer = Answer(question=question, text=ABSTAIN_TEXT, nearest=nearest, abstained=True)
        answer.verdict.abstained = True
        answer.verdict.reason = reason
        return answer


def ask(lib: Library, question: str, filters: SearchFilters | None = None, as_of: dt.date | None = None,
        on_token: TokenSink | None = None) -> Answer:
    """Answer ``question`` from the opened library, every claim cited (see ``Asker``)."""
    return Asker(lib).ask(question, filters, as_of, on_token)
