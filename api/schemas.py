"""Request bodies of the API (responses are the library's own models, as with the CLI's --json)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from assistant.errors import BadInputError
from assistant.models import Kind, SearchFilters, Status

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """Only ``YYYY-MM-DD``: pydantic would read ``0`` or ``"1700000000"`` as a Unix time."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise PydanticCustomError("day_format", "expected a day as YYYY-MM-DD, got {value}", {"value": repr(value)[:40]})


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


def check_range(since: dt.date | None, until: dt.date | None, where: str = "query") -> None:
    """Refuse ``until`` before ``since`` (it would match nothing, silently)."""
    if since is not None and until is not None and until < since:
        raise BadInputError(f"{where}.until", f"{until} is before since ({since})",
                            "give since <= until, both as YYYY-MM-DD")

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AskRequest(BaseModel):
    model_config = ConfigDict(**_STRICT, json_schema_extra={"examples": [
        {"question": "Why do calls between services need timeouts and retry budgets?"},
        {"question": "Do we run active-passive across regions?", "as_of": "2024-01-01", "kind": "adr"},
    ]})

    question: str = Field(min_length=1, max_length=2000, description="a question about past decisions, designs or incidents")
    kind: Kind | None = None
    status: Status | None = None
    since: Day | None = Field(default=None, description="only documents dated on or after this day")
    until: Day | None = None
    service: str | None = Field(default=None, max_length=100)
    as_of: Day | None = Field(default=None, description="answer as the organisation stood on this day")

    @field_validator("until")
    @classmethod
    def _after_since(cls, until: dt.date | None, info: ValidationInfo) -> dt.date | None:
        since = info.data.get("since")
        if since is not None and until is not None and until < since:
            raise ValueError(f"{until} is before since ({since})")
        return until

    def filters(self) -> SearchFilters:
        return SearchFilters(kind=self.kind, status=self.status, since=self.since, until=self.until,
                             service=self.service or None)


class ReviewRequest(BaseModel):
    model_config = ConfigDict(**_STRICT, json_schema_extra={"examples": [
        {"text": "# Move search to OpenSearch\n\n## Context\n\nSearch latency is 900 ms at p95.\n\n## Proposal\n\nTBD\n",
         "path": "search-replatform.md"},
    ]})

    text: str = Field(min_length=1, max_length=1_000_000, description="the design doc or ADR draft, as Markdown")
    path: str = Field(default="draft.md", min_length=1, max_length=200, description="its file name, shown in findings")


class SimilarRequest(BaseModel):
    model_config = ConfigDict(**_STRICT, json_schema_extra={"examples": [
        {"text": "checkout errors after a feature flag was pushed to every pod", "k": 3},
    ]})

    text: str = Field(min_length=1, max_length=20_000, description="what happened, or a draft postmortem")
    k: int = Field(default=5, ge=1, le=50)
    services: list[str] = Field(default_factory=list, max_length=20, description="services affected, if known")


class PlanRequest(BaseModel):
    """The inputs of ``archie capacity plan``; rates, durations and money with their units."""

    model_config = ConfigDict(**_STRICT, json_schema_extra={"examples": [
        {"peak": "1200rps", "limit": "5000rps", "growth": "40%/year", "target_utilization": 0.7, "regions": 3,
         "survive_region_loss": True, "latency": "80ms", "replicas": 6, "cost": "42000usd/month", "customers": 1800},
    ]})

    peak: str = Field(min_length=1, max_length=50, description="peak rate, e.g. 1200rps, 72000rpm, 5e6req/day")
    limit: str = Field(min_length=1, max_length=50, description="tested limit of the whole fleet, e.g. 5000rps")
    growth: str | None = Field(default=None, max_length=50, description="compound growth, e.g. 40%/year or 3%/month")
    target_utilization: float = Field(default=0.7, gt=0, le=1)
    regions: int | None = Field(default=None, ge=1, le=100)
    survive_region_loss: bool = False
    latency: str | None = Field(default=None, max_length=50, description="latency per request, e.g. 80ms")
    replicas: int | None = Field(default=None, ge=1, le=100_000)
    cost: str | None = Field(default=None, max_length=50, description="running cost, e.g. 42000usd/month")
    customers: int | None = Field(default=None, ge=1, le=10**9)
    average: str | None = Field(default=None, max_length=50, description="average rate, for cost per million requests")
    horizon: float = Field(default=6.0, gt=0, le=120, description="months ahead that count as 'at risk'")


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, Check] = Field(description="index, embeddings, model")


class Health(BaseModel):
    status: str = "ok"
    version: str
