"""`archie incidents similar`: the past incidents most like a description or a draft postmortem,
and why (shared cause, services, mechanism words), cited."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from pydantic import BaseModel

from assistant.documents.postmortem import cause_from, trigger_from_text
from assistant.incidents.clusters import cause_text
from assistant.incidents.records import IncidentRecord
from assistant.text import query_terms


class Match(BaseModel):
    id: str
    title: str
    date: str | None
    similarity: float
    shared_services: list[str]
    shared_cause: str | None
    shared_terms: list[str]
    why: str


def similar(text: str, recs: list[IncidentRecord], embed: Callable[[list[str]], np.ndarray], k: int = 5,
            services: list[str] | None = None, exclude: str | None = None) -> list[Match]:
    pool = [r for r in recs if r.id != exclude]
    if not pool or not text.strip():
        return []
    vecs = embed([text] + [cause_text(r) for r in pool])
    sims = vecs[1:] @ vecs[0]
    known = {s for r in pool for s in r.services}
    mentioned = set(services or []) | {s for s in known if re.search(rf"\b{re.escape(s)}\b", text, re.I)}
    trigger, _ = trigger_from_text(text)
    cause = cause_from(trigger or "other", None, text, None) if trigger else cause_from(None, None, text, None)
    def words_of(t: str) -> set[str]:
        return {w for w in query_terms(t, min_len=4) if w[0].isalpha()}

    words = words_of(text)
    out: list[Match] = []
    for i in np.argsort(-sims)[:k]:
        r = pool[int(i)]
        shared_svc = sorted(mentioned & set(r.services))
        shared_cause = r.cause_category if cause and r.cause_category == cause else None
        terms = sorted(words & words_of(cause_text(r)))[:6]
        reasons = []
        if shared_cause:
            reasons.append(f"same cause ({shared_cause})")
        if shared_svc:
            reasons.append(f"same service ({', '.join(shared_svc)})")
        if terms:
            reasons.append(f"shared terms: {', '.join(terms)}")
        out.append(Match(id=r.id, title=r.title, date=str(r.date) if r.date else None, similarity=round(float(sims[i]), 3),
                         shared_services=shared_svc, shared_cause=shared_cause, shared_terms=terms,
                         why="; ".join(reasons) or "similar wording"))
    return out
