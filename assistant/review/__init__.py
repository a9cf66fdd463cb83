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

from assistant.documents.reader import SourceText, read_file
from assistant.errors import BadInputError
from assistant.index.library import Library
from assistant.llm.registry import with_model
from assistant.review import checks, completeness, critique, precedent
from assistant.review.completeness import is_placeholder
from assistant.review.draft import Draft, Findings
from assistant.review.model import CATEGORIES, RANK, Finding, Reference, Review, Severity
from assistant.settings import Settings, get_settings


def _verdict(counts: dict[str, int], coverage: float, checked: bool, n: int) -> str:
    base = ("needs work before review" if counts["high"] else "reviewable with fixes" if counts["medium"]
            else "ready for review")
    prec = (f"{coverage:.0%} of findings backed by your own ADRs or postmortems" if checked and n
            else "precedent not checked (no index)" if not checked else "no findings")
    return f"{base}; {prec}"


def review_text(text: str, lib: Library | None = None, path: str = "draft.md", *, settings: Settings | None = None,
                use_model: bool | None = None, source: SourceText | None = None) -> Review:
    """Review one Markdown doc. With ``lib`` (the opened index) the precedent checks run too;
    ``use_model`` None means "if one is configured". ``source``: what the reader made of a
    converted file, so that findings name the page or heading of the original."""
    t0 = time.perf_counter()
    settings = settings or (lib.settings if lib is not None else get_settings())
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
    if lib is None:
        notes.append("No index: conflicts with past decisions and repeats of incidents were not checked (run `archie index`).")
    else:
        precedent.of(lib).check(draft, st, out)
        lib.embed.save()

    def critique_() -> tuple[str | None, str | None]:
        return critique.run(settings, lib, draft, out, notes)

    (narrative, model), fallback = with_model(settings, critique_, lambda: (None, None),
                                              "reviewed without the model", use=use_model)
    if fallback:
        notes.append(f"Note: {fallback}.")
    findings = sorted(out.items, key=lambda f: (-RANK[f.severity], f.line_start, f.id))
    for n, f in enumerate(findings, 1):
        f.id = f"R{n:03d}"
        if source is not None:
            f.location = source.location(f.line_start, f.line_end)
    counts = {k: sum(1 for f in findings if f.severity == k) for k in RANK}
    by_cat = {c: n for c in CATEGORIES if (n := sum(1 for f in findings if f.category == c))}
    backed = sum(1 for f in findings if f.references)
    coverage = backed / len(findings) if findings else 0.0
    checked = lib is not None
    return Review(path=path, title=draft.doc.title, verdict=_verdict(counts, coverage, checked, len(findings)),
                  counts=counts, by_category=by_cat, findings=findings, changes_system=applies["changes-system"],
                  people_data=applies["people-data"], patterns=sorted(st.used), precedent_coverage=round(coverage, 3),
                  precedent_checked=checked, narrative=narrative, model=model, notes=notes,
                  seconds=round(time.perf_counter() - t0, 3))


def review_source(src: SourceText, lib: Library | None = None, *, settings: Settings | None = None,
                  use_model: bool | None = None) -> Review:
    """Review what the reader made of a file (Markdown as is; Word, PDF, HTML converted)."""
    return review_text(src.text, lib, src.name, settings=settings, use_model=use_model, source=src)


def review(path: Path, lib: Library | None = None, *, settings: Settings | None = None,
           use_model: bool | None = None) -> Review:
    """Read ``path`` with the one document reader and review it."""
    settings = settings or (lib.settings if lib is not None else get_settings())
    return review_source(read_file(path, settings), lib, settings=settings, use_model=use_model)


def fail_level(level: str | None) -> str | None:
    """``--fail-on`` checked before any work is done: high, medium, low or nothing."""
    if level and (level not in RANK or level == "info"):
        raise BadInputError("--fail-on", f"unknown severity {level!r}", "use high, medium or low")
    return level or None


def fails(r: Review, level: str | None) -> bool:
    """Whether any finding is at least as severe as ``level``."""
    level = fail_level(level)
    return level is not None and any(RANK[f.severity] >= RANK[level] for f in r.findings)


__all__ = ["Finding", "Reference", "Review", "Severity", "fail_level", "fails", "is_placeholder", "review", "review_source", "review_text"]
