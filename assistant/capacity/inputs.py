"""Capacity inputs read from the indexed documents, each cited with its date and age.

Sources: a design doc's or ADR's ``capacity:`` front matter (service, peak_rps, limit_rps,
growth, measured, regions, latency_ms, replicas, cost_usd_month, customers) and peak rates
stated in postmortems ("checkout peaked at 5,100 rps").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, Field

from assistant.capacity.units import parse_duration, parse_growth, parse_money_per_month, parse_rate
from assistant.documents.common import parse_date
from assistant.errors import BadInputError
from assistant.models import Document, Kind

FIELDS = ("peak_rps", "limit_rps", "growth", "regions", "latency_ms", "replicas", "cost_usd_month", "customers")


def _count(value: Any, where: str) -> int:
    """Regions, replicas, customers: a whole number, zero or more."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    text = str(value).strip().replace(",", "")
    if not re.fullmatch(r"\d{1,15}(?:\.0*)?", text):
        raise BadInputError(where, f"cannot read {value!r} as a whole number", "write a count, e.g. 3")
    return int(text.split(".")[0])


def figure_value(field: str, value: Any, where: str) -> Any:
    """A front-matter figure as a number in the unit its name says (``peak_rps: 5,000 rps`` ->
    5000.0, ``latency_ms: 0.12s`` -> 120.0); growth stays text for ``parse_growth``. Numbers
    already in that unit are kept as written. A value that cannot be read is a
    ``BadInputError`` naming the document and field."""
    plain = isinstance(value, int | float) and not isinstance(value, bool)
    if field in ("peak_rps", "limit_rps"):
        number = parse_rate(value, where)
    elif field == "latency_ms":
        number = parse_duration(value, where) * 1000
    elif field == "cost_usd_month":
        number = parse_money_per_month(value, where)
    elif field == "growth":
        parse_growth(value, where)  # fails here, naming the document, rather than in the plan
        return f"{value * 100:g}%/year" if plain else str(value).strip()
    else:  # regions, replicas, customers
        return _count(value, where)
    return value if plain else number


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
                    value = figure_value(f, cap[f], f"{d.id} capacity.{f}")
                    out.append(Figure(field=f, value=value, source=d.id, title=d.title, kind=d.kind, measured=measured))
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
