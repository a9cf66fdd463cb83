"""Review evals: is every planted defect caught, and does a clean doc stay free of high findings?

An expected defect is caught when a finding of a matching category either cites the expected
ADR / postmortem, or sits on the line of the expected quote (±1), or, for a missing section
(no quote), is a completeness finding naming that section.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from assistant.review.model import Finding, Review

# expected category -> finding categories that satisfy it
ACCEPT = {
    "completeness": {"completeness"},
    "tradeoff": {"tradeoff"},
    "pattern": {"pattern", "conflict", "incident"},
    "security": {"security", "conflict"},
    "conflict": {"conflict", "precedent"},
    "precedent": {"precedent", "conflict"},
    "incident": {"incident"},
    "hype": {"hype"},
}
_SECTION_WORDS = {"rollout": ["rollout", "rollback"], "rollback": ["rollback", "rollout"], "alternatives": ["alternatives"],
                  "security and privacy": ["security"], "security": ["security"], "slo": ["slo"], "slos": ["slo"],
                  "capacity": ["capacity"], "cost": ["cost"], "open questions": ["open questions", "open_questions"],
                  "observability": ["observability"], "risks": ["risks"], "migration": ["migration"]}


class DefectResult(BaseModel):
    doc: str
    category: str
    what: str
    caught: bool
    by: str | None = None


class DocResult(BaseModel):
    doc: str
    clean: bool
    expected: int
    caught: int
    high_findings: int
    false_high: list[str] = Field(default_factory=list, description="clean docs: their high findings")
    missed: list[DefectResult] = Field(default_factory=list)


def quote_lines(text: str, quote: str | None) -> set[int]:
    if not quote:
        return set()
    q = quote.strip()
    return {i for i, line in enumerate(text.splitlines(), 1) if q in line}


def caught_by(defect: dict[str, Any], findings: list[Finding], lines: set[int]) -> Finding | None:
    cats = ACCEPT.get(defect["category"], {defect["category"]})
    cands = [f for f in findings if f.category in cats]
    ref = defect.get("adr") or defect.get("postmortem")
    for f in cands:
        if ref and any(r.doc_id == ref for r in f.references):
            return f
    for f in cands:
        if lines and any(f.line_start - 1 <= n <= f.line_end + 1 for n in lines) \
                and (not ref or defect["category"] in ("pattern", "security")):
            return f
    if not defect.get("quote") or (defect["category"] == "completeness"):
        sec = str(defect.get("section", "")).lower()
        words = _SECTION_WORDS.get(sec, [sec.split()[0]] if sec else [])
        for f in cands:
            if f.category == "completeness" and any(w in (f.rule + " " + f.problem).lower() for w in words):
                return f
    return None


def score(doc_path: str, text: str, review: Review, expected: dict[str, Any]) -> DocResult:
    missed: list[DefectResult] = []
    n = 0
    for d in expected.get("defects") or []:
        f = caught_by(d, review.findings, quote_lines(text, d.get("quote")))
        if f:
            n += 1
        else:
            missed.append(DefectResult(doc=doc_path, category=d["category"], what=d.get("what", ""), caught=False))
    highs = [f for f in review.findings if f.severity == "high"]
    clean = bool(expected.get("clean"))
    return DocResult(doc=doc_path, clean=clean, expected=len(expected.get("defects") or []), caught=n,
                     high_findings=len(highs), missed=missed,
                     false_high=[f"{f.rule} line {f.line_start}: {f.problem}" for f in highs] if clean else [])


def corpus_cases(corpus: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The sample corpus's design docs with their defects from ``facts.yaml``."""
    facts = yaml.safe_load((corpus / "facts.yaml").read_text("utf-8"))
    return [(corpus / d["path"], d) for d in facts["documents"] if d["kind"] == "design"]


def eval_cases(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The planted-defect docs in ``evals/review/``."""
    items = yaml.safe_load((root / "expected.yaml").read_text("utf-8"))
    return [(root / it["doc"], it) for it in items]


def slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
