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
from assistant.models import DocSummary, Kind, SearchFilters, SearchHit, SearchResult, Status
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


def _mask(lex: lexical.LexicalIndex, f: SearchFilters) -> np.ndarray:
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


def _split(value: object) -> list[str]:
    return [x for x in str(value or "").split(",") if x]


class Retriever:
    """Opens the store once; ``search`` is safe to call from several threads."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = get_embedder(settings)
        self.store = store or Store(settings, self.embedder, create=False)
        self._docs: tuple[str, dict[str, DocSummary]] | None = None

    def close(self) -> None:
        self.store.close()

    def documents(self) -> dict[str, DocSummary]:
        """Every indexed document's summary (resolved links), cached per store generation."""
        gen = self.store.generation()
        if self._docs is None or self._docs[0] != gen:
            from assistant.catalog import summarise
            from assistant.index.indexer import load_documents

            self._docs = (gen, {d.id: summarise(d) for d in load_documents(self.store)})
        return self._docs[1]

    def unknown_terms(self, query: str) -> list[str]:
        return self._lexical().unknown_terms(query)

    def document_chunks(self, doc_id: str) -> list[SearchHit]:
        """All chunks of one document, in document order."""
        got = self.store.chunks_of(doc_id)
        hits = [self._hit(cid, text, meta, score=0.0) for cid, (text, meta) in got.items()]
        return sorted(hits, key=lambda h: (h.line_start, h.chunk_id))

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

    @staticmethod
    def _hit(cid: str, text: str, m: dict[str, Any], score: float, dense: int | None = None,
             lexical: int | None = None) -> SearchHit:
        return SearchHit(
            chunk_id=cid, doc_id=str(m.get("doc_id")), title=str(m.get("title", "")),
            kind=Kind(m.get("kind", "generic")), status=Status(m.get("status", "unknown")),
            date=dt.date.fromisoformat(m["date"]) if m.get("date") else None, services=_split(m.get("services")),
            section=str(m.get("section", "")), path=str(m.get("path", "")), line_start=int(m.get("line_start") or 0),
            line_end=int(m.get("line_end") or 0), text=text, score=round(score, 6), dense_rank=dense,
            lexical_rank=lexical, superseded_by=_split(m.get("superseded_by")),
        )

    def search(self, query: str, filters: SearchFilters | None = None, k: int = 8,
               pool: int | None = None) -> SearchResult:
        filters = filters or SearchFilters()
        n = pool or max(50, 5 * k)
        qvec = self.embedder.embed([query])[0]
        dense_ids, _ = self.store.query(qvec, n, _where(filters))
        lex = self._lexical()
        scores = lex.scores(query)
        if any((filters.kind, filters.status, filters.since, filters.until, filters.service)):
            scores = np.where(_mask(lex, filters), scores, 0.0)
        # top-n in O(N) (argpartition), then sort only those n
        if len(scores) > n:
            part = np.argpartition(-scores, n)[:n]
            top = part[np.argsort(-scores[part], kind="stable")]
        else:
            top = np.argsort(-scores, kind="stable")
        lex_ids = [lex.ids[i] for i in top if scores[i] > 0]

        fused: dict[str, float] = {}
        dense_rank = {cid: r for r, cid in enumerate(dense_ids, 1)}
        lex_rank = {cid: r for r, cid in enumerate(lex_ids, 1)}
        for ranks in (dense_rank, lex_rank):
            for cid, r in ranks.items():
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + r)
        best = sorted(fused, key=lambda c: (-fused[c], c))[:k]
        got = self.store.get_chunks(best)
        hits = [self._hit(cid, *got[cid], score=fused[cid], dense=dense_rank.get(cid), lexical=lex_rank.get(cid))
                for cid in best if cid in got]  # a chunk deleted by a concurrent re-index is skipped
        return SearchResult(query=query, filters=filters, hits=hits)
