"""The lexical half of hybrid search: a bm25s index over chunk text, persisted beside the
store and keyed by the store's generation, so it is rebuilt whenever the chunks change
(also when another process changed them, e.g. an API worker sharing a Chroma server).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from assistant.models import ChunkMeta
from assistant.text import lexical_tokens


class LexicalIndex:
    def __init__(self, retriever: Any, ids: list[str], metas: list[dict[str, Any]], generation: str) -> None:
        self.retriever = retriever
        self.ids = ids
        self.metas = metas
        self.generation = generation
        self._vocab = set(retriever.vocab_dict) if retriever is not None else set()
        self._columns: dict[str, np.ndarray] = {}

    def column(self, key: str) -> np.ndarray:
        """A metadata field as a numpy array (built once per index), for vectorised filters."""
        if key not in self._columns:
            if key == "date_num":
                self._columns[key] = np.array([int(m.get(key) or 0) for m in self.metas], dtype=np.int64)
            elif key.startswith("svc:"):
                svc = key[4:]
                self._columns[key] = np.array([svc in str(m.get("services") or "").split(",") for m in self.metas], dtype=bool)
            else:
                self._columns[key] = np.array([str(m.get(key) or "") for m in self.metas], dtype=object)
        return self._columns[key]

    @classmethod
    def build(cls, ids: list[str], texts: list[str], metas: list[ChunkMeta], generation: str) -> LexicalIndex:
        import bm25s

        retriever = None
        if ids:
            retriever = bm25s.BM25()
            retriever.index(lexical_tokens(texts), show_progress=False)
        small = [{"doc_id": m.doc_id, "kind": m.kind.value, "status": m.status.value, "date_num": m.date_num,
                  "services": ",".join(m.services)} for m in metas]
        return cls(retriever, ids, small, generation)

    def save(self, directory: Path) -> None:
        """Write atomically: a temp dir beside the target, then rename over it."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=directory.parent))
        try:
            if self.retriever is not None:
                self.retriever.save(str(tmp / "bm25"))
            (tmp / "chunks.json").write_text(json.dumps({"ids": self.ids, "metas": self.metas}))
            (tmp / "generation").write_text(self.generation)
            old = directory.with_name(directory.name + ".old")
            if directory.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        try:
            generation = (directory / "generation").read_text().strip()
            data = json.loads((directory / "chunks.json").read_text())
        except (OSError, ValueError):
            return None
        retriever = None
        if data["ids"]:
            import bm25s

            try:
                retriever = bm25s.BM25.load(str(directory / "bm25"))
            except (OSError, ValueError, KeyError):
                return None
        return cls(retriever, data["ids"], data["metas"], generation)

    def unknown_terms(self, query: str) -> list[str]:
        """Query terms (stemmed) that occur nowhere in the indexed text."""
        if self.retriever is None:
            return []
        return [t for t in lexical_tokens([query])[0] if t not in self._vocab]

    def scores(self, query: str) -> np.ndarray:
        if self.retriever is None or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        tokens = [t for t in lexical_tokens([query])[0] if t in self._vocab]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(tokens), dtype=np.float32)


_lock = threading.Lock()
_loaded: dict[str, LexicalIndex] = {}


def current(directory: Path, generation: str, rebuild: Any) -> LexicalIndex:
    """The lexical index for ``generation``: from memory, from disk, or rebuilt via ``rebuild()``."""
    key = str(directory)
    with _lock:
        idx = _loaded.get(key)
        if idx is not None and idx.generation == generation:
            return idx
        idx = LexicalIndex.load(directory)
        if idx is None or idx.generation != generation:
            idx = rebuild()
            with contextlib.suppress(OSError):  # a read-only home still answers from memory
                idx.save(directory)
        _loaded[key] = idx
        return idx
