"""The Chroma store: a chunk collection (vectors + text + ``ChunkMeta``) and a document registry
collection (one ``RegistryEntry`` per document: parsed JSON, file hash, chunk ids).

Chroma is the single source of truth, so several API workers sharing a Chroma server see the
same index. ``PersistentClient`` in ``.archie/chroma`` by default; ``HttpClient`` when
``CHROMA_HOST`` is set. Telemetry is always off. Writes are split to the store's max batch size.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from assistant.errors import ArchieError, EmbeddingMismatchError, NoIndexError, StoreUnavailable
from assistant.index.embeddings import MiniLMEmbedding, OpenAIEmbedding
from assistant.models import ChunkMeta, RegistryEntry
from assistant.settings import Settings

PARSER_VERSION = "2"
_PAGE = 5000


def _unavailable_types() -> tuple[type[BaseException], ...]:
    import httpx
    from chromadb.errors import ChromaError

    return (httpx.TransportError, ChromaError, ConnectionError, TimeoutError)


def _cause_of(exc: BaseException, types: tuple[type[BaseException], ...]) -> BaseException | None:
    """``exc`` or the exception it was raised from or while handling, if one is of ``types``
    (chromadb re-raises a refused connection as a plain ValueError inside ``except``)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, types):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return None


@contextmanager
def translate_chroma_errors(where: str = "the Chroma store") -> Iterator[None]:
    """Chroma and transport errors (by type) -> ``StoreUnavailable``; anything else is a bug."""
    try:
        yield
    except ArchieError:
        raise
    except Exception as exc:
        cause = _cause_of(exc, _unavailable_types())
        if cause is None:
            raise
        text = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        raise StoreUnavailable(f"{where} failed: {text}") from exc


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    where = f"Chroma at {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "the local Chroma store"
    with translate_chroma_errors(where):
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


@lru_cache(maxsize=1)
def _adapters() -> dict[str, type]:
    """Chroma embedding-function classes around archie's embedders, registered under the names
    the index records (so an index opened later finds them); made on first use, with Chroma."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    def adapter(embedder_cls: type) -> type:
        class Adapter(EmbeddingFunction[Documents]):
            def __init__(self, embedder: Any) -> None:
                self.embedder = embedder

            def __call__(self, input: Documents) -> Embeddings:
                return list(self.embedder.embed(list(input)))

            @staticmethod
            def name() -> str:
                return str(embedder_cls.name())

            def get_config(self) -> dict[str, Any]:
                return dict(self.embedder.get_config())

            @staticmethod
            def build_from_config(config: dict[str, Any]) -> Any:
                return Adapter(embedder_cls.build_from_config(config))

            def default_space(self) -> str:  # type: ignore[override]
                return "cosine"

            def supported_spaces(self) -> list[str]:  # type: ignore[override]
                return ["cosine", "ip", "l2"]

            def is_legacy(self) -> bool:
                return False

        Adapter.__name__ = Adapter.__qualname__ = f"Chroma{embedder_cls.__name__}"
        return register_embedding_function(Adapter)  # type: ignore[no-any-return]

    return {cls.name(): adapter(cls) for cls in (MiniLMEmbedding, OpenAIEmbedding)}


def chroma_function(embedder: Any) -> Any:
    """The embedder as a Chroma embedding function."""
    return _adapters()[embedder.name()](embedder)


def _batches(items: Sequence[Any], size: int) -> Iterator[slice]:
    for start in range(0, len(items), size):
        yield slice(start, start + size)


class Store:
    """Both collections, opened lazily. ``create=False`` raises ``NoIndexError`` if absent."""

    def __init__(self, settings: Settings, embedder: Any, create: bool = False) -> None:
        self.settings = settings
        self.embedder = embedder
        self.client = make_client(settings)
        _adapters()  # registered before Chroma reads a collection's configuration
        self.chunks_name = f"{settings.collection}-chunks"
        self.docs_name = f"{settings.collection}-docs"
        with translate_chroma_errors():
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
            if not create and self.chunks_name not in names:
                raise NoIndexError("no index yet" + (f" in {settings.home}" if not settings.chroma_host else f" on Chroma {settings.chroma_host}"))
            if self.chunks_name in names:
                self._check_model(self.client.get_collection(self.chunks_name))
            self.chunks = self.client.get_or_create_collection(
                self.chunks_name,
                embedding_function=chroma_function(embedder),
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": embedder.model_id, "generation": uuid.uuid4().hex},
            )
            self.docs = self.client.get_or_create_collection(
                self.docs_name, embedding_function=chroma_function(embedder), metadata={"kind": "archie-registry"}
            )
            self.max_batch = max(1, min(_PAGE, int(self.client.get_max_batch_size())))

    def _check_model(self, collection: Any) -> None:
        """The index must be queried with the model that built it (Chroma would refuse a different
        embedding function; archie says what to do instead)."""
        built = (collection.metadata or {}).get("embedding_model")
        if built and built != self.embedder.model_id:
            raise EmbeddingMismatchError(
                f"the index was built with embedding model {built!r}, but {self.embedder.model_id!r} is configured")
        ef = (getattr(collection, "configuration_json", None) or {}).get("embedding_function") or {}
        if ef.get("name") and ef["name"] != self.embedder.name():
            raise EmbeddingMismatchError(
                f"the index was built with embedding function {ef['name']!r}, but {self.embedder.name()!r} is configured")

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

    # -- generation: changes whenever the chunk set changes (cache key of every derived view) --
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

    def all_chunks(self, with_text: bool = False) -> tuple[list[str], list[ChunkMeta], list[str]]:
        """Every chunk's id and metadata (and text), paged."""
        ids: list[str] = []
        metas: list[ChunkMeta] = []
        texts: list[str] = []
        include = ["metadatas", "documents"] if with_text else ["metadatas"]
        offset = 0
        with translate_chroma_errors():
            while True:
                page = self.chunks.get(include=include, limit=_PAGE, offset=offset)
                ids += page["ids"]
                metas += [ChunkMeta.from_store(dict(m or {})) for m in page["metadatas"]]
                if with_text:
                    texts += list(page["documents"])
                if len(page["ids"]) < _PAGE:
                    break
                offset += _PAGE
        return ids, metas, texts

    def upsert_chunks(self, ids: Sequence[str], embeddings: Any, texts: Sequence[str],
                      metas: Sequence[ChunkMeta]) -> None:
        with translate_chroma_errors():
            for part in _batches(ids, self.max_batch):
                self.chunks.upsert(ids=list(ids[part]), embeddings=list(embeddings[part]), documents=list(texts[part]),
                                   metadatas=[m.to_store() for m in metas[part]])

    def update_chunk_meta(self, ids: Sequence[str], metas: Sequence[ChunkMeta]) -> None:
        with translate_chroma_errors():
            for part in _batches(ids, self.max_batch):
                self.chunks.update(ids=list(ids[part]), metadatas=[m.to_store() for m in metas[part]])

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        with translate_chroma_errors():
            for part in _batches(ids, self.max_batch):
                got = self.chunks.get(ids=list(ids[part]), include=["embeddings"])
                out.update(zip(got["ids"], got["embeddings"], strict=True))
        return out

    def delete_chunks(self, ids: Sequence[str]) -> None:
        with translate_chroma_errors():
            for part in _batches(ids, self.max_batch):
                self.chunks.delete(ids=list(ids[part]))

    def query(self, embedding: Any, n: int, where: dict[str, Any] | None) -> tuple[list[str], list[float]]:
        with translate_chroma_errors():
            total = self.chunks.count()
            if total == 0:
                return [], []
            res = self.chunks.query(query_embeddings=[embedding], n_results=min(n, total), where=where or None,
                                    include=["distances"])
        return res["ids"][0], res["distances"][0]

    def chunks_of(self, doc_id: str) -> dict[str, tuple[str, ChunkMeta]]:
        with translate_chroma_errors():
            got = self.chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        return {i: (d, ChunkMeta.from_store(dict(m or {})))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    def get_chunks(self, ids: Sequence[str]) -> dict[str, tuple[str, ChunkMeta]]:
        out: dict[str, tuple[str, ChunkMeta]] = {}
        with translate_chroma_errors():
            for part in _batches(ids, self.max_batch):
                got = self.chunks.get(ids=list(ids[part]), include=["documents", "metadatas"])
                out.update({i: (d, ChunkMeta.from_store(dict(m or {})))
                            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)})
        return out

    # -- document registry --
    def registry(self) -> dict[str, RegistryEntry]:
        """doc id -> its registry entry."""
        out: dict[str, RegistryEntry] = {}
        offset = 0
        with translate_chroma_errors():
            while True:
                page = self.docs.get(include=["metadatas", "documents"], limit=_PAGE, offset=offset)
                for i, m, d in zip(page["ids"], page["metadatas"], page["documents"], strict=True):
                    out[i] = RegistryEntry.from_store(i, dict(m or {}), d)
                if len(page["ids"]) < _PAGE:
                    break
                offset += _PAGE
        return out

    def put_entries(self, entries: Sequence[RegistryEntry]) -> None:
        with translate_chroma_errors():
            for part in _batches(entries, self.max_batch):
                batch = list(entries[part])
                stored = [e.to_store() for e in batch]
                self.docs.upsert(ids=[e.id for e in batch], embeddings=[[1.0]] * len(batch),
                                 metadatas=[m for m, _ in stored], documents=[r for _, r in stored])

    def delete_entries(self, ids: Sequence[str]) -> None:
        with translate_chroma_errors():
            for part in _batches(ids, self.max_batch):
                self.docs.delete(ids=list(ids[part]))

    def drop(self) -> None:
        from chromadb.errors import NotFoundError

        with translate_chroma_errors():
            for name in (self.chunks_name, self.docs_name):
                with contextlib.suppress(NotFoundError, ValueError):  # absent already
                    self.client.delete_collection(name)
