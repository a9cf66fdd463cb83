"""What is indexed: list documents and show one, with resolved ADR links."""

from __future__ import annotations

from assistant.errors import DocumentNotFound
from assistant.index.embeddings import get_embedder
from assistant.index.indexer import load_documents
from assistant.index.store import Store
from assistant.models import DocSummary, Document, Kind
from assistant.settings import Settings


def _store(settings: Settings) -> Store:
    return Store(settings, get_embedder(settings), create=False)


def summarise(doc: Document, chunks: int = 0) -> DocSummary:
    return DocSummary(
        id=doc.id, title=doc.title, kind=doc.kind, status=doc.status, date=doc.date, services=doc.services,
        path=doc.path, supersedes=doc.adr.supersedes if doc.adr else [],
        superseded_by=doc.adr.superseded_by if doc.adr else [], chunks=chunks,
    )


def all_documents(settings: Settings) -> list[Document]:
    """Every indexed document, parsed, with resolved links (for jobs that analyse them all)."""
    with _store(settings) as store:
        return load_documents(store)


def list_documents(settings: Settings, kind: Kind | None = None, store: Store | None = None) -> list[DocSummary]:
    if store is None:
        with _store(settings) as own:
            return list_documents(settings, kind, own)
    docs = load_documents(store)
    rows = [summarise(d) for d in docs if kind is None or d.kind is kind]
    return sorted(rows, key=lambda r: (r.kind.value, r.id))


def get_document(settings: Settings, doc_id: str, store: Store | None = None) -> Document:
    if store is None:
        with _store(settings) as own:
            return get_document(settings, doc_id, own)
    docs = {d.id: d for d in load_documents(store)}
    if doc_id in docs:
        return docs[doc_id]
    folded = {k.lower(): k for k in docs}
    if doc_id.lower() in folded:
        return docs[folded[doc_id.lower()]]
    close = sorted(k for k in docs if doc_id.lower() in k.lower())[:5]
    hint = f"did you mean: {', '.join(close)}?" if close else None
    raise DocumentNotFound(f"no indexed document has id {doc_id!r}", hint)
