"""Incident statistics computed by code: counts per period, MTTD / MTTR per period with the
postmortems behind each figure, repeat incidents, change-related share and action items."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from typing import Literal

from pydantic import BaseModel, Field

from assistant.incidents.records import IncidentRecord

MttrDefinition = Literal["started-to-resolved", "detected-to-resolved", "started-to-mitigated"]
CHANGE_TRIGGERS = ("deploy", "config")


def period_of(d: dt.date, by: str) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}" if by == "quarter" else f"{d.year}-{d.month:02d}"


def _minutes(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    return None if a is None or b is None or b < a else round((b - a).total_seconds() / 60, 2)


def mttr_minutes(r: IncidentRecord, definition: MttrDefinition) -> float | None:
    if definition == "started-to-resolved":
        return _minutes(r.started, r.resolved)
    if definition == "detected-to-resolved":
        return _minutes(r.detected, r.resolved)
    return _minutes(r.started, r.mitigated)


class Stat(BaseModel):
    count: int
    median: float | None
    mean: float | None
    incidents: list[str] = Field(description="postmortems behind the figure")
    missing: list[str] = Field(default_factory=list, description="incidents in the period lacking the timestamps")


class Period(BaseModel):
    period: str
    incidents: int
    ids: list[str]
    by_severity: dict[str, int]
    by_service: dict[str, int]
    mttd: Stat
    mttr: Stat
    change_related: int
    mttr_median_change_pct: float | None = Field(default=None, description="vs the previous period")
    incidents_change: int | None = None


class RepeatIncident(BaseModel):
    earlier: str
    later: str
    cause_category: str
    services: list[str]
    days_apart: int


def _stat(values: dict[str, float | None], ids: list[str]) -> Stat:
    have = {k: v for k, v in values.items() if v is not None}
    nums = list(have.values())
    return Stat(count=len(nums), median=round(statistics.median(nums), 2) if nums else None,
                mean=round(statistics.fmean(nums), 2) if nums else None, incidents=sorted(have),
                missing=sorted(i for i in ids if i not in have))


def periods(recs: list[IncidentRecord], by: str = "quarter", definition: MttrDefinition = "started-to-resolved") -> list[Period]:
    groups: dict[str, list[IncidentRecord]] = defaultdict(list)
    for r in recs:
        if r.date is not None:
            groups[period_of(r.date, by)].append(r)
    out: list[Period] = []
    for key in sorted(groups):
        rs = groups[key]
        ids = [r.id for r in rs]
        sev = Counter(r.severity or "unknown" for r in rs)
        svc = Counter(s for r in rs for s in r.services)
        p = Period(
            period=key, incidents=len(rs), ids=ids, by_severity=dict(sorted(sev.items())), by_service=dict(sorted(svc.items())),
            mttd=_stat({r.id: _minutes(r.started, r.detected) for r in rs}, ids),
            mttr=_stat({r.id: mttr_minutes(r, definition) for r in rs}, ids),
            change_related=sum(1 for r in rs if r.trigger in CHANGE_TRIGGERS),
        )
        if out:
            prev = out[-1]
            p.incidents_change = p.incidents - prev.incidents
            if prev.mttr.median and p.mttr.median is not None:
                p.mttr_median_change_pct = round((p.mttr.median - prev.mttr.median) / prev.mttr.median * 100, 1)
        out.append(p)
    return out


def repeats(recs: list[IncidentRecord], window_days: int = 90) -> list[RepeatIncident]:
    """Pairs with the same cause category and a shared service within ``window_days``."""
    out: list[RepeatIncident] = []
    dated = [r for r in recs if r.date and r.cause_category]
    for i, a in enumerate(dated):
        for b in dated[i + 1 :]:
            days = (b.date - a.date).days  # type: ignore[operator]
            shared = sorted(set(a.services) & set(b.services))
            if 0 <= days <= window_days and a.cause_category == b.cause_category and shared:
                out.append(RepeatIncident(earlier=a.id, later=b.id, cause_category=a.cause_category or "",
                                          services=shared, days_apart=days))
    return out


def change_share(recs: list[IncidentRecord]) -> tuple[int, int, float | None]:
    """(change-related, with a known trigger, share): the postmortems' proxy for change failure rate."""
    known = [r for r in recs if r.trigger]
    changed = sum(1 for r in known if r.trigger in CHANGE_TRIGGERS)
    return changed, len(known), round(changed / len(known), 4) if known else None
