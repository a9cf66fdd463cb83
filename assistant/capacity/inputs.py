"""Capacity inputs read from the indexed documents, each cited with its date and age.

Sources: a design doc's or ADR's ``capacity:`` front matter (service, peak_rps, limit_rps,
growth, measured, regions, latency_ms, replicas, cost_usd_month, customers) and peak rates
stated in postmortems ("checkout peaked at 5,100 rps").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from assistant.documents.common import parse_date
from assistant.models import Document, Kind

FIELDS = ("peak_rps", "limit_rps", "growth", "regions", "latency_ms", "replicas", "cost_usd_month", "customers")


class Figure(BaseModel):
    field: str
    value: Any
    source: str
    title: str
    kind: Kind
    measured: dt.date | None
    age_days: int | None = None
    stale: bool = False
    context: str | None = Field(default=None, description="e.g. the postmortem title (Black Friday ...)")


def collect(docs: list[Document], service: str, today: dt.date, max_age_days: int) -> list[Figure]:
    """Every capacity figure stated for ``service``, newest first."""
    out: list[Figure] = []
    svc = service.lower()
    for d in docs:
        cap = (d.design.capacity if d.design else None) or (d.front_matter.get("capacity") if d.kind is Kind.adr else None)
        if isinstance(cap, dict) and str(cap.get("service", "")).lower() == svc:
            measured = parse_date(cap.get("measured")) or d.date
            for f in FIELDS:
                if cap.get(f) is not None:
                    out.append(Figure(field=f, value=cap[f], source=d.id, title=d.title, kind=d.kind, measured=measured))
        pm = d.postmortem
        if pm and pm.peak_rps and d.services and d.services[0] == svc:
            out.append(Figure(field="peak_rps", value=pm.peak_rps, source=d.id, title=d.title, kind=d.kind,
                              measured=d.date, context=d.title))
    for f in out:
        if f.measured:
            f.age_days = (today - f.measured).days
            f.stale = f.age_days > max_age_days
    return sorted(out, key=lambda f: (f.measured or dt.date.min, f.source), reverse=True)


def newest(figures: list[Figure], field: str) -> Figure | None:
    return next((f for f in figures if f.field == field), None)


def highest_recent(figures: list[Figure], field: str) -> Figure | None:
    """The highest value of ``field`` among figures that are not stale (capacity plans for the peak)."""
    fresh = [f for f in figures if f.field == field and not f.stale]
    return max(fresh, key=lambda f: float(f.value), default=None)


def services(docs: list[Document]) -> set[str]:
    names: set[str] = set()
    for d in docs:
        names |= set(d.services)
    return names
