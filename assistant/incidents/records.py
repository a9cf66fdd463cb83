"""Incident records: one row per postmortem, from the parsed documents. Durations are computed
only from timestamps the postmortem states; a missing field stays missing."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from assistant.models import Document, Kind


class IncidentRecord(BaseModel):
    id: str
    title: str
    path: str
    date: dt.date | None
    severity: str | None
    services: list[str]
    started: dt.datetime | None
    detected: dt.datetime | None
    mitigated: dt.datetime | None
    resolved: dt.datetime | None
    time_to_detect_min: float | None = Field(description="detected - started")
    time_to_mitigate_min: float | None = Field(description="mitigated - started")
    time_to_resolve_min: float | None = Field(description="resolved - started, else the stated duration")
    trigger: str | None
    cause_category: str | None
    root_cause: str | None
    action_items_open: int
    action_items_closed: int
    action_items_unknown: int
    categories: list[str] = Field(default_factory=list)


def _minutes(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    if a is None or b is None or b < a:
        return None
    return round((b - a).total_seconds() / 60, 2)


def record(doc: Document) -> IncidentRecord:
    pm = doc.postmortem
    assert pm is not None
    ttr = _minutes(pm.started, pm.resolved)
    if ttr is None and pm.duration_minutes is not None:
        ttr = round(pm.duration_minutes, 2)
    return IncidentRecord(
        id=doc.id, title=doc.title, path=doc.path, date=doc.date, severity=pm.severity, services=doc.services,
        started=pm.started, detected=pm.detected, mitigated=pm.mitigated, resolved=pm.resolved,
        time_to_detect_min=_minutes(pm.started, pm.detected), time_to_mitigate_min=_minutes(pm.started, pm.mitigated),
        time_to_resolve_min=ttr, trigger=pm.trigger, cause_category=pm.cause_category, root_cause=pm.root_cause,
        action_items_open=sum(1 for a in pm.action_items if a.status == "open"),
        action_items_closed=sum(1 for a in pm.action_items if a.status == "closed"),
        action_items_unknown=sum(1 for a in pm.action_items if a.status is None),
        categories=pm.categories,
    )


def records(docs: list[Document], since: dt.date | None = None, until: dt.date | None = None,
            service: str | None = None, severity: str | None = None) -> list[IncidentRecord]:
    out = []
    for d in docs:
        if d.kind is not Kind.postmortem or d.postmortem is None:
            continue
        r = record(d)
        if since and (r.date is None or r.date < since):
            continue
        if until and (r.date is None or r.date > until):
            continue
        if service and service.lower() not in r.services:
            continue
        if severity and (r.severity or "").upper() != severity.upper():
            continue
        out.append(r)
    return sorted(out, key=lambda r: (r.date or dt.date.min, r.id))
