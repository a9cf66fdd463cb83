"""The review's data: findings with line ranges, quotes and citations, and the review around them.
The CLI's ``--json``, the API and the eval harness all use these models."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["high", "medium", "low", "info"]
RANK: dict[str, int] = {"high": 3, "medium": 2, "low": 1, "info": 0}
CATEGORIES = ("completeness", "tradeoff", "pattern", "security", "conflict", "precedent", "incident", "hype")


class Reference(BaseModel):
    """An indexed document a finding rests on: the organisation's own precedent."""

    doc_id: str
    title: str
    kind: str
    status: str
    date: dt.date | None = None
    section: str = ""
    quote: str = Field("", description="the sentence of that document the finding relies on")


class Finding(BaseModel):
    id: str
    severity: Severity
    category: str = Field(description="completeness | tradeoff | pattern | security | conflict | precedent | incident | hype")
    rule: str = Field(description="stable rule id, e.g. pattern/saga/compensation (SARIF ruleId)")
    line_start: int
    line_end: int
    location: str | None = Field(None, description="where in the original file, for a converted one (\"page 3\")")
    problem: str
    suggestion: str
    evidence: str | None = Field(None, description="a quote from the reviewed doc")
    references: list[Reference] = Field(default_factory=list)
    source: Literal["rule", "model"] = "rule"
    support: float | None = Field(None, description="model findings: the guard's support score")
    confidence: float = Field(1.0, ge=0, le=1, description="how sure the check is (a review config's min_confidence hides those below)")


class Review(BaseModel):
    path: str
    title: str
    verdict: str
    counts: dict[str, int]
    by_category: dict[str, int] = Field(default_factory=dict)
    findings: list[Finding]
    changes_system: bool
    people_data: bool
    patterns: list[str] = Field(default_factory=list, description="patterns the doc uses")
    precedent_coverage: float = Field(0.0, description="share of findings backed by the organisation's own ADRs or postmortems")
    precedent_checked: bool = Field(False, description="False when no index was available for conflict and incident checks")
    narrative: str | None = Field(None, description="the model's short critique (guard-checked), if a model ran")
    model: str | None = None
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    disabled: int = Field(0, description="findings dropped because the review config turns their checks off")
    hidden: int = Field(0, description="findings hidden below the review config's min_confidence")
    config: str | None = Field(None, description="the review config file applied, if any")
