"""The service's edges (issue #17): Host and Origin checks without keys, body size and read time,
secrets in query strings, failed-key limits, date filters, job retention, and index jobs that
start at once under load. Against real uvicorn servers where the edge is the server's own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import AUTH, KEY, app_client, base_env, is_problem, uvicorn_server
from tests.conftest import MINI, ROOT

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def open_server(served: tuple[Path, Path], server_logs: Path) -> Iterator[str]:
    """A server with authentication off (as `archie serve --no-auth`) and a 1 s body read timeout."""
    home, docs = served
    env = base_env(ARCHIE_HOME=str(home), ARCHIE_CONFIG=str(home / "none.toml"), ARCHIE_API_AUTH="false",
                   ARCHIE_INDEX_PATHS=json.dumps([str(docs)]), ARCHIE_API_BODY_TIMEOUT="1")
    with uvicorn_server(server_logs, env) as url:
        yield url


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


# ---- 1. no keys: loopback Host names only, and no cross-site state changes ----
@pytest.mark.parametrize("host", ["rebind.attacker.example", "10.0.0.7", "127.0.0.1.nip.io", "localhost.evil.example"])
def test_no_auth_refuses_foreign_host_names(open_server: str, host: str) -> None:
    r = httpx.get(f"{open_server}/v1/documents", headers={"Host": f"{host}:{_port(open_server)}"})
    p = is_problem(r, 421)
    assert "loopback" in p["detail"] and p["hint"]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST", "127.0.0.1:{port}", "localhost:{port}",
                                  "[::1]:{port}"])
def test_no_auth_answers_loopback_host_names(open_server: str, host: str) -> None:
    r = httpx.get(f"{open_server}/v1/documents", headers={"Host": host.format(port=_port(open_server))})
    assert r.status_code == 200, r.text


def _jobs(served: tuple[Path, Path]) -> set[str]:
    jobs = served[0] / "jobs"
    return {p.name for p in jobs.glob("*.json")} if jobs.is_dir() else set()


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example", **FORM},
    {"Origin": "null", **FORM},
    {"Referer": "http://evil.example/page.html", **FORM},
    {"Origin": "http://evil.example", "Content-Type": "application/json"},
    {"Sec-Fetch-Site": "cross-site", **FORM},
    {"Origin": "http://localhost:1", **FORM},  # another loopback origin is another site
])
def test_no_auth_refuses_cross_site_posts(open_server: str, served: tuple[Path, Path], headers: dict) -> None:
    before = _jobs(served)
    r = httpx.post(f"{open_server}/v1/index", content=b"a=1", headers=headers)
    p = is_problem(r, 403)
    assert "origin" in p["detail"].lower() and p["hint"]
    assert _jobs(served) == before  # no job started


def test_no_auth_accepts_same_origin_and_non_browser_posts(open_server: str) -> None:
    plan = {"peak": "1200rps", "limit": "5000rps"}
    own = f"http://127.0.0.1:{_port(open_server)}"
    for headers in ({}, {"Origin": own}, {"Referer": own + "/"}, {"Sec-Fetch-Site": "same-origin", "Origin": own},
                    {"Sec-Fetch-Site": "none"}):
        r = httpx.post(f"{open_server}/v1/capacity/plan", json=plan, headers=headers)
        assert r.status_code == 200, (headers, r.text)
    # reads are not state changes: a cross-site GET is answered (CORS keeps its body from the page)
    assert httpx.get(f"{open_server}/v1/documents", headers={"Origin": "http://evil.example"}).status_code == 200


def test_cross_site_forms_are_refused_with_keys_too(mini_home: Path) -> None:
    with app_client(mini_home, api_cors_origins=["https://review.example"]) as c:
        r = c.post("/v1/review", files={"file": ("d.md", b"# x\n\n## Context\n\ny\n", "text/markdown")},
                   headers={**AUTH, "Origin": "https://evil.example"})
        is_problem(r, 403)
        r = c.post("/v1/review", files={"file": ("d.md", b"# x\n\n## Context\n\ny\n", "text/markdown")},
                   headers={**AUTH, "Origin": "https://review.example"})
        assert r.status_code == 200, r.text
        # JSON needs a CORS preflight from a browser, so with a key it is left to CORS
        r = c.post("/v1/capacity/plan", json={"peak": "1rps", "limit": "2rps"}, headers={**AUTH, "Origin": "https://evil.example"})
        assert r.status_code == 200, r.text


# ---- 2. a chunked body over the limit is a 413 on every route with a body ----
@pytest.mark.parametrize("path", ["/v1/ask", "/v1/incidents/similar", "/v1/capacity/plan", "/v1/review"])
def test_chunked_body_over_the_limit_is_413_everywhere(mini_home: Path, path: str) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"x" * 1024

    with app_client(mini_home, api_max_body_bytes=4096) as c:
        p = is_problem(c.post(path, content=chunks(), headers={**AUTH, "Content-Type": "application/json"}), 413)
        assert "4,096" in p["detail"]


# ---- 3. secrets in the query string never reach the logs ----
def test_keys_in_the_query_string_are_not_logged(api_server: str, server_logs: Path) -> None:
    secret = "query-secret-0123456789abcdef"
    for name in ("key", "api_key", "token", "access_token", "Key", "x"):
        r = httpx.get(f"{api_server}/v1/documents", params={name: secret, "kind": "adr"})
        assert r.status_code == 401
    r = httpx.get(f"{api_server}/v1/search", params={"q": "ledger", "k": "2", "token": secret}, headers=AUTH)
    assert r.status_code == 200
    time.sleep(0.3)  # the log lines are written as the responses go
    logs = "".join(p.read_text() for p in server_logs.glob("*.log"))
    assert secret not in logs
    assert "kind=adr" in logs  # the values of known, harmless parameters are kept


# ---- 4. a body that stalls is cut off ----
def test_a_stalled_body_gets_408_and_the_connection_closes(open_server: str) -> None:
    port = _port(open_server)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                  "Content-Length: 100\r\n\r\n".encode() + b'{"question"')
        started = time.monotonic()
        data = b""
        while chunk := s.recv(65536):  # until the server closes the connection
            data += chunk
    assert time.monotonic() - started < 8
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), data[:300]
    assert b"connection: close" in head.lower()
    assert json.loads(body)["status"] == 408


def test_a_slow_but_steady_body_within_the_limit_is_read(open_server: str) -> None:
    def slow() -> Iterator[bytes]:
        for part in (b'{"peak": "12', b'00rps", "limit": ', b'"5000rps"}'):
            time.sleep(0.2)
            yield part

    r = httpx.post(f"{open_server}/v1/capacity/plan", content=slow(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text


def test_the_body_timeout_ends_with_the_body() -> None:
    """After the last body chunk the app may wait on receive() for a disconnect as long as it
    likes (an SSE stream does): that wait is not a slow body."""
    import anyio

    from api.security import BodyLimit

    got: list[str] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        while (await receive()).get("more_body"):
            pass
        got.append((await receive())["type"])  # waits past the body timeout

    async def receive() -> dict:
        if not got and not sent:
            sent.append(1)
            return {"type": "http.request", "body": b"{}", "more_body": False}
        await anyio.sleep(0.5)
        return {"type": "http.disconnect"}

    sent: list[int] = []
    guard = BodyLimit(app, limit=1024, timeout=0.1)
    anyio.run(guard, {"type": "http", "path": "/v1/ask", "headers": []}, receive, None)
    assert got == ["http.disconnect"]


def test_streamed_answers_outlive_the_body_timeout(open_server: str) -> None:
    # the timeout is for reading the body, not for the response (an SSE stream waits on receive())
    r = httpx.post(f"{open_server}/v1/ask", json={"question": "Why did the ledger move off a single PostgreSQL primary?"},
                   headers={"Accept": "text/event-stream"}, timeout=120)
    assert r.status_code == 200 and "event: answer" in r.text


# ---- 5. wrong keys are rate-limited per client address ----
def test_failed_keys_are_limited_per_client(mini_home: Path) -> None:
    from fastapi.testclient import TestClient

    from api import create_app
    from assistant.settings import Settings

    app = create_app(Settings(home=mini_home, api_keys=KEY, api_auth_failures_per_minute=1, api_auth_failures_burst=3))
    wrong = {"Authorization": "Bearer wrong-key-0123456789abcdef"}
    with TestClient(app, base_url="http://127.0.0.1", client=("192.0.2.1", 5000)) as c:
        for _ in range(3):
            is_problem(c.get("/v1/documents", headers=wrong), 401)
        for _ in range(3):
            is_problem(c.get("/v1/documents"), 401)  # no key at all: not a guess, not counted
        r = c.get("/v1/documents", headers=wrong)
        p = is_problem(r, 429)
        assert int(r.headers["retry-after"]) >= 1 and "key" in p["detail"]
        # while the address is locked out even the right key is refused: a guess cannot be confirmed
        assert c.get("/v1/documents", headers=AUTH).status_code == 429
    with TestClient(app, base_url="http://127.0.0.1", client=("192.0.2.2", 5000)) as c:
        assert c.get("/v1/documents", headers=AUTH).status_code == 200  # another address is not affected


# ---- 7. date filters: no numbers as dates, and since <= until ----
@pytest.mark.parametrize(("method", "url", "kwargs", "field"), [
    ("GET", "/v1/search", {"params": {"q": "ledger", "until": "0"}}, "query.until"),
    ("GET", "/v1/search", {"params": {"q": "ledger", "since": "1700000000"}}, "query.since"),
    ("GET", "/v1/search", {"params": {"q": "ledger", "since": "2025-01-01", "until": "2024-01-01"}}, "query.until"),
    ("GET", "/v1/incidents", {"params": {"until": "0"}}, "query.until"),
    ("GET", "/v1/incidents", {"params": {"since": "2025-06-01", "until": "2025-01-01"}}, "query.until"),
    ("GET", "/v1/incidents/trends", {"params": {"since": "2025-06-01", "until": "2025-01-01"}}, "query.until"),
    ("GET", "/v1/incidents/trends", {"params": {"since": "0"}}, "query.since"),
    ("POST", "/v1/ask", {"json": {"question": "why", "until": 0}}, "body.until"),
    ("POST", "/v1/ask", {"json": {"question": "why", "as_of": "0"}}, "body.as_of"),
    ("POST", "/v1/ask", {"json": {"question": "why", "since": "2025-01-01", "until": "2024-12-31"}}, "body.until"),
])
def test_bad_date_filters_are_422_naming_the_field(client: httpx.Client, method: str, url: str, kwargs: dict,
                                                   field: str) -> None:
    p = is_problem(client.request(method, url, **kwargs), 422)
    assert field in [e["field"] for e in p["errors"]], p


def test_good_date_filters_still_work(client: httpx.Client) -> None:
    r = client.get("/v1/search", params={"q": "ledger", "since": "2024-01-01", "until": "2024-01-01"})
    assert r.status_code == 200, r.text
    assert client.get("/v1/incidents", params={"since": "2020-01-01"}).status_code == 200


# ---- 8. every route that can answer 400 documents it ----
def test_openapi_documents_400_where_a_route_reads_a_body(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path, method in [("/v1/ask", "post"), ("/v1/review", "post"), ("/v1/incidents/similar", "post"),
                         ("/v1/capacity/plan", "post")]:
        responses = spec["paths"][path][method]["responses"]
        for status in ("400", "408", "413"):
            assert status in responses, (path, status)
            schema = responses[status]["content"]["application/problem+json"]["schema"]
            assert schema["$ref"].endswith("/Problem"), (path, status, schema)


# ---- 9. index job records are not kept forever ----
def test_old_job_records_are_pruned(mini_home: Path) -> None:
    from api.jobs import IndexJobs
    from assistant.settings import Settings

    settings = Settings(home=mini_home, index_paths=[MINI], api_jobs_keep=5, api_jobs_retention_days=7)
    jobs_dir = mini_home / "jobs"
    jobs_dir.mkdir()
    month_ago = time.time() - 30 * 86400
    for i in range(30):
        record = jobs_dir / f"{i:012x}.json"
        record.write_text("{}")
        os.utime(record, (month_ago + i, month_ago + i))
    for i in range(3):
        (jobs_dir / f"{0xf00 + i:012x}.json").write_text("{}")  # younger than the retention period
    stale_tmp = jobs_dir / ".abc.123.tmp"
    stale_tmp.write_text("{")
    os.utime(stale_tmp, (month_ago, month_ago))
    jobs = IndexJobs(settings)
    job = jobs.start()
    jobs.wait(120)
    left = {p.name for p in jobs_dir.glob("*.json")}
    assert f"{job.id}.json" in left and {f"{0xf00 + i:012x}.json" for i in range(3)} <= left
    # the newest five are kept whatever their age (here the four young ones and the newest old
    # one); the rest go once older than a week
    assert left == {f"{job.id}.json", f"{29:012x}.json", *(f"{0xf00 + i:012x}.json" for i in range(3))}
    assert not stale_tmp.exists()


# ---- 10. starting an index job does not queue behind the requests ----
def test_index_job_starts_at_once_when_every_worker_thread_is_busy(mini_home: Path) -> None:
    gate = threading.Event()
    with app_client(mini_home, index_paths=[MINI], api_threads=1) as c:
        services = c.app.state.services  # type: ignore[attr-defined]
        busy = c.portal.start_task_soon(services.run, gate.wait, 60)  # type: ignore[union-attr]
        try:
            deadline = time.monotonic() + 10
            while services.limiter.borrowed_tokens < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert services.limiter.borrowed_tokens == 1  # the one worker thread is taken
            result: dict[str, object] = {}

            def post() -> None:
                result["r"] = c.post("/v1/index", headers=AUTH)

            t = threading.Thread(target=post)
            t.start()
            t.join(10)
            assert "r" in result, "POST /v1/index waited for the busy worker thread"
            r = result["r"]
            assert r.status_code == 202, r.text  # type: ignore[attr-defined]
            job_id = r.json()["id"]  # type: ignore[attr-defined]
            assert c.get(f"/v1/index/{job_id}", headers=AUTH).status_code == 200  # polling does not queue either
        finally:
            gate.set()
            busy.result(30)
            services.jobs.wait(120)


# ---- 11. `serve --no-auth` off loopback is refused before anything heavy is imported ----
def test_serve_no_auth_off_loopback_is_refused_without_heavy_imports() -> None:
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom assistant.cli import app\n"
            "r = CliRunner().invoke(app, ['serve', '--no-auth', '--host', '0.0.0.0'])\n"
            "assert r.exit_code != 0 and '--no-auth' in str(r.exception), r.output\n"
            "heavy = ['fastapi', 'uvicorn', 'sklearn', 'chromadb', 'onnxruntime', 'matplotlib', 'api.app', 'langchain_core']\n"
            "print([m for m in heavy if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base_env(), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", out.stdout
