"""The guard: nothing reaches a user until its citations, support, numbers and tone are checked.

Rules, applied to every draft (extractive or model-made):
1. citations resolve to a retrieved chunk: ``[DOC-ID §Section]``; a right document with a wrong
   section is repaired to that document's best chunk; an id not in the evidence is removed and
   counted; a fact sentence with no citation gets the best-supporting chunk if one supports it;
2. every fact sentence is supported by what it cites: embedding similarity to the best matching
   sentence of the cited chunk, plus content-word overlap; unsupported sentences are dropped or
   marked ``(unsupported)`` (``ARCHIE_GUARD_UNSUPPORTED=drop|mark``);
3. every number, date, percentage and duration appears in the cited evidence (unit-normalised);
4. hype: superlatives and buzzwords the evidence does not contain, and recommendations that name
   no trade-off, are flagged;
5. if too little survives, the answer abstains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant import vocab
from assistant.models import Citation, Claim, Evidence, GuardVerdict, HypeFlag
from assistant.text import DOC_ID, content_words, number_in, numbers, split_sentences

ABSTAIN_TEXT = "The indexed documents do not answer this question."
CITATION = re.compile(r"\[\s*([A-Za-z0-9][\w./@:-]*)\s*(?:§\s*([^\]]*?))?\s*\]")


def draft_sentences(draft: str) -> list[str]:
    """Sentences of a draft, with citations that follow a full stop ("... saga. [ADR-0013 §Decision]")
    kept with the sentence they follow."""
    out: list[str] = []
    for piece in split_sentences(draft):
        lead = re.match(r"^((?:\s*\[[^\]]*\])+)\s*(.*)$", piece, re.S)
        if lead and out and CITATION.search(lead.group(1)):
            out[-1] = f"{out[-1]} {lead.group(1).strip()}"
            piece = lead.group(2).strip()
        if piece:
            out.append(piece)
    return out


def parse_citations(sentence: str) -> tuple[str, list[Citation]]:
    cites = [Citation(doc_id=m.group(1), section=(m.group(2) or "").strip()) for m in CITATION.finditer(sentence)]
    text = CITATION.sub("", sentence)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return text, cites


def is_fact_sentence(text: str) -> bool:
    """Sentences that assert something (not questions, headings or connective fluff)."""
    words = content_words(text)
    return len(words) >= 3 and not text.rstrip().endswith("?")


@dataclass
class GuardConfig:
    support_threshold: float = 0.5
    unsupported: str = "drop"  # drop | mark
    min_supported: int = 1


class Guard:
    """Checks drafts against the evidence they were given. ``embed`` maps texts to unit vectors."""

    def __init__(self, embed: Any, config: GuardConfig | None = None) -> None:
        self.embed = embed
        self.config = config or GuardConfig()
        self._cache: dict[str, np.ndarray] = {}

    # -- support --
    def _vectors(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            for t, v in zip(todo, self.embed(todo), strict=True):
                self._cache[t] = np.asarray(v, dtype=np.float32)
        return np.vstack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

    def support(self, claim: str, chunk_text: str) -> float:
        """0..1: 0.5 x best cosine to a sentence of the chunk + 0.5 x share of the claim's
        content words found in the chunk."""
        sents = [s for s in split_sentences(chunk_text) if len(s) > 15] or [chunk_text]
        vecs = self._vectors([claim, *sents])
        cos = float(np.max(vecs[1:] @ vecs[0])) if len(sents) else 0.0
        words = content_words(claim)
        overlap = len(words & content_words(chunk_text)) / len(words) if words else 0.0
        return round(0.5 * max(cos, 0.0) + 0.5 * overlap, 4)

    def best_chunk(self, claim: str, evidence: list[Evidence]) -> tuple[Evidence | None, float]:
        best: tuple[Evidence | None, float] = (None, 0.0)
        for e in evidence:
            s = self.support(claim, e.text)
            if s > best[1]:
                best = (e, s)
        return best

    # -- the whole check --
    def check(self, draft: str, evidence: list[Evidence], repair: bool = True) -> tuple[list[Claim], GuardVerdict]:
        cfg = self.config
        verdict = GuardVerdict()
        by_doc: dict[str, list[Evidence]] = {}
        for e in evidence:
            by_doc.setdefault(e.doc_id.lower(), []).append(e)
        claims: list[Claim] = []
        draft = re.sub(r"</?evidence\b[^>]*>", " ", draft)  # a model echoing the packing format
        if draft.strip().startswith(ABSTAIN_TEXT[:40]):
            verdict.abstained, verdict.reason = True, "the answerer found no answer in the evidence"
            return [], verdict
        seen: set[str] = set()
        for sentence in draft_sentences(draft):
            text, cites = parse_citations(sentence)
            if not text or text in {"-", "*"} or text.lower() in seen:
                continue  # a model repeating itself says nothing new
            seen.add(text.lower())
            claim = Claim(text=text)
            verdict.citations_total += len(cites)
            resolved: list[tuple[Citation, Evidence]] = []
            for c in cites:
                chunks = by_doc.get(c.doc_id.lower())
                if not chunks:
                    verdict.citations_invalid_removed += 1
                    verdict.invented_ids.append(c.doc_id)
                    claim.problems.append(f"cited {c.doc_id}, which is not in the evidence")
                    continue
                exact = [e for e in chunks if c.section and e.section.lower() == c.section.lower()]
                loose = [e for e in chunks if c.section and (c.section.lower() in e.section.lower()
                                                             or e.section.lower().endswith(c.section.lower()))]
                if exact or loose:
                    target = max(exact or loose, key=lambda e: self.support(text, e.text))
                    fixed = not exact
                else:
                    target = max(chunks, key=lambda e: self.support(text, e.text))
                    fixed = True
                if fixed:
                    verdict.citations_repaired += 1
                resolved.append((Citation(doc_id=target.doc_id, section=target.section), target))
            if not is_fact_sentence(text):
                continue  # "The answer is:", "- The default.", list numbers: nothing a reader can check
            verdict.claims_total += 1
            if not resolved and repair:  # "as ADR-0020 says": a named document is a citation
                named = [by_doc[m.lower()] for m in DOC_ID.findall(text) if m.lower() in by_doc]
                if named:
                    target = max((e for chunks in named for e in chunks), key=lambda e: self.support(text, e.text))
                    resolved = [(Citation(doc_id=target.doc_id, section=target.section), target)]
                    verdict.citations_repaired += 1
                    claim.problems.append("named a document without citing it; cited its best chunk")
            if not resolved and repair:
                target, score = self.best_chunk(text, evidence)
                if target is not None and score >= cfg.support_threshold:
                    resolved = [(Citation(doc_id=target.doc_id, section=target.section), target)]
                    verdict.citations_repaired += 1
                    claim.problems.append("had no citation; attached the best-supporting chunk")
            claim.citations = list({(c.doc_id, c.section): c for c, _ in resolved}.values())
            claim.support = max((self.support(text, e.text) for _, e in resolved), default=0.0)
            claim.supported = bool(resolved) and claim.support >= cfg.support_threshold
            if not resolved:
                claim.problems.append("no citation resolves to the evidence")
            elif not claim.supported:
                claim.problems.append(f"cited evidence does not support it (support {claim.support:.2f})")
            # numbers must be in the cited evidence
            ev_numbers: set[str] = set()
            for _, e in resolved:
                ev_numbers |= numbers(e.text)
            missing = sorted(n for n in numbers(text) if not number_in(n, ev_numbers))
            if missing:
                claim.supported = False
                claim.problems.append(f"numbers not in the cited evidence: {', '.join(missing)}")
                verdict.number_violations.append(f"{text} ({', '.join(missing)})")
            # hype
            cited_text = " ".join(e.text for _, e in resolved)
            for group in ("superlatives", "buzzwords"):
                for pat in getattr(vocab.hype(), group):
                    m = pat.search(text)
                    if m and not pat.search(cited_text):
                        verdict.hype_flags.append(HypeFlag(sentence=text, term=m.group(0), reason=f"{group[:-1]} not in the evidence"))
                        claim.problems.append(f"hype: {m.group(0)!r}")
            if any(p.search(text) for p in vocab.hype().recommendation) and not any(
                p.search(text) for p in vocab.hype().tradeoff
            ):
                verdict.hype_flags.append(HypeFlag(sentence=text, term="recommendation", reason="recommends without naming a trade-off"))
                claim.problems.append("recommends without naming a trade-off")
            if claim.supported:
                verdict.claims_kept += 1
                claims.append(claim)
            else:
                verdict.unsupported.append(text)
                if cfg.unsupported == "mark":
                    verdict.claims_marked += 1
                    claims.append(claim)
                else:
                    verdict.claims_dropped += 1
        if verdict.claims_kept < cfg.min_supported:
            verdict.abstained = True
            verdict.reason = ("no claim in the draft is supported by the evidence" if verdict.claims_total
                              else "the draft states nothing checkable")
        return claims, verdict


def render_claims(claims: list[Claim]) -> str:
    out = []
    for c in claims:
        cites = " ".join(str(x) for x in c.citations)
        mark = "" if c.supported else " (unsupported)"
        body = c.text if c.text.endswith((".", "!", "?")) else c.text + "."
        out.append(f"{body}{mark} {cites}".rstrip())
    return " ".join(out)


def injection_sentences(text: str) -> list[str]:
    """Sentences of retrieved text that read as instructions to an assistant."""
    return [s for s in split_sentences(text) if any(p.search(s) for p in vocab.hype().injection)]


def strip_injections(evidence: list[Evidence]) -> tuple[list[Evidence], list[str]]:
    """Evidence with instruction-like sentences removed (they are data, never instructions)."""
    cleaned: list[Evidence] = []
    suspects: list[str] = []
    for e in evidence:
        bad = injection_sentences(e.text)
        if bad:
            suspects += [f"{e.doc_id} §{e.section}: {s}" for s in bad]
            text = e.text
            for s in bad:
                text = text.replace(s, " ")
            e = e.model_copy(update={"text": re.sub(r"[ \t]{2,}", " ", text).strip()})
        if e.text.strip():
            cleaned.append(e)
    return cleaned, suspects


def check_numbers(text: str, sources: list[str]) -> tuple[str, list[str]]:
    """Keep sentences whose numbers all appear in ``sources``; return (kept text, rejected sentences)."""
    allowed: set[str] = set()
    for s in sources:
        allowed |= numbers(s)
        for n in list(numbers(s)):  # 5100.0 in JSON is 5,100 in prose; 0.85 is 85%
            try:
                v = float(n.split(" ")[0])
            except ValueError:
                continue
            allowed.add(str(int(v)) if v.is_integer() else str(round(v, 2)))
            allowed.add(f"{round(v * 100, 2):g} %")
            allowed.add(f"{round(v):d}")
    values = {n.split(" ")[0] for n in allowed}  # tool results are bare JSON numbers: compare values
    kept, rejected = [], []
    for sent in split_sentences(text):
        bad = [n for n in numbers(sent) if not number_in(n, allowed) and n.split(" ")[0] not in values]
        (rejected if bad else kept).append(sent)
    return " ".join(kept), rejected
