"""Scale-out: two API workers (separate uvicorn processes, each with its own ARCHIE_HOME, as on two
machines) against one real Chroma server on loopback answer alike, and an index job run through
one is visible to queries on the other."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import AUTH, KEY, base_env, uvicorn_server
from tests.conftest import MINI, VENV_BIN, launched

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    tmp = tmp_path_factory.mktemp("chroma")
    with launched(lambda port: [str(VENV_BIN / "chroma"), "run", "--host", "127.0.0.1", "--port", str(port),
                                "--path", str(tmp / "db")], lambda port: tmp / f"chroma-{port}.log") as (_, port):
        yield port


def _wait(c: httpx.Client, job: dict) -> dict:
    deadline = time.monotonic() + 180
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.25)
        job = c.get(f"/v1/index/{job['id']}").json()
    return job


def test_two_workers_share_one_chroma_server(chroma_port: int, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(MINI, docs)

    def env(name: str) -> dict[str, str]:
        home = tmp_path / name
        return base_env(ARCHIE_HOME=str(home), ARCHIE_CONFIG=str(home / "none.toml"), CHROMA_HOST="127.0.0.1",
                        CHROMA_PORT=str(chroma_port), ARCHIE_INDEX_PATHS=json.dumps([str(docs)]), ARCHIE_API_KEYS=KEY)

    logs = tmp_path / "logs"
    with uvicorn_server(logs, env("worker-a")) as url_a, uvicorn_server(logs, env("worker-b")) as url_b, \
            httpx.Client(base_url=url_a, headers=AUTH, timeout=120) as a, \
            httpx.Client(base_url=url_b, headers=AUTH, timeout=120) as b:
        assert b.get("/readyz").status_code == 503  # nothing indexed on the server yet
        job = _wait(a, a.post("/v1/index").json())
        assert job["state"] == "done" and job["summary"]["added"] == 6, job
        assert b.get("/readyz").status_code == 200

        question = {"question": "Why did the ledger move off a single PostgreSQL primary?"}
        answers = [c.post("/v1/ask", json=question).json() for c in (a, b)]
        assert answers[0]["text"] == answers[1]["text"] and answers[0]["claims"]
        assert answers[0]["sources"] == answers[1]["sources"]
        hits = [[h["chunk_id"] for h in c.get("/v1/search", params={"q": "ledger failover", "k": 5}).json()["hits"]]
                for c in (a, b)]
        assert hits[0] == hits[1] and hits[0]
        assert a.get("/v1/documents").json() == b.get("/v1/documents").json()

        # worker B has already cached its lexical index and document list; a job on A changes the index
        (docs / "design" / "zephyr.md").write_text(
            "---\nid: DD-ZEPHYR\nkind: design\ntitle: Zephyr edge cache\n---\n# Zephyr edge cache\n\n"
            "## Proposal\n\nPut the zephyr edge cache in front of the catalogue API.\n")
        job = _wait(a, a.post("/v1/index").json())
        assert job["state"] == "done" and job["summary"]["added"] == 1
        found = b.get("/v1/search", params={"q": "zephyr edge cache", "k": 3}).json()["hits"]
        assert found and found[0]["doc_id"] == "DD-ZEPHYR"
        assert b.get("/v1/documents/DD-ZEPHYR").status_code == 200
        assert not (tmp_path / "worker-a" / "chroma").exists()  # the store is the server, not a local directory
