"""A real Chroma server (``chroma run``) on loopback: index and search through HttpClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MINI, VENV_BIN, free_port, launched


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    with launched(lambda port: [str(VENV_BIN / "chroma"), "run", "--host", "127.0.0.1", "--port", str(port),
                                "--path", str(tmp_path / "db")], lambda port: tmp_path / f"chroma-{port}.log") as (_, port):
        yield port


@pytest.mark.server
def test_index_and_search_through_a_chroma_server(chroma_server: int, monkeypatch: pytest.MonkeyPatch,
                                                  archie_env: Path) -> None:
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    from assistant.index.indexer import Indexer
    from assistant.index.library import Library
    from assistant.settings import Settings

    s = Settings()
    assert s.chroma_host == "127.0.0.1"
    summary = Indexer(s).run([MINI])
    assert summary.added == 6 and summary.skipped == 0
    assert not (s.home / "chroma").exists()  # nothing written to the local store
    with Library(s) as r:
        hits = r.search("why did the ledger move off a single PostgreSQL primary", k=3).hits
    assert hits[0].doc_id in {"ADR-0003", "ADR-0001"}
    again = Indexer(s).run([MINI])
    assert again.unchanged == 6 and again.chunks_embedded == 0
    # a second process with another home (e.g. another API worker) sees the same index
    other = Settings(home=archie_env / "other-worker")
    with Library(other) as r:
        hits2 = r.search("why did the ledger move off a single PostgreSQL primary", k=3).hits
    assert [h.chunk_id for h in hits2] == [h.chunk_id for h in hits]


def test_unreachable_server_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(free_port()))
    from assistant.errors import StoreUnavailable
    from assistant.index.library import Library
    from assistant.settings import Settings

    with pytest.raises(StoreUnavailable) as exc:
        Library(Settings()).search("anything")
    assert "127.0.0.1" in str(exc.value)
