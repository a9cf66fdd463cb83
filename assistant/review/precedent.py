"""The organisation's own precedent: where a design contradicts an accepted, in-force ADR, revisits
a rejected one, or repeats a recorded incident's root cause. Built on the doc's denials (see
``checks.stance``): a denial of a mechanism an in-force ADR requires is a conflict; a denial of
a mechanism whose absence a postmortem records as its root cause is a repeat.

Superseded, deprecated and rejected ADRs never raise conflicts; a rejected ADR the doc re-proposes
raises a *precedent* finding instead, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.index.library import Library
from assistant.models import Document, Status
from assistant.review.checks import Stance
from assistant.review.draft import Draft, Findings
from assistant.review.model import Reference
from assistant.review.vocab import checklist
from assistant.text import content_words, split_sentences
from assistant.vocab import first_match

MIN_RULE_SIMILARITY = 0.15      # denial sentence vs the ADR sentence stating the rule
MIN_CAUSE_SIMILARITY = 0.25     # denial sentence vs the postmortem's root cause
MIN_REJECTED_SIMILARITY = 0.85  # doc title + best opening line vs a rejected ADR's title (sum of cosines)
MAX_INCIDENTS = 3
MIN_REQUIRE_SIMILARITY = 0.3  # an unaddressed mechanism vs the ADR sentence said to require it
MIN_LINE_SIMILARITY = 0.35  # a doc line vs a postmortem's cause, to place the finding
# sections of an ADR that are not its rules: the situation, the options weighed, the consequences
_CONTEXT = re.compile(r"\b(?:context|problem|considered options|pros and cons|options|background|consequences|drawbacks|risks)\b", re.I)


@dataclass
class Rule:
    doc: Document
    section: str
    sentence: str


def _ref(doc: Document, section: str, quote: str) -> Reference:
    return Reference(doc_id=doc.id, title=doc.title, kind=doc.kind.value, status=doc.status.value, date=doc.date,
                     section=section, quote=quote[:300])


class Precedent:
    """The indexed ADRs and postmortems, read once, with an embedder for ranking."""

    def __init__(self, docs: list[Document], embed: Callable[[list[str]], np.ndarray]) -> None:
        self.docs = {d.id: d for d in docs}
        self.embed = embed
        c = checklist()
        in_force = [d for d in docs if d.kind.value == "adr" and d.status == Status.accepted
                     and not (d.adr and d.adr.superseded_by)]
        self.rejected = [d for d in docs if d.kind.value == "adr" and d.status == Status.rejected]
        self.rules: dict[str, list[Rule]] = {}
        # sentences that state a rule, split once; restating another ADR's rule does not count
        # (that ADR is the precedent)
        stated = [Rule(d, s.heading or "Decision", sent) for d in in_force for s in d.sections
                  if not (s.heading and _CONTEXT.search(s.heading)) for sent in split_sentences(s.text)
                  if not set(re.findall(r"\bADR-\d+\b", sent)) - {d.id} and first_match(c.rule_words, sent)]
        for mname, mech in c.mechanisms.items():
            self.rules[mname] = [r for r in stated if first_match(mech.required_by, r.sentence)]
        self.postmortems = [d for d in docs if d.kind.value == "postmortem" and d.postmortem]
        self.services = sorted({s for d in docs for s in d.services})

    def _cos(self, a: str, bs: list[str]) -> np.ndarray:
        v = self.embed([a, *bs])
        return v[1:] @ v[0]

    def doc_services(self, draft: Draft) -> set[str]:
        if draft.doc.services:
            return set(draft.doc.services)
        return {s for s in self.services if re.search(rf"\b{re.escape(s)}\b", draft.low)}

    def check(self, draft: Draft, st: Stance, out: Findings) -> None:
        services = self.doc_services(draft)
        c = checklist()
        seen_conflicts: set[tuple[str, str]] = set()
        seen_incidents: set[str] = set()
        for d in st.denials:
            # conflicts: an in-force ADR states this mechanism as a rule
            rules = self.rules.get(d.mechanism, [])
            if rules:
                sims = self._cos(f"{d.sentence} {d.label}", [r.sentence for r in rules])
                # prefer the ADR about the same thing as the doc: title similarity and shared services
                topic = self._cos(draft.doc.title or d.sentence, [r.doc.title for r in rules])
                shared = np.array([bool(services & set(r.doc.services)) for r in rules], dtype=float)
                best = int(np.argmax(sims + 0.5 * topic + 0.1 * shared))
                r = rules[best]
                if sims[best] >= MIN_RULE_SIMILARITY and (r.doc.id, d.mechanism) not in seen_conflicts:
                    seen_conflicts.add((r.doc.id, d.mechanism))
                    why = c.mechanisms[d.mechanism].why
                    # the conflict replaces the document-only finding on the same line
                    out.items = [f for f in out.items if not (f.line_start == d.line and f.rule.endswith(f"/{d.mechanism}")
                                                              and not f.references)]
                    out.add("high", "conflict", f"conflict/{d.mechanism}", d.line, d.line,
                            f"Contradicts {r.doc.id} ({r.doc.title}), accepted and in force, which requires "
                            f"{d.label}; without it {why}.",
                            f"Follow {r.doc.id}, or write an ADR that supersedes it and say why the rule no longer applies.",
                            d.sentence, [_ref(r.doc, r.section, r.sentence)])
            # incidents: postmortems whose root cause is this mechanism's absence
            if d.mechanism not in seen_incidents:
                seen_incidents.add(d.mechanism)
                self._incidents(draft, d, services, out)
        # a mechanism the doc leaves unaddressed that an in-force ADR requires: cite the ADR
        title = draft.doc.title or draft.path
        for f in out.items:
            if f.category != "pattern" or f.severity != "medium" or f.references:
                continue
            mname = f.rule.rsplit("/", 1)[-1]
            rules = self.rules.get(mname, [])
            if rules:
                sims = self._cos(f"{title} {c.mechanisms[mname].label}", [r.sentence for r in rules])
                r = rules[int(np.argmax(sims))]
                if float(np.max(sims)) < MIN_REQUIRE_SIMILARITY:
                    continue
                f.problem += f" {r.doc.id} requires it."
                f.references.append(_ref(r.doc, r.section, r.sentence))
        self._rejected(draft, out)

    @staticmethod
    def _cause(p: Document) -> str:
        """The postmortem's root cause as written (front matter or the writer's summary)."""
        pm = p.postmortem
        assert pm is not None
        return " ".join(x for x in (pm.root_cause, pm.trigger_text) if x) or p.title

    @staticmethod
    def _cause_text(p: Document) -> str:
        """Everything the postmortem says about why: summary fields plus its cause sections."""
        pm = p.postmortem
        assert pm is not None
        secs = [s.text for s in p.sections if re.search(r"cause|why|contributing|went wrong|trigger", " ".join(s.path), re.I)]
        return " ".join(x for x in (p.title, pm.root_cause, pm.trigger_text, *pm.contributing_factors, *secs) if x)[:6000]

    def _incidents(self, draft: Draft, d: object, services: set[str], out: Findings) -> None:
        """Postmortems whose cause is this mechanism's absence, each tied to the doc line that repeats it."""
        mech = checklist().mechanisms[d.mechanism]
        pms = [p for p in self.postmortems if first_match(mech.caused, self._cause_text(p))]
        if not pms:
            return
        causes = [self._cause(p) for p in pms]
        sec = draft.section_of[d.line - 1]
        query = f"{d.sentence} {d.label} {(sec.text if sec else '')[:600]}"
        sims = self._cos(query, [self._cause_text(p)[:1000] for p in pms])
        words = content_words(d.sentence)
        sims = sims + 0.5 * np.array([len(words & content_words(c)) / max(len(words), 1) for c in causes])
        same = np.array([bool(services & set(p.services)) for p in pms], dtype=float)
        order = np.argsort(-(sims + 0.15 * same))
        chosen = [(pms[i], causes[i]) for i in order[:MAX_INCIDENTS] if sims[i] >= MIN_CAUSE_SIMILARITY]
        if not chosen:
            return
        # the doc line most like each cause (lexical prefilter, then embeddings), else the denial
        top = draft.section_of[d.line - 1].path[:1] if draft.section_of[d.line - 1] else []
        prose = [(i, line) for i, line in draft.prose() if len(content_words(line)) >= 4
                 and (draft.in_proposal(i) or (top and (draft.section_of[i - 1] or draft.doc.sections[0]).path[:1] == top))]
        by_line: dict[int, list[tuple[Document, str]]] = {}
        for p, cause in chosen:
            cw = content_words(self._cause_text(p)[:1000])
            cands = [(i, line) for i, line in prose if len(cw & content_words(line)) >= 2]
            line_no = d.line
            if cands:
                s2 = self._cos(self._cause_text(p)[:1000], [line for _, line in cands])
                j = int(np.argmax(s2))
                if s2[j] >= MIN_LINE_SIMILARITY:
                    line_no = cands[j][0]
            by_line.setdefault(line_no, []).append((p, cause))
        for line_no, group in sorted(by_line.items()):
            ids = ", ".join(p.id for p, _ in group)
            shared = any(services & set(p.services) for p, _ in group)
            opened = [(p, a) for p, _ in group for a in p.postmortem.action_items
                      if (a.status or "").lower() == "open" and first_match(mech.addressed, a.text)]
            extra = f" Its open action item {opened[0][0].id} “{opened[0][1].text}” is not addressed." if opened else ""
            quote = d.sentence if line_no == d.line else draft.lines[line_no - 1].strip()[:200]
            out.add("high" if shared else "medium", "incident", f"incident/{d.mechanism}", line_no, line_no,
                    f"Repeats the recorded cause of {ids}: a change like this one, without {d.label}.{extra}",
                    f"Read {ids}; keep {d.label} here, or say what prevents a repeat.",
                    quote, [_ref(p, "Root cause", cause) for p, cause in group])

    def _rejected(self, draft: Draft, out: Findings) -> None:
        """A doc whose title and opening lines say what a rejected ADR proposed re-proposes it."""
        prose = [(i, line) for i, line in draft.prose() if not draft.in_context(i)][:40]
        if not self.rejected or not prose or not draft.doc.title:
            return
        titles = self._cos(draft.doc.title, [d.title for d in self.rejected])
        for d, t in zip(self.rejected, titles, strict=True):
            sims = self._cos(d.title, [line for _, line in prose])
            j = int(np.argmax(sims))
            if t + sims[j] < MIN_REJECTED_SIMILARITY:
                continue
            line = prose[j][0]
            cited = d.id in draft.text
            decision = next((sec for sec in d.sections if re.search(r"decision|outcome|status", sec.heading or "", re.I)), None)
            quote = split_sentences(decision.text)[0] if decision and decision.text.strip() else d.title
            out.add("info" if cited else "high", "precedent", "precedent/rejected", line, line,
                    f"Re-proposes what {d.id} ({d.title}) rejected{', and says so' if cited else ', without citing it'}.",
                    f"Cite {d.id}, say what has changed since it was rejected, and supersede it if the answer is now different.",
                    draft.lines[line - 1].strip()[:160], [_ref(d, decision.heading if decision else "", quote)])


def of(lib: Library) -> Precedent:
    """The precedent of the opened index, built once per index generation (ADR rule sentences and
    postmortem causes are embedded through the library's memo, which outlives the process)."""
    return lib.derived(("review-precedent",), lambda: Precedent(lib.documents(), lib.embed))
