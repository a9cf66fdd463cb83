"""Action items across postmortems: open vs closed, the oldest open, and later incidents whose
root cause matches an earlier incident's still-open action item."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pydantic import BaseModel

from assistant.models import Document, Kind

MATCH_THRESHOLD = 0.5
CAUSE_CHARS = 400  # the same text the clustering embeds, so each is embedded once


class OpenItem(BaseModel):
    incident: str
    date: str | None
    text: str
    owner: str | None


class Recurrence(BaseModel):
    earlier: str
    action_item: str
    later: str
    cause_category: str
    services: list[str]
    similarity: float


class ActionSummary(BaseModel):
    open: int
    closed: int
    unknown: int
    oldest_open: list[OpenItem]
    recurrences: list[Recurrence]


def summarise(docs: list[Document], embed: Callable[[list[str]], np.ndarray], oldest: int = 5,
              threshold: float = MATCH_THRESHOLD) -> ActionSummary:
    pms = sorted((d for d in docs if d.kind is Kind.postmortem and d.postmortem), key=lambda d: (d.date or 0, d.id))  # type: ignore[arg-type,return-value]
    items = [(d, a) for d in pms for a in d.postmortem.action_items]  # type: ignore[union-attr]
    open_items = [(d, a) for d, a in items if a.status == "open"]
    summary = ActionSummary(
        open=len(open_items), closed=sum(1 for _, a in items if a.status == "closed"),
        unknown=sum(1 for _, a in items if a.status is None),
        oldest_open=[OpenItem(incident=d.id, date=str(d.date) if d.date else None, text=a.text, owner=a.owner)
                     for d, a in open_items[:oldest]],
        recurrences=[],
    )
    if not open_items:
        return summary
    later_text = {d.id: f"{d.title}. {(d.postmortem.root_cause or '')[:CAUSE_CHARS]}" for d in pms}  # type: ignore[union-attr]
    item_vecs = embed([a.text for _, a in open_items])
    doc_ids = list(later_text)
    doc_vecs = dict(zip(doc_ids, embed([later_text[i] for i in doc_ids]), strict=True))
    for (earlier, item), iv in zip(open_items, item_vecs, strict=True):
        for later in pms:
            if later.date is None or earlier.date is None or later.date <= earlier.date:
                continue
            shared = sorted(set(earlier.services) & set(later.services))
            cause = earlier.postmortem.cause_category  # type: ignore[union-attr]
            if not shared or cause is None or later.postmortem.cause_category != cause:  # type: ignore[union-attr]
                continue
            sim = float(np.dot(iv, doc_vecs[later.id]))
            if sim >= threshold:
                summary.recurrences.append(Recurrence(earlier=earlier.id, action_item=item.text, later=later.id,
                                                      cause_category=cause, services=shared, similarity=round(sim, 3)))
    return summary
