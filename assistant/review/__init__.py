"""Design-doc review: the findings a staff engineer would raise before the review meeting.

Deterministic first: completeness (section names real documents use), trade-offs, pattern
failure modes, STRIDE and secrets, hype (``checks``); then the organisation's own precedent
from the index: conflicts with in-force ADRs, re-proposals of rejected ones, repeats of recorded
incidents (``precedent``). With a model configured, a short critique and any further findings
are added after passing the guard, labelled as model-made (``critique``).
"""

from __future__ import annotations

import time
from pathlib import Path

from assistant.errors import BadInputError
from assistant.review import checks, completeness
from assistant.review.completeness import is_placeholder
from assistant.review.draft import Draft, Findings
from assistant.review.model import CATEGORIES, RANK, Finding, Reference, Review, Severity

MAX_BYTES = 2_000_000


def _verdict(counts: dict[str, int], coverage: float, checked: bool, n: int) -> str:
    base = ("needs work before review" if counts["high"] else "reviewable with fixes" if counts["medium"]
            else "ready for review")
    prec = (f"{coverage:.0%} of findings backed by your own ADRs or postmortems" if checked and n
            else "precedent not checked (no index)" if not checked else "no findings")
    return f"{base}; {prec}"


def review_text(text: str, path: str = "draft.md", settings: object | None = None, use_model: bool | None = None) -> Review:
    """Review one Markdown doc. ``settings`` gives the index for precedent checks (none: the
    document-only checks); ``use_model`` None means "if one is configured"."""
    t0 = time.perf_counter()
    if not text.strip():
        raise BadInputError(path, "the document is empty", "pass a Markdown design doc or ADR draft")
    draft = Draft(text, path)
    out = Findings()
    applies = completeness.scope(draft)
    completeness.check(draft, out, applies)
    st = checks.stance(draft)
    checks.patterns(draft, st, out)
    checks.tradeoffs(draft, out)
    checks.security(draft, st, out, applies)
    checks.hype(draft, out)
    notes: list[str] = []
    checked = False
    if settings is not None:
        from assistant.review import precedent

        prec = precedent.load(settings)
        if prec is None:
            notes.append("No index: conflicts with past decisions and repeats of incidents were not checked (run `archie index`).")
        else:
            prec.check(draft, st, out)
            prec.embed.save()
            checked = True
    narrative = model = None
    if settings is not None and use_model is not False and getattr(settings, "llm", "extractive") != "extractive":
        from assistant.review import critique

        narrative, model = critique.run(settings, draft, out, notes)
    findings = sorted(out.items, key=lambda f: (-RANK[f.severity], f.line_start, f.id))
    for n, f in enumerate(findings, 1):
        f.id = f"R{n:03d}"
    counts = {k: sum(1 for f in findings if f.severity == k) for k in RANK}
    by_cat = {c: n for c in CATEGORIES if (n := sum(1 for f in findings if f.category == c))}
    backed = sum(1 for f in findings if f.references)
    coverage = backed / len(findings) if findings else 0.0
    return Review(path=path, title=draft.doc.title, verdict=_verdict(counts, coverage, checked, len(findings)),
                  counts=counts, by_category=by_cat, findings=findings, changes_system=applies["changes-system"],
                  people_data=applies["people-data"], patterns=sorted(st.used), precedent_coverage=round(coverage, 3),
                  precedent_checked=checked, narrative=narrative, model=model, notes=notes,
                  seconds=round(time.perf_counter() - t0, 3))


def read_doc(path: Path) -> str:
    if not path.is_file():
        raise BadInputError(str(path), "no such file", "pass a Markdown design doc or ADR draft")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise BadInputError(str(path), f"{len(data):,} bytes is over the {MAX_BYTES:,}-byte limit", "split the document")
    if b"\x00" in data[:4096]:
        raise BadInputError(str(path), "looks like a binary file", "pass a Markdown text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(str(path), "not UTF-8", "re-save the file as UTF-8") from exc


def review(path: Path, settings: object | None = None, use_model: bool | None = None) -> Review:
    return review_text(read_doc(path), str(path), settings, use_model)


def fails(r: Review, level: str | None) -> bool:
    if not level:
        return False
    if level not in RANK or level == "info":
        raise BadInputError("--fail-on", f"unknown severity {level!r}", "use high, medium or low")
    return any(RANK[f.severity] >= RANK[level] for f in r.findings)


__all__ = ["Finding", "Reference", "Review", "Severity", "fails", "is_placeholder", "read_doc", "review", "review_text"]
