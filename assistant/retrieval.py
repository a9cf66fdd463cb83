"""Hybrid retrieval: dense (Chroma) + lexical (bm25s), fused with reciprocal rank fusion.

Metadata filters (kind, status, date range, service) apply to both halves before fusion.
Hits carry their document's status and, for a superseded ADR, its successor(s).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from assistant.index import lexical
from assistant.index.embeddings import get_embedder
from assistant.index.store import Store
from assistant.models import Kind, SearchFilters, SearchHit, SearchResult, Status
from assistant.settings import Settings

RRF_K = 60


def _where(f: SearchFilters) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if f.kind:
        clauses.append({"kind": f.kind.value})
    if f.status:
        clauses.append({"status": f.status.value})
    if f.since:
        clauses.append({"date_num": {"$gte": int(f.since.strftime("%Y%m%d"))}})
    if f.until:
        clauses.append({"date_num": {"$lte": int(f.until.strftime("%Y%m%d"))}})
    if f.service:
        clauses.append({f"svc_{f.service.lower()}": True})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _mask(metas: list[dict[str, Any]], f: SearchFilters) -> np.ndarray:
    keep = np.ones(len(metas), dtype=bool)
    if not any((f.kind, f.status, f.since, f.until, f.service)):
        return keep
    since = int(f.since.strftime("%Y%m%d")) if f.since else None
    until = int(f.until.strftime("%Y%m%d")) if f.until else None
    svc = f.service.lower() if f.service else None
    for i, m in enumerate(metas):
        d = int(m.get("date_num") or 0)
        if (
            (f.kind and m.get("kind") != f.kind.value)
            or (f.status and m.get("status") != f.status.value)
            or (since is not None and (not d or d < since))
            or (until is not None and (not d or d > until))
            or (svc and svc not in str(m.get("services") or "").split(","))
        ):
            keep[i] = False
    return keep


class Retriever:
    """Opens the store once; ``search`` is safe to call from several threads."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = get_embedder(settings)
        self.store = store or Store(settings, self.embedder, create=False)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Retriever:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _lexical(self) -> lexical.LexicalIndex:
        def rebuild() -> lexical.LexicalIndex:
            gen = self.store.generation()
            ids, metas, docs = self.store.all_chunk_meta(with_documents=True)
            texts = [f"{m.get('title', '')} {m.get('section', '')}\n{d}" for m, d in zip(metas, docs, strict=True)]
            return lexical.LexicalIndex.build(ids, texts, metas, gen)

        return lexical.current(self.settings.lexical_dir, self.store.generation(), rebuild)

    def search(self, query: str, filters: SearchFilters | None = None, k: int = 8,
               pool: int | None = None) -> SearchResult:
        filters = filters or SearchFilters()
        n = pool or max(50, 5 * k)
        qvec = self.embedder.embed([query])[0]
        dense_ids, _ = self.store.query(qvec, n, _where(filters))
        lex = self._lexical()
        scores = lex.scores(query)
        scores = np.where(_mask(lex.metas, filters), scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:n]
        lex_ids = [lex.ids[i] for i in top if scores[i] > 0]

        fused: dict[str, float] = {}
        dense_rank = {cid: r for r, cid in enumerate(dense_ids, 1)}
        lex_rank = {cid: r for r, cid in enumerate(lex_ids, 1)}
        for ranks in (dense_rank, lex_rank):
            for cid, r in ranks.items():
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
        best = sorted(fused, key=lambda c: (-fused[c], c))[:k]
        got = self.store.get_chunks(best)
        hits = []
        for cid in best:
            if cid not in got:
                continue  # deleted by a concurrent re-index between the two reads
            text, m = got[cid]
            hits.append(
                SearchHit(
                    chunk_id=cid,
                    doc_id=str(m.get("doc_id")),
                    title=str(m.get("title", "")),
                    kind=Kind(m.get("kind", "generic")),
                    status=Status(m.get("status", "unknown")),
                    date=dt.date.fromisoformat(m["date"]) if m.get("date") else None,
                    services=[s for s in str(m.get("services") or "").split(",") if s],
                    section=str(m.get("section", "")),
                    path=str(m.get("path", "")),
                    line_start=int(m.get("line_start") or 0),
                    line_end=int(m.get("line_end") or 0),
                    text=text,
                    score=round(fused[cid], 6),
                    dense_rank=dense_rank.get(cid),
                    lexical_rank=lex_rank.get(cid),
                    superseded_by=[s for s in str(m.get("superseded_by") or "").split(",") if s],
                )
            )
        return SearchResult(query=query, filters=filters, hits=hits)
