"""OpenAI-compatible embeddings against a real server (llama.cpp's, in embedding mode), and the
clear error when an index is queried with a different embedding model than built it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import EmbeddingMismatchError
from assistant.settings import Settings
from tests.conftest import MINI, free_port, stop, wait_for_port

pytest.importorskip("llama_cpp", reason="the `local` extra is installed by `make test`")


@pytest.fixture(scope="module")
def embedding_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from assistant.llm.providers import gguf_path

    port = free_port()
    log = (tmp_path_factory.mktemp("llama-emb") / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path(Settings())), "--host", "127.0.0.1",
         "--port", str(port), "--embedding", "true", "--n_ctx", "2048", "--verbose", "false"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc, timeout=120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)
        log.close()


@pytest.mark.server
def test_index_with_openai_embeddings_then_mismatch_is_a_clear_error(embedding_server: str, tmp_path: Path) -> None:
    from assistant.index.indexer import Indexer
    from assistant.retrieval import Retriever

    home = tmp_path / "home"
    remote = Settings(home=home, embeddings="openai", embedding_model="smollm2", openai_base_url=embedding_server)
    summary = Indexer(remote).run([MINI])
    assert summary.added == 6 and summary.chunks_embedded == summary.chunks_total
    with Retriever(remote) as r:
        hits = r.search("certificate expired for billing", k=3).hits
        assert hits and r.embedder.model_id == "openai:smollm2"
    with pytest.raises(EmbeddingMismatchError) as exc:
        Retriever(Settings(home=home))  # the default offline model cannot query this index
    assert "openai:smollm2" in str(exc.value) and "--rebuild" in exc.value.hint
    rebuilt = Indexer(Settings(home=home)).run([MINI], rebuild=True)
    assert rebuilt.added == 6  # --rebuild switches models
