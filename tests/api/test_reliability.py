"""Load, concurrent re-indexing, the model server down, and injected instructions, against real
servers on loopback. Bounded loops, no timed assertions (latency figures are in `make bench`)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import AUTH, app_client, base_env, is_problem, uvicorn_server
from tests.api.test_routes import sse_events
from tests.conftest import VENV_BIN, free_port

pytestmark = pytest.mark.server
QUESTIONS = [
    "Why did the ledger move off a single PostgreSQL primary?",
    "How are ledger events published?",
    "Why did the billing certificate expire?",
    "What happened during the ledger failover?",
]
SEARCHES = ["ledger sharding", "certificate renewal", "postgres primary saturated", "failover runbook", "event outbox"]


async def _burst(base: str, n: int) -> list[tuple[str, str, int, dict]]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=300, limits=limits) as c:
        async def one(i: int) -> tuple[str, str, int, dict]:
            if i % 2:
                q = QUESTIONS[i % len(QUESTIONS)]
                r = await c.post("/v1/ask", json={"question": q})
                return "ask", q, r.status_code, r.json()
            q = SEARCHES[i % len(SEARCHES)]
            r = await c.get("/v1/search", params={"q": q, "k": 5})
            return "search", q, r.status_code, r.json()

        return await asyncio.gather(*(one(i) for i in range(n)))


def test_200_concurrent_asks_and_searches_all_answer(api_server: str) -> None:
    results = asyncio.run(_burst(api_server, 200))
    assert len(results) == 200
    statuses = Counter(status for _, _, status, _ in results)
    assert statuses == {200: 200}, statuses
    # no response is lost or mixed up: each question always gets the same answer, each query the same hits
    seen: dict[tuple[str, str], str] = {}
    for kind, q, _, body in results:
        key = body["text"] if kind == "ask" else json.dumps([h["chunk_id"] for h in body["hits"]])
        assert (body["question"] if kind == "ask" else body["query"]) == q
        assert seen.setdefault((kind, q), key) == key, (kind, q)
    assert Counter(kind for kind, _, _, _ in results) == {"ask": 100, "search": 100}


def test_reindex_while_queries_run(client: httpx.Client, served: tuple[Path, Path]) -> None:
    _, docs = served
    new = docs / "design" / "generated"
    new.mkdir()
    for i in range(40):  # enough to keep the indexer busy while queries run
        (new / f"{i:02d}-zephyr.md").write_text(
            f"---\nid: DD-Z{i:02d}\nkind: design\ntitle: Zephyr cache shard {i}\n---\n# Zephyr cache shard {i}\n\n"
            f"## Context\n\nThe zephyr cache shard {i} holds catalogue pages for region {i % 3}.\n\n"
            f"## Proposal\n\nWarm shard {i} from the ledger event stream before each sale.\n")
    adr = docs / "adr" / "0003-move-ledger-to-cockroachdb.md"
    adr.write_text(adr.read_text() + "\nThe zephyr migration playbook is kept with this decision.\n")
    job = client.post("/v1/index").json()
    statuses: Counter[int] = Counter()
    answered = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        state = client.get(f"/v1/index/{job['id']}").json()["state"]
        ask = client.post("/v1/ask", json={"question": QUESTIONS[answered % len(QUESTIONS)]})
        search = client.get("/v1/search", params={"q": "zephyr cache shard ledger", "k": 5})
        statuses.update([ask.status_code, search.status_code])
        assert ask.status_code == 200 and search.status_code == 200, (ask.text[:300], search.text[:300])
        answered += 1
        if state != "running":
            break
    final = client.get(f"/v1/index/{job['id']}").json()
    assert final["state"] == "done", final
    assert final["summary"]["added"] == 40 and final["summary"]["changed"] == 1
    assert answered >= 2 and statuses == {200: 2 * answered}
    hits = client.get("/v1/search", params={"q": "zephyr cache shard 7", "k": 3}).json()["hits"]
    assert "DD-Z07" in {h["doc_id"] for h in hits}  # the new index answers


def test_injected_instructions_do_not_reach_answers(client: httpx.Client) -> None:
    question = {"question": "Which database stores the ledger?"}
    plain = client.post("/v1/ask", json=question).json()
    streamed = sse_events(client.post("/v1/ask", json=question, headers={"Accept": "text/event-stream"}).text)[-1][1]
    for answer in (plain, streamed):
        assert "mongodb" not in answer["text"].lower() and "system prompt" not in answer["text"].lower()
        assert any("DD-666" in s for s in answer["verdict"]["injection_suspects"])


@pytest.fixture(scope="module")
def dead_model_server(served: tuple[Path, Path], server_logs: Path) -> Iterator[str]:
    """`archie serve --no-auth` configured for a model server that is not there."""
    home, _ = served
    env = base_env(ARCHIE_HOME=str(home), ARCHIE_CONFIG=str(home / "none.toml"), ARCHIE_LLM="openai",
                   OPENAI_BASE_URL=f"http://127.0.0.1:{free_port()}/v1", ARCHIE_LLM_RETRIES="0", ARCHIE_LLM_TIMEOUT="3")
    with uvicorn_server(server_logs, env, [str(VENV_BIN / "archie"), "serve", "--no-auth", "--host", "127.0.0.1"]) as url:
        yield url


def test_model_server_down_readyz_says_so_and_ask_falls_back(dead_model_server: str, server_logs: Path) -> None:
    r = httpx.get(f"{dead_model_server}/readyz", timeout=30)
    assert r.status_code == 503
    checks = r.json()["checks"]
    assert not checks["model"]["ok"] and "not reachable" in checks["model"]["detail"] and checks["index"]["ok"]
    ask = httpx.post(f"{dead_model_server}/v1/ask", json={"question": QUESTIONS[0]}, timeout=60)  # --no-auth: no key
    answer = ask.json()
    assert ask.status_code == 200 and answer["provider"] == "extractive" and "did not answer" in answer["fallback"]
    assert answer["notes"][0].startswith("Note:") and answer["claims"]
    assert "authentication is off" in "".join(p.read_text() for p in server_logs.glob("*.log"))


def test_model_server_down_without_fallback_is_503(mini_home: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with app_client(mini_home, llm="openai", openai_base_url=dead, llm_retries=0, llm_timeout=3,
                    llm_fallback=False) as c:
        p = is_problem(c.post("/v1/ask", json={"question": QUESTIONS[0]}, headers=AUTH), 503)
        assert "did not answer" in p["detail"] and "OPENAI_BASE_URL" in p["hint"]
        events = sse_events(c.post("/v1/ask", json={"question": QUESTIONS[0]},
                                   headers={**AUTH, "Accept": "text/event-stream"}).text)
        assert [e for e, _ in events] == ["error"] and events[0][1]["status"] == 503


@pytest.mark.slow
def test_model_tokens_stream_and_injection_is_withheld(served: tuple[Path, Path], server_logs: Path,
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    pytest.importorskip("llama_cpp", reason="the `local` extra (llama-cpp-python) is installed by `make test`")
    from tests.conftest import llama_server

    home, _ = served
    with llama_server(tmp_path_factory.mktemp("llama-api")) as model_url:
        env = base_env(ARCHIE_HOME=str(home), ARCHIE_CONFIG=str(home / "none.toml"), ARCHIE_LLM="openai",
                       OPENAI_BASE_URL=model_url, ARCHIE_MODEL="smollm2", ARCHIE_LLM_MAX_TOKENS="120",
                       ARCHIE_LLM_FALLBACK="false", ARCHIE_API_KEYS="model-test-key-0123456789")
        with uvicorn_server(server_logs, env) as url:
            r = httpx.post(f"{url}/v1/ask", json={"question": "Which database stores the ledger?"}, timeout=300,
                           headers={"Authorization": "Bearer model-test-key-0123456789", "Accept": "text/event-stream"})
    events = sse_events(r.text)
    kinds = [e for e, _ in events]
    assert kinds[-1] == "answer" and kinds.count("token") >= 3 and set(kinds[:-1]) == {"token"}
    answer = events[-1][1]
    streamed = "".join(d["text"] for e, d in events if e == "token")
    assert streamed == answer["draft"] and answer["provider"] == "openai"
    assert "mongodb" not in streamed.lower() and "mongodb" not in answer["text"].lower()
    assert any("DD-666" in s for s in answer["verdict"]["injection_suspects"])
