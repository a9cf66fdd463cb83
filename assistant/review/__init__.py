"""Design-doc review, deterministic part (first slice): completeness against a table of section
names real documents use, placeholder sections, and hype. Findings carry a line range, a
one-sentence problem and suggestion, and the quote they are about.

Not built yet (issue #6): trade-off, pattern-risk, STRIDE, ADR-conflict and incident-repeat
checks, the model critique, Markdown / SARIF output.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from assistant.documents import parse_text
from assistant.errors import BadInputError
from assistant.guard import lexicon as hype_lexicon
from assistant.models import Document, Section

Severity = Literal["high", "medium", "low", "info"]
RANK = {"high": 3, "medium": 2, "low": 1, "info": 0}


class Finding(BaseModel):
    id: str
    severity: Severity
    category: str
    line_start: int
    line_end: int
    problem: str
    suggestion: str
    evidence: str | None = None


class Review(BaseModel):
    path: str
    title: str
    verdict: str
    counts: dict[str, int]
    findings: list[Finding]
    changes_system: bool
    people_data: bool


@lru_cache(maxsize=1)
def rubric() -> dict[str, Any]:
    return yaml.safe_load(resources.files("assistant").joinpath("data/review_sections.yaml").read_text("utf-8"))


def _matches(heading: str, names: list[str]) -> bool:
    h = heading.strip().lower()
    h = re.sub(r"^[\d.\s]+", "", h)  # "13. Capacity"
    return any(re.search(rf"(?:^|\b){n}(?:\b|$)", h) for n in names)


def is_placeholder(text: str) -> bool:
    body = re.sub(r"[*_`>#\s]+", " ", text).strip().lower().rstrip(".")
    if not body:
        return True
    return any(re.fullmatch(p, body) for p in rubric()["placeholders"])


def _own_text(doc: Document, section: Section) -> str:
    """A section's text plus its subsections' (a heading whose body is all in subsections is not empty)."""
    out = [section.text]
    for s in doc.sections:
        if len(s.path) > len(section.path) and s.path[: len(section.path)] == section.path:
            out.append(s.text)
    return "\n".join(out).strip()


def review_text(text: str, path: str = "draft.md") -> Review:
    doc = parse_text(text, path)
    r = rubric()
    low = text.lower()
    changes = sum(1 for w in r["changes_system"] if re.search(rf"\b{w}\b", low)) >= r["changes_system_min"]
    people = any(re.search(rf"\b{w}", low) for w in r["people_data"])
    findings: list[Finding] = []
    n = 0

    def add(severity: Severity, category: str, start: int, end: int, problem: str, suggestion: str, evidence: str | None = None) -> None:
        nonlocal n
        n += 1
        findings.append(Finding(id=f"R{n:03d}", severity=severity, category=category, line_start=start, line_end=end,
                                problem=problem, suggestion=suggestion, evidence=evidence))

    headed = [s for s in doc.sections if s.heading]
    for name, spec in r["sections"].items():
        if spec["when"] == "changes-system" and not changes:
            continue
        if spec["when"] == "people-data" and not people:
            continue
        found = [s for s in headed if _matches(s.heading, spec["names"])]
        label = {"slo": "SLOs"}.get(name, name.replace("_", " "))
        if not found:
            shown = [n.replace("[- ]", "-").replace("?", "") for n in spec["names"] if "(" not in n][:4]
            add(spec["severity"], "completeness", 1, 1, f"No {label} section.",
                f"Add a section on {label} (headings that count include: {', '.join(shown)}).")
            continue
        filled = [s for s in found if not is_placeholder(_own_text(doc, s))]
        if not filled:
            s = found[0]
            add(spec["severity"], "completeness", s.line_start, s.line_end,
                f"The {label} section ({s.heading!r}) is empty or a placeholder.",
                f"Write the {label} section, or say why it does not apply.", (_own_text(doc, s) or "(empty)")[:80])
    for s in doc.sections:
        if s.heading and s.text and is_placeholder(s.text) and not any(f.line_start == s.line_start for f in findings):
            add("medium", "completeness", s.line_start, s.line_end, f"Section {s.heading!r} is a placeholder.",
                "Fill it in or remove it.", s.text[:80])
    lines = text.splitlines()
    # a TBD inside an otherwise written section: the decision or figure is deferred
    reported = {f.line_start for f in findings}
    for s in headed:
        for i in range(s.line_start, min(s.line_end, len(lines)) + 1):
            m = re.search(r"\b(?:TBD|TODO|TBA)\b", lines[i - 1])
            if m and s.line_start not in reported and not lines[i - 1].lstrip().startswith("#"):
                add("medium", "completeness", i, i, f"Section {s.heading!r} leaves something {m.group(0)}.",
                    "Decide it or state the figure before review, or list it under open questions with an owner.",
                    lines[i - 1].strip()[:120])
                break
    # hype: superlatives and buzzwords, each on its line
    for i, line in enumerate(lines, 1):
        for group in ("superlatives", "buzzwords"):
            for pat in hype_lexicon()[group]:
                m = pat.search(line)
                if m:
                    add("medium", "hype", i, i, f"{m.group(0)!r} is a claim with no number or mechanism behind it.",
                        "Replace it with the measured figure or the mechanism that makes it true, or cut it.",
                        line[max(0, m.start() - 50) : m.end() + 60].strip())
    findings.sort(key=lambda f: (-RANK[f.severity], f.line_start))
    counts = {k: sum(1 for f in findings if f.severity == k) for k in ("high", "medium", "low", "info")}
    verdict = ("needs work before review" if counts["high"] else "reviewable with fixes" if counts["medium"] else "ready for review")
    return Review(path=path, title=doc.title, verdict=verdict, counts=counts, findings=findings,
                  changes_system=changes, people_data=people)


def review(path: Path) -> Review:
    if not path.is_file():
        raise BadInputError(str(path), "no such file", "pass a Markdown design doc or ADR draft")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(str(path), "not UTF-8", "re-save the file as UTF-8") from exc
    return review_text(text, path.name)


def fails(r: Review, level: str | None) -> bool:
    if not level:
        return False
    if level not in RANK:
        raise BadInputError("--fail-on", f"unknown severity {level!r}", "use high, medium or low")
    return any(RANK[f.severity] >= RANK[level] for f in r.findings)


__all__ = ["Finding", "Review", "fails", "review", "review_text"]


