"""Hybrid retrieval: dense (Chroma) + lexical (bm25s), fused with reciprocal rank fusion.

Metadata filters (kind, status, date range, service) apply to both halves before fusion.
Hits carry their document's status and, for a superseded ADR, its successor(s). The opened
index (``index.library.Library``) owns the store, the embedder and the lexical index and calls
``hybrid_search``; this module is the ranking alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.index.lexical import LexicalIndex
from assistant.index.store import Store
from assistant.models import ChunkMeta, SearchFilters, SearchHit, SearchResult

RRF_K = 60


def where_clause(f: SearchFilters) -> dict[str, Any] | None:
    """The filters as a Chroma ``where`` clause."""
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


def lexical_mask(lex: LexicalIndex, f: SearchFilters) -> np.ndarray:
    """The filters over the lexical index's chunks, as a boolean array."""
    keep = np.ones(len(lex.ids), dtype=bool)
    if f.kind:
        keep &= lex.column("kind") == f.kind.value
    if f.status:
        keep &= lex.column("status") == f.status.value
    if f.since or f.until:
        d = lex.column("date_num")
        if f.since:
            keep &= d >= int(f.since.strftime("%Y%m%d"))
        if f.until:
            keep &= (d > 0) & (d <= int(f.until.strftime("%Y%m%d")))
    if f.service:
        keep &= lex.column(f"svc:{f.service.lower()}")
    return keep


def to_hit(cid: str, text: str, m: ChunkMeta, score: float, dense: int | None = None,
           lexical: int | None = None) -> SearchHit:
    return SearchHit(
        chunk_id=cid, doc_id=m.doc_id, title=m.title, kind=m.kind, status=m.status, date=m.date, services=m.services,
        section=m.section, path=m.path, line_start=m.line_start, line_end=m.line_end, location=m.location, text=text,
        score=round(score, 6), dense_rank=dense, lexical_rank=lexical, superseded_by=m.superseded_by,
    )


def top_lexical(lex: LexicalIndex, query: str, filters: SearchFilters, n: int) -> list[str]:
    """The ``n`` best chunk ids by BM25 (zero scores left out)."""
    scores = lex.scores(query)
    if any((filters.kind, filters.status, filters.since, filters.until, filters.service)):
        scores = np.where(lexical_mask(lex, filters), scores, 0.0)
    # top-n in O(N) (argpartition), then sort only those n
    if len(scores) > n:
        part = np.argpartition(-scores, n)[:n]
        top = part[np.argsort(-scores[part], kind="stable")]
    else:
        top = np.argsort(-scores, kind="stable")
    return [lex.ids[i] for i in top if scores[i] > 0]


def fuse(*rankings: list[str]) -> tuple[dict[str, float], list[dict[str, int]]]:
    """Reciprocal rank fusion: each id's summed 1 / (RRF_K + rank), and each ranking's ranks."""
    ranks = [{cid: r for r, cid in enumerate(ids, 1)} for ids in rankings]
    fused: dict[str, float] = {}
    for rank in ranks:
        for cid, r in rank.items():
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
    return fused, ranks


def hybrid_search(store: Store, lex: LexicalIndex, qvec: Any, query: str, filters: SearchFilters, k: int,
                  pool: int) -> SearchResult:
    dense_ids, _ = store.query(qvec, pool, where_clause(filters))
    lex_ids = top_lexical(lex, query, filters, pool)
    fused, (dense_rank, lex_rank) = fuse(dense_ids, lex_ids)
    best = sorted(fused, key=lambda c: (-fused[c], c))[:k]
    got = store.get_chunks(best)
    hits = [to_hit(cid, *got[cid], score=fused[cid], dense=dense_rank.get(cid), lexical=lex_rank.get(cid))
            for cid in best if cid in got]  # a chunk deleted by a concurrent re-index is skipped
    return SearchResult(query=query, filters=filters, hits=hits)
