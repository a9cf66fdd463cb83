"""The service under load: 200 concurrent ``/v1/ask`` (extractive) and 200 concurrent
``/v1/search`` requests against a real uvicorn server on 127.0.0.1 over the sample corpus.
Latency is measured by the client (queueing included): p50 / p95, wall time, errors; and the
time ``POST /v1/index`` takes to answer 202 while asks are queued.

    python -m benchmarks.run --only api
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key-0123456789abcdef"
QUESTIONS = [
    "Why do calls between services need timeouts and retry budgets?",
    "Which message broker do we use for events?",
    "Do we run active-passive across regions?",
    "How do we roll out configuration changes?",
    "Why did checkout fail on Black Friday?",
]
QUERIES = ["retry budget", "certificate expired", "multi-region failover", "kafka consumer lag", "feature flag rollout"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentiles(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[max(0, int(0.95 * len(ms)) - 1)], 1)}


async def _burst(url: str, n: int, kind: str) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=600,
                                 limits=limits) as c:
        async def one(i: int) -> tuple[float, int]:
            t = time.perf_counter()
            if kind == "ask":
                r = await c.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
            else:
                r = await c.get("/v1/search", params={"q": QUERIES[i % len(QUERIES)], "k": 8})
            return (time.perf_counter() - t) * 1000, r.status_code

        await one(0)  # warm: the first request opens the index and loads the embedder
        t = time.perf_counter()
        got = await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.perf_counter() - t
    errors = sum(1 for _, status in got if status != 200)
    return {"requests": n, **_percentiles([ms for ms, _ in got]), "wall_s": round(wall, 2),
            "per_s": round(n / wall, 1), "non_200": errors}


async def _index_under_load(url: str, n: int) -> dict:
    """Time to the 202 of ``POST /v1/index`` while ``n`` asks are in flight (it must not queue
    behind them), then let the asks and the job finish."""
    import httpx

    limits = httpx.Limits(max_connections=n + 2, max_keepalive_connections=n + 2)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=600,
                                 limits=limits) as c:
        asks = [asyncio.create_task(c.post("/v1/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]}))
                for i in range(n)]
        await asyncio.sleep(1.0)  # the asks are queued for the worker threads
        t = time.perf_counter()
        r = await c.post("/v1/index")
        accepted_ms = (time.perf_counter() - t) * 1000
        await asyncio.gather(*asks)
        job = r.json()
        while job.get("state") == "running":
            await asyncio.sleep(0.5)
            job = (await c.get(f"/v1/index/{job['id']}")).json()
    return {"asks_in_flight": n, "status": r.status_code, "accepted_ms": round(accepted_ms, 1),
            "job": job.get("state")}


def run(tmp: Path, n: int = 200) -> dict:
    from assistant.index.indexer import Indexer
    from assistant.settings import Settings

    home = tmp / "index-home"  # the corpus index of the `index` benchmark, when it ran first
    Indexer(Settings(home=home)).run([ROOT / "corpus"])
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIE_", "CHROMA_", "OPENAI_"))}
    env.update(ARCHIE_HOME=str(home), ARCHIE_API_KEYS=KEY, ARCHIE_API_RATE_PER_MINUTE="1000000",
               ARCHIE_API_RATE_BURST="100000", ARCHIE_API_TIMEOUT="600", ARCHIE_CONFIG=str(home / "none.toml"))
    log = (tmp / "api-bench.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {(tmp / 'api-bench.log').read_text()[-2000:]}")
            time.sleep(0.2)
        out = {"search": asyncio.run(_burst(url, n, "search")), "ask": asyncio.run(_burst(url, n, "ask")),
               "index_under_load": asyncio.run(_index_under_load(url, max(10, n // 4))),
               "server": "1 uvicorn worker, extractive, sample corpus", "note": "client-side latency, queueing included"}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    return out


if __name__ == "__main__":
    import tempfile

    print(json.dumps(run(Path(tempfile.mkdtemp(prefix="archie-bench-api-"))), indent=2))
