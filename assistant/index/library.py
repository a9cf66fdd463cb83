"""The read side of the index: one object, the opened library, that every job takes first.

``Library`` owns the store, the embedder (memoised, and saved beside the index so a new process
does not re-embed what an earlier one did), the lexical index and every view derived from the
indexed documents. Views are computed once per index generation (the stamp the indexer changes
whenever chunks change, also from another process), so a worker that keeps one ``Library``
always answers from the current index. The CLI opens one per command; the API one per worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assistant.errors import DocumentNotFound
from assistant.index import lexical
from assistant.index.embeddings import MemoEmbedder, get_embedder
from assistant.index.search import hybrid_search, to_hit
from assistant.index.store import Store
from assistant.models import DocSummary, Document, Kind, SearchFilters, SearchHit, SearchResult
from assistant.settings import Settings

T = TypeVar("T")


def summarise(doc: Document, chunks: int = 0) -> DocSummary:
    return DocSummary(
        id=doc.id, title=doc.title, kind=doc.kind, status=doc.status, date=doc.date, services=doc.services,
        path=doc.path, supersedes=doc.adr.supersedes if doc.adr else [],
        superseded_by=doc.adr.superseded_by if doc.adr else [], chunks=chunks,
    )


class _View:
    """Everything derived from one generation of the index."""

    def __init__(self, generation: str, docs: list[Document]) -> None:
        self.generation = generation
        self.docs = {d.id: d for d in docs}
        self.summaries = {d.id: summarise(d) for d in docs}
        self.derived: dict[tuple[Any, ...], Any] = {}


class Library:
    """The opened index. Raises ``NoIndexError`` when nothing is indexed yet. Thread-safe."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = get_embedder(settings)
        self.store = store or Store(settings, self.embedder, create=False)
        safe_model = self.embedder.model_id.replace("/", "_").replace(":", "_")
        self.embed = MemoEmbedder(self.embedder, path=self.cache_dir / f"vectors-{safe_model}.npz")
        self._lock = threading.RLock()
        self._view: _View | None = None

    def close(self) -> None:
        self.embed.save()
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def cache_dir(self) -> Path:
        return self.settings.home / "cache"

    # -- documents, per generation --
    def generation(self) -> str:
        return self.store.generation()

    def _current(self) -> _View:
        gen = self.store.generation()
        view = self._view
        if view is not None and view.generation == gen:
            return view
        with self._lock:
            if self._view is None or self._view.generation != gen:
                docs = [e.document() for e in self.store.registry().values()]
                self._view = _View(gen, docs)
            return self._view

    def documents(self, kind: Kind | None = None) -> list[Document]:
        """Every indexed document with its resolved status and links (shared: do not modify)."""
        return [d for d in self._current().docs.values() if kind is None or d.kind is kind]

    def summaries(self) -> dict[str, DocSummary]:
        return self._current().summaries

    def list_documents(self, kind: Kind | None = None) -> list[DocSummary]:
        rows = [s for s in self.summaries().values() if kind is None or s.kind is kind]
        return sorted(rows, key=lambda r: (r.kind.value, r.id))

    def document(self, doc_id: str) -> Document:
        docs = self._current().docs
        if doc_id in docs:
            return docs[doc_id]
        folded = {k.lower(): k for k in docs}
        if doc_id.lower() in folded:
            return docs[folded[doc_id.lower()]]
        close = sorted(k for k in docs if doc_id.lower() in k.lower())[:5]
        hint = f"did you mean: {', '.join(close)}?" if close else None
        raise DocumentNotFound(f"no indexed document has id {doc_id!r}", hint)

    def derived(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """``make()`` computed once per index generation and ``key`` (trends, precedent, ...)."""
        view = self._current()
        if key not in view.derived:
            if len(view.derived) > 64:
                view.derived.clear()
            view.derived[key] = make()
        return view.derived[key]  # type: ignore[no-any-return]

    # -- chunks and search --
    def chunks(self, doc_id: str) -> list[SearchHit]:
        """All chunks of one document, in document order."""
        got = self.store.chunks_of(doc_id)
        hits = [to_hit(cid, text, meta, score=0.0) for cid, (text, meta) in got.items()]
        return sorted(hits, key=lambda h: (h.line_start, h.chunk_id))

    def chunk_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        return {k: np.asarray(v, dtype=np.float32) for k, v in self.store.get_embeddings(chunk_ids).items()}

    def lexical(self) -> lexical.LexicalIndex:
        def rebuild() -> lexical.LexicalIndex:
            gen = self.store.generation()
            ids, metas, texts = self.store.all_chunks(with_text=True)
            joined = [f"{m.title} {m.section}\n{t}" for m, t in zip(metas, texts, strict=True)]
            return lexical.LexicalIndex.build(ids, joined, metas, gen)

        return lexical.current(self.settings.lexical_dir, self.store.generation(), rebuild)

    def unknown_terms(self, query: str) -> list[str]:
        """Query terms (stemmed) that occur nowhere in the indexed text."""
        return self.lexical().unknown_terms(query)

    def search(self, query: str, filters: SearchFilters | None = None, k: int = 8,
               pool: int | None = None) -> SearchResult:
        """Hybrid search (dense + BM25, fused); safe to call from several threads."""
        filters = filters or SearchFilters()
        qvec = self.embedder.embed([query])[0]  # questions rarely repeat: not memoised
        return hybrid_search(self.store, self.lexical(), qvec, query, filters, k, pool or max(50, 5 * k))
