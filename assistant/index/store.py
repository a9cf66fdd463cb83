"""The Chroma store: a chunk collection (vectors + text + metadata) and a document
registry collection (one record per document: parsed JSON, file hash, chunk ids).

Chroma is the single source of truth, so several API workers sharing a Chroma server
see the same index. ``PersistentClient`` in ``.archie/chroma`` by default;
``HttpClient`` when ``CHROMA_HOST`` is set. Telemetry is always off.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from assistant.errors import ArchieError, EmbeddingMismatchError, NoIndexError, StoreUnavailable
from assistant.settings import Settings

PARSER_VERSION = "1"
_PAGE = 5000


@contextmanager
def translate_chroma_errors(where: str = "the Chroma store") -> Iterator[None]:
    """Chroma (and its HTTP transport) errors -> ``StoreUnavailable`` / ``EmbeddingMismatchError``."""
    try:
        yield
    except ArchieError:
        raise
    except Exception as exc:
        mod = type(exc).__module__
        text = str(exc)
        if "Embedding function conflict" in text or ("embedding function" in text.lower() and "conflict" in text.lower()):
            raise EmbeddingMismatchError(f"{where} was built with another embedding function ({text})") from exc
        if mod.startswith(("chromadb", "httpx", "httpcore")) or isinstance(exc, ConnectionError) or (
            isinstance(exc, ValueError) and "Could not connect" in text
        ):
            raise StoreUnavailable(f"{where} failed: {text.splitlines()[0] if text else type(exc).__name__}") from exc
        raise


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    with translate_chroma_errors(f"Chroma at {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "the local Chroma store"):
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class Store:
    """Both collections, opened lazily. ``create=False`` raises ``NoIndexError`` if absent."""

    def __init__(self, settings: Settings, embedder: Any, create: bool = False) -> None:
        self.settings = settings
        self.embedder = embedder
        self.client = make_client(settings)
        self.chunks_name = f"{settings.collection}-chunks"
        self.docs_name = f"{settings.collection}-docs"
        with translate_chroma_errors():
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
            if not create and self.chunks_name not in names:
                raise NoIndexError("no index yet" + (f" in {settings.home}" if not settings.chroma_host else f" on Chroma {settings.chroma_host}"))
            if self.chunks_name in names:
                meta = self.client.get_collection(self.chunks_name).metadata or {}
                built = meta.get("embedding_model")
                if built and built != embedder.model_id:
                    raise EmbeddingMismatchError(
                        f"the index was built with embedding model {built!r}, but {embedder.model_id!r} is configured"
                    )
            self.chunks = self.client.get_or_create_collection(
                self.chunks_name,
                embedding_function=embedder,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": embedder.model_id, "generation": uuid.uuid4().hex},
            )
            self.docs = self.client.get_or_create_collection(
                self.docs_name, embedding_function=embedder, metadata={"kind": "archie-registry"}
            )

    def close(self) -> None:
        """Release the client (HTTP connections, SQLite handles)."""
        # chromadb's HTTP API keeps an httpx session that client.close() leaves open
        for owner in (self.client, getattr(self.client, "_admin_client", None)):
            session = getattr(getattr(owner, "_server", None), "_session", None)
            if session is not None:
                with contextlib.suppress(Exception):
                    session.close()
        close = getattr(self.client, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generation: changes whenever the chunk set changes (lexical cache key) --
    def generation(self) -> str:
        with translate_chroma_errors():
            meta = self.client.get_collection(self.chunks_name).metadata or {}
        return str(meta.get("generation", ""))

    def bump_generation(self) -> str:
        gen = uuid.uuid4().hex
        with translate_chroma_errors():
            self.chunks.modify(metadata={"embedding_model": self.embedder.model_id, "generation": gen})
        return gen

    # -- chunks --
    def chunk_count(self) -> int:
        with translate_chroma_errors():
            return int(self.chunks.count())

    def all_chunk_meta(self, with_documents: bool = False) -> tuple[list[str], list[dict[str, Any]], list[str]]:
        ids: list[str] = []
        metas: list[dict[str, Any]] = []
        docs: list[str] = []
        include = ["metadatas", "documents"] if with_documents else ["metadatas"]
        offset = 0
        with translate_chroma_errors():
            while True:
                page = self.chunks.get(include=include, limit=_PAGE, offset=offset)
                ids += page["ids"]
                metas += [dict(m or {}) for m in page["metadatas"]]
                if with_documents:
                    docs += list(page["documents"])
                if len(page["ids"]) < _PAGE:
                    break
                offset += _PAGE
        return ids, metas, docs

    def upsert_chunks(self, ids: Sequence[str], embeddings: Any, documents: Sequence[str],
                      metadatas: Sequence[dict[str, Any]]) -> None:
        if not ids:
            return
        with translate_chroma_errors():
            self.chunks.upsert(ids=list(ids), embeddings=embeddings, documents=list(documents),
                               metadatas=list(metadatas))

    def update_chunk_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        if ids:
            with translate_chroma_errors():
                self.chunks.update(ids=list(ids), metadatas=list(metadatas))

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, Any]:
        if not ids:
            return {}
        with translate_chroma_errors():
            got = self.chunks.get(ids=list(ids), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def delete_chunks(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        with translate_chroma_errors():
            for i in range(0, len(ids), _PAGE):
                self.chunks.delete(ids=ids[i : i + _PAGE])

    def query(self, embedding: Any, n: int, where: dict[str, Any] | None) -> tuple[list[str], list[float]]:
        with translate_chroma_errors():
            total = self.chunks.count()
            if total == 0:
                return [], []
            res = self.chunks.query(query_embeddings=[embedding], n_results=min(n, total), where=where or None,
                                    include=["distances"])
        return res["ids"][0], res["distances"][0]

    def chunks_of(self, doc_id: str) -> dict[str, tuple[str, dict[str, Any]]]:
        with translate_chroma_errors():
            got = self.chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        return {i: (d, dict(m or {})) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    def get_chunks(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not ids:
            return {}
        with translate_chroma_errors():
            got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: (d, dict(m or {})) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    # -- document registry --
    def registry(self) -> dict[str, dict[str, Any]]:
        """doc id -> {"meta": registry metadata, "record": parsed JSON record}."""
        out: dict[str, dict[str, Any]] = {}
        offset = 0
        with translate_chroma_errors():
            while True:
                page = self.docs.get(include=["metadatas", "documents"], limit=_PAGE, offset=offset)
                for i, m, d in zip(page["ids"], page["metadatas"], page["documents"], strict=True):
                    out[i] = {"meta": dict(m or {}), "record": json.loads(d)}
                if len(page["ids"]) < _PAGE:
                    break
                offset += _PAGE
        return out

    def put_docs(self, records: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Upsert registry entries: id -> (metadata, JSON-able record)."""
        if not records:
            return
        ids = list(records)
        with translate_chroma_errors():
            self.docs.upsert(
                ids=ids,
                embeddings=[[1.0]] * len(ids),
                metadatas=[records[i][0] for i in ids],
                documents=[json.dumps(records[i][1], default=str) for i in ids],
            )

    def update_doc_meta(self, metas: dict[str, dict[str, Any]]) -> None:
        if metas:
            with translate_chroma_errors():
                self.docs.update(ids=list(metas), metadatas=list(metas.values()))

    def delete_docs(self, ids: Sequence[str]) -> None:
        if ids:
            with translate_chroma_errors():
                self.docs.delete(ids=list(ids))

    def drop(self) -> None:
        with translate_chroma_errors():
            for name in (self.chunks_name, self.docs_name):
                try:
                    self.client.delete_collection(name)
                except Exception as exc:  # absent already
                    if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
                        raise
