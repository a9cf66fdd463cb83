from __future__ import annotations

import numpy as np

from assistant.index.embeddings import MINILM_ID, MiniLMEmbedding, get_embedder
from assistant.settings import Settings


def test_unit_vectors_of_384_dimensions() -> None:
    e = get_embedder(Settings())
    v = e.embed(["PostgreSQL is the default datastore.", "x"])
    assert v.shape == (2, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert e.model_id == MINILM_ID


def test_meaning_not_just_words() -> None:
    e = get_embedder(Settings())
    q, near, far = e.embed([
        "why did we choose a relational database for orders",
        "Orders are stored in PostgreSQL because we need transactions across rows.",
        "The cafeteria serves lunch from noon until two.",
    ])
    assert float(q @ near) > float(q @ far) + 0.2


def test_batching_does_not_change_vectors() -> None:
    texts = ["short", "a somewhat longer sentence about retries and timeouts", "mid length text here"]
    one = np.vstack([MiniLMEmbedding(batch_size=1).embed([t]) for t in texts])
    many = MiniLMEmbedding(batch_size=8).embed(texts)
    assert np.allclose(one, many, atol=1e-4)


def test_chroma_embedding_function_protocol() -> None:
    e = MiniLMEmbedding()
    out = e(["hello"])
    assert len(out) == 1 and len(out[0]) == 384
    assert MiniLMEmbedding.build_from_config(e.get_config()).batch_size == e.batch_size
