"""An index records the embedding model that built it; querying it with another is a clear error.

(The OpenAI-compatible embedding client is not exercised against a live server here:
llama-cpp-python 0.3.16's server returns unpooled, per-token vectors for this model and fails
on batches, so it is no stand-in for a real embeddings endpoint.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import EmbeddingMismatchError
from assistant.settings import Settings


def test_querying_with_another_embedding_model_says_to_reindex(mini_home: Path) -> None:
    from assistant.index.indexer import Indexer
    from assistant.index.library import Library
    from tests.conftest import MINI

    other = Settings(home=mini_home, embeddings="openai", embedding_model="text-embedding-3-small",
                     openai_base_url="http://127.0.0.1:9/v1")
    with pytest.raises(EmbeddingMismatchError) as exc:
        Library(other)
    assert "all-MiniLM-L6-v2-onnx-int8" in str(exc.value) and "openai:text-embedding-3-small" in str(exc.value)
    assert "--rebuild" in exc.value.hint
    with pytest.raises(EmbeddingMismatchError):
        Indexer(other).run([MINI])  # indexing into it with another model is refused too
    with Library(Settings(home=mini_home)) as r:  # nothing was lost
        assert r.search("ledger", k=1).hits
