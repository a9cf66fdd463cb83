"""Incident pattern analysis: records, trends, repeats and action items (numbers by code)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel, Field

from assistant.guard import check_numbers
from assistant.incidents.actions import ActionSummary, summarise
from assistant.incidents.clusters import Cluster, cause_text, cluster
from assistant.incidents.records import IncidentRecord, record, records
from assistant.incidents.similar import Match, similar
from assistant.incidents.stats import (
    MttrDefinition,
    Period,
    RepeatIncident,
    change_share,
    periods,
    repeats,
)
from assistant.index.embeddings import MemoEmbedder
from assistant.index.library import Library
from assistant.llm.prompts import load_prompt
from assistant.llm.registry import describe, with_model
from assistant.models import Document, Kind
from assistant.settings import Settings

__all__ = ["IncidentRecord", "Match", "Trends", "find_similar", "list_incidents", "trends"]


def cause_vectors(lib: Library) -> dict[str, np.ndarray]:
    """cause text -> the vector the index already holds for that postmortem's root-cause section,
    so trends embeds nothing it has embedded before (once per index generation)."""

    def make() -> dict[str, np.ndarray]:
        ids, metas, _ = lib.store.all_chunks()
        first: dict[str, str] = {}
        for cid, m in sorted(zip(ids, metas, strict=True), key=lambda x: x[1].chunk_index):
            if m.kind is Kind.postmortem and re.match(r"root causes?\b|what happened and why", m.section, re.I):
                first.setdefault(m.doc_id, cid)
        vectors = lib.chunk_vectors(list(first.values())) if first else {}
        return {cause_text(record(d)): vectors[first[d.id]] for d in lib.documents(Kind.postmortem)
                if d.id in first and d.postmortem is not None and first[d.id] in vectors}

    return lib.derived(("cause-vectors",), make)


def embedder(lib: Library) -> MemoEmbedder:
    """The library's memoised embedder, seeded with the stored root-cause vectors."""
    lib.embed.seed(cause_vectors(lib))
    return lib.embed


def list_incidents(lib: Library, since: dt.date | None = None, until: dt.date | None = None,
                   service: str | None = None, severity: str | None = None) -> list[IncidentRecord]:
    return records(lib.documents(), since, until, service, severity)


def find_similar(lib: Library, text: str, k: int = 5, services: list[str] | None = None,
                 exclude: str | None = None) -> list[Match]:
    """The past incidents most like ``text`` (a description or a draft postmortem's cause)."""
    return similar(text, records(lib.documents()), embedder(lib), k, services, exclude)


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
    notes: list[str] = Field(default_factory=list, description="how the summary was written (model, fallback)")


def trends(lib: Library, by: str = "quarter", mttr: MttrDefinition = "started-to-resolved",
           since: dt.date | None = None, until: dt.date | None = None, service: str | None = None,
           window_days: int = 90, use_model: bool | None = None) -> Trends:
    """The figures (computed once per index generation and arguments), with the summary a model
    writes when one is configured (its numbers checked against the table), else the template."""
    args = (by, mttr, since, until, service, window_days)
    base = lib.derived(("trends", *args), lambda: compute_trends(lib.documents(), embedder(lib), *args))
    result = base.model_copy(deep=True)

    def written() -> str:
        text, removed = model_summary(lib.settings, result)
        if removed:
            result.notes.append(f"removed {len(removed)} summary sentence(s) with numbers not in the table")
        return text

    result.summary, fallback = with_model(lib.settings, written, lambda: result.summary,
                                          "the summary below is the template", use=use_model)
    if fallback:
        result.notes.append(f"Note: {fallback}.")
    return result


def compute_trends(docs: list[Document], embed: Callable[[list[str]], np.ndarray], by: str = "quarter",
                   mttr: MttrDefinition = "started-to-resolved", since: dt.date | None = None,
                   until: dt.date | None = None, service: str | None = None, window_days: int = 90,
                   vectors: dict[str, np.ndarray] | None = None) -> Trends:
    recs = records(docs, since, until, service)
    keep = {r.id for r in recs}
    changed, known, share = change_share(recs)
    cached = MemoEmbedder(_Raw(embed), size=100_000)  # clustering and action items embed the same texts
    cached.seed(vectors or {})

    result = Trends(
        by=by, mttr_definition=mttr, incidents=len(recs), periods=periods(recs, by, mttr),
        repeats=repeats(recs, window_days), repeat_window_days=window_days, change_related=changed,
        with_known_trigger=known, change_related_share=share,
        actions=summarise([d for d in docs if d.id in keep], cached),
        clusters=cluster(recs, cached)[0],
    )
    result.summary = summary_text(result)
    return result


class _Raw:
    """A bare embedding function seen as an embedder (for ``MemoEmbedder``)."""

    model_id = "callable"

    def __init__(self, embed: Callable[[list[str]], np.ndarray]) -> None:
        self.embed = embed


def model_summary(settings: Settings, t: Trends, model: object = None) -> tuple[str, list[str]]:
    """A model writes the summary from the computed table; sentences with numbers that are not in
    the table are removed (returned second). Falls back to the template when nothing survives."""
    from langchain_core.messages import HumanMessage, SystemMessage  # only when a model writes

    from assistant.llm.providers import chat_model, translate_model_errors

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
