"""Incident pattern analysis: records, trends, repeats and action items (numbers by code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, Field

from assistant.incidents.actions import ActionSummary, summarise
from assistant.incidents.clusters import Cluster, cluster
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
    from assistant.catalog import all_documents

    return all_documents(settings)


def memo_embed(embed: Callable[[list[str]], np.ndarray], seed: dict[str, np.ndarray] | None = None,
               memo: dict[str, np.ndarray] | None = None) -> Callable[[list[str]], np.ndarray]:
    """``embed`` that computes each distinct text once, starting from vectors already known.
    ``memo``: a dict to fill in place (a caller that persists it); otherwise a private copy of ``seed``."""
    memo = memo if memo is not None else dict(seed or {})

    def cached(texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        if todo:
            memo.update(zip(todo, embed(todo), strict=True))
        return np.vstack([memo[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

    return cached


def load(settings: Settings) -> tuple[list[Document], Callable[[list[str]], np.ndarray]]:
    """Documents and an embedder that answers from the index's root-cause vectors where it can
    (one store opening for both)."""
    from assistant.index.embeddings import get_embedder
    from assistant.index.indexer import load_documents
    from assistant.index.store import Store

    with Store(settings, get_embedder(settings)) as store:
        docs = load_documents(store)
        stored = stored_cause_vectors(store, docs)
    return docs, memo_embed(get_embedder(settings).embed, stored)


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
    clusters: list[Cluster] = Field(default_factory=list)
    summary: str = ""


def trends(settings: Settings, by: str = "quarter", mttr: MttrDefinition = "started-to-resolved",
           since: dt.date | None = None, until: dt.date | None = None, service: str | None = None,
           window_days: int = 90) -> Trends:
    docs, embed = load(settings)
    return compute_trends(docs, embed, by, mttr, since, until, service, window_days)


def stored_cause_vectors(store: object, docs: list[Document]) -> dict[str, np.ndarray]:
    """cause text -> the vector the index already holds for that postmortem's root-cause section,
    so trends embeds nothing it has embedded before."""
    import re

    from assistant.incidents.clusters import cause_text
    from assistant.incidents.records import record

    ids, metas, _ = store.all_chunk_meta()  # type: ignore[attr-defined]
    first: dict[str, str] = {}
    for cid, m in sorted(zip(ids, metas, strict=True), key=lambda x: int(x[1].get("chunk_index") or 0)):
        if m.get("kind") == "postmortem" and re.match(r"root causes?\b|what happened and why", str(m.get("section", "")), re.I):
            first.setdefault(str(m.get("doc_id")), cid)
    vectors = store.get_embeddings(list(first.values())) if first else {}  # type: ignore[attr-defined]
    out: dict[str, np.ndarray] = {}
    for d in docs:
        if d.id in first and d.postmortem is not None and first[d.id] in vectors:
            out[cause_text(record(d))] = np.asarray(vectors[first[d.id]], dtype=np.float32)
    return out


def compute_trends(docs: list[Document], embed: Callable[[list[str]], np.ndarray], by: str = "quarter",
                   mttr: MttrDefinition = "started-to-resolved", since: dt.date | None = None,
                   until: dt.date | None = None, service: str | None = None, window_days: int = 90,
                   vectors: dict[str, np.ndarray] | None = None) -> Trends:
    recs = records(docs, since, until, service)
    keep = {r.id for r in recs}
    changed, known, share = change_share(recs)
    cached = memo_embed(embed, vectors)  # clustering and action items embed the same texts

    result = Trends(
        by=by, mttr_definition=mttr, incidents=len(recs), periods=periods(recs, by, mttr),
        repeats=repeats(recs, window_days), repeat_window_days=window_days, change_related=changed,
        with_known_trigger=known, change_related_share=share,
        actions=summarise([d for d in docs if d.id in keep], cached),
        clusters=cluster(recs, cached)[0],
    )
    result.summary = summary_text(result)
    return result


def model_summary(settings: Settings, t: Trends, model: object = None) -> tuple[str, list[str]]:
    """A model writes the summary from the computed table; sentences with numbers that are not in
    the table are removed (returned second). Falls back to the template when nothing survives."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.guard import check_numbers
    from assistant.llm.prompts import load_prompt
    from assistant.llm.providers import chat_model, describe, translate_model_errors

    table = t.model_dump_json(exclude={"summary"})
    system, user = load_prompt("incident_summary").render(table=table)
    llm = model or chat_model(settings)
    with translate_model_errors(describe(settings)):
        reply = llm.invoke([SystemMessage(content=system), HumanMessage(content=user)])  # type: ignore[attr-defined]
    text, rejected = check_numbers(str(reply.content), [table])
    return (text if text.strip() else summary_text(t)), rejected


def summary_text(t: Trends) -> str:
    """The template summary (no model): the largest changes and the top causes, with citations."""
    if not t.periods:
        return "No postmortems match."
    last = t.periods[-1]
    parts = [f"{t.incidents} incidents in {len(t.periods)} {t.by}s ({t.periods[0].period} to {last.period})."]
    moves = [p for p in t.periods if p.mttr_median_change_pct is not None]
    if moves:
        worst = max(moves, key=lambda p: p.mttr_median_change_pct or 0)
        best = min(moves, key=lambda p: p.mttr_median_change_pct or 0)
        parts.append(f"The largest rise in median MTTR was in {worst.period} ({worst.mttr_median_change_pct:+.0f}%, "
                     f"{worst.mttr.median:.0f} min over {worst.mttr.count} incidents [{', '.join(worst.mttr.incidents)}]); "
                     f"the largest fall in {best.period} ({best.mttr_median_change_pct:+.0f}%).")
    if t.clusters:
        top = t.clusters[:3]
        parts.append("Top recurring causes: " + "; ".join(
            f"{c.name} ({len(c.incidents)} incidents [{', '.join(c.incidents)}])" for c in top) + ".")
    if t.repeats:
        parts.append(f"{len(t.repeats)} repeat incidents within {t.repeat_window_days} days: "
                     + ", ".join(f"{r.earlier} → {r.later}" for r in t.repeats) + ".")
    if t.actions.recurrences:
        parts.append("Incidents that an earlier open action item would have addressed: "
                     + ", ".join(f"{r.later} (open item from {r.earlier})" for r in t.actions.recurrences) + ".")
    if t.change_related_share is not None:
        parts.append(f"{t.change_related} of {t.with_known_trigger} incidents ({t.change_related_share:.0%}) followed a deploy or config change.")
    return " ".join(parts)
