"""Incident pattern analysis: records, trends, repeats and action items (numbers by code)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from assistant.incidents.actions import ActionSummary, summarise
from assistant.incidents.records import IncidentRecord, records
from assistant.incidents.stats import (
    MttrDefinition,
    Period,
    RepeatIncident,
    change_share,
    periods,
    repeats,
)
from assistant.models import Document
from assistant.settings import Settings

__all__ = ["IncidentRecord", "Trends", "list_incidents", "trends"]


def documents(settings: Settings) -> list[Document]:
    from assistant.index.embeddings import get_embedder
    from assistant.index.indexer import load_documents
    from assistant.index.store import Store

    with Store(settings, get_embedder(settings)) as store:
        return load_documents(store)


def list_incidents(settings: Settings, since: dt.date | None = None, until: dt.date | None = None,
                   service: str | None = None, severity: str | None = None) -> list[IncidentRecord]:
    return records(documents(settings), since, until, service, severity)


class Trends(BaseModel):
    by: str
    mttr_definition: str
    mttd_definition: str = "detected - started"
    incidents: int
    periods: list[Period]
    repeats: list[RepeatIncident]
    repeat_window_days: int
    change_related: int
    with_known_trigger: int
    change_related_share: float | None
    actions: ActionSummary


def trends(settings: Settings, by: str = "quarter", mttr: MttrDefinition = "started-to-resolved",
           since: dt.date | None = None, until: dt.date | None = None, service: str | None = None,
           window_days: int = 90) -> Trends:
    from assistant.index.embeddings import get_embedder

    docs = documents(settings)
    recs = records(docs, since, until, service)
    keep = {r.id for r in recs}
    changed, known, share = change_share(recs)
    return Trends(
        by=by, mttr_definition=mttr, incidents=len(recs), periods=periods(recs, by, mttr),
        repeats=repeats(recs, window_days), repeat_window_days=window_days, change_related=changed,
        with_known_trigger=known, change_related_share=share,
        actions=summarise([d for d in docs if d.id in keep], get_embedder(settings).embed),
    )
