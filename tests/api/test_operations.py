"""Operating the service (issue #19): Prometheus metrics scraped from real servers after real
requests, JSON log lines carrying request ids, secrets kept out of the logs, and optional
OpenTelemetry tracing exported to a loopback OTLP receiver."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import (
    AUTH,
    KEY,
    OTHER_KEY,
    app_client,
    base_env,
    is_problem,
    uvicorn_server,
)
from tests.conftest import ROOT, free_port

QUESTION = "Why did the ledger move off a single PostgreSQL primary?"


def scrape(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    """The sum over samples named ``name`` whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def server_lines(logs: Path) -> list[dict]:
    out = []
    for path in logs.glob("*.log"):
        for line in path.read_text().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


# ---- metrics ----
def test_metrics_need_the_key_and_move_after_real_requests(client: httpx.Client, api_server: str) -> None:
    is_problem(httpx.get(f"{api_server}/metrics"), 401)
    before = scrape(client.get("/metrics").text)

    answer = client.post("/v1/ask", json={"question": QUESTION}).json()
    client.post("/v1/ask", json={"question": "What is our policy on office dogs?"})  # abstains
    assert client.post("/v1/review", json={"text": "# Cache\n\n## Proposal\n\nTBD\n"}).status_code == 200
    assert client.get("/v1/nothing-here/42").status_code == 404
    assert client.get("/v1/documents/ADR-0003").status_code == 200
    assert client.post("/v1/capacity/plan", json={"peak": "12 bananas", "limit": "5rps"}).status_code == 422
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    after = scrape(r.text)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("http_requests_total", handler="/v1/ask", method="POST", status="200") == 2
    assert moved("http_requests_total", handler="/v1/review", status="200") == 1
    assert moved("http_requests_total", handler="none", status="404") == 1  # unknown paths share one label
    assert moved("http_requests_total", handler="/v1/documents/{doc_id}", status="200") == 1  # the template
    assert moved("http_requests_total", handler="/v1/capacity/plan", status="422") == 1
    assert moved("http_request_duration_seconds_count", handler="/v1/ask", status="200") == 2
    assert not any("ADR-0003" in str(labels) or "nothing-here" in str(labels) for _, labels in after)
    assert moved("archie_ask_seconds_count") == 2 and moved("archie_ask_seconds_sum") > 0
    assert moved("archie_answers_total", provider="extractive") == 2
    assert moved("archie_abstentions_total") == 1
    assert moved("archie_guard_claims_dropped_total") == answer["verdict"]["claims_dropped"]
    assert moved("archie_review_seconds_count") == 1
    assert moved("archie_problems_total", type="BadInputError") == 1


def test_index_job_metrics(client: httpx.Client) -> None:
    before = scrape(client.get("/metrics").text)
    job = client.post("/v1/index").json()
    deadline = time.monotonic() + 120
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(f"/v1/index/{job['id']}").json()
    assert job["state"] == "done"
    after = scrape(client.get("/metrics").text)
    assert value(after, "archie_index_jobs_total", state="done") - value(before, "archie_index_jobs_total", state="done") == 1
    assert value(after, "archie_index_job_seconds_count") - value(before, "archie_index_job_seconds_count") == 1
    seen = sum(job["summary"][k] for k in ("added", "changed", "unchanged", "removed", "skipped"))
    assert value(after, "archie_index_documents_total") - value(before, "archie_index_documents_total") == seen > 0


def test_model_server_errors_are_counted(mini_home: Path) -> None:
    from prometheus_client import REGISTRY

    def errors(kind: str) -> float:
        return REGISTRY.get_sample_value("archie_model_errors_total", {"kind": kind}) or 0.0

    dead = f"http://127.0.0.1:{free_port()}/v1"
    fell_back, unavailable = errors("fallback"), errors("unavailable")
    with app_client(mini_home, llm="openai", openai_base_url=dead, llm_retries=0, llm_timeout=3) as c:
        assert c.post("/v1/ask", json={"question": QUESTION}, headers=AUTH).json()["fallback"]
    with app_client(mini_home, llm="openai", openai_base_url=dead, llm_retries=0, llm_timeout=3, llm_fallback=False) as c:
        is_problem(c.post("/v1/ask", json={"question": QUESTION}, headers=AUTH), 503)
    assert errors("fallback") == fell_back + 1 and errors("unavailable") == unavailable + 1


@pytest.mark.server
@pytest.mark.slow
def test_two_workers_sum_their_metrics_on_the_metrics_port(served: tuple[Path, Path], tmp_path: Path) -> None:
    """`--workers 2` with PROMETHEUS_MULTIPROC_DIR: whichever worker answers, the metrics port
    (no key, its own port) reports every worker's requests; /metrics on the API port is gone."""
    home, _ = served
    metrics_port = free_port()
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    env = base_env(ARCHIE_HOME=str(home), ARCHIE_CONFIG=str(home / "none.toml"), ARCHIE_API_KEYS=KEY,
                   PROMETHEUS_MULTIPROC_DIR=str(multiproc), ARCHIE_API_METRICS_PORT=str(metrics_port))
    argv = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--workers", "2"]
    with uvicorn_server(tmp_path / "logs", env, argv) as url:
        with httpx.Client(base_url=url, headers=AUTH, timeout=60) as c:
            for _ in range(30):  # new connections, so both workers answer some
                assert httpx.get(f"{url}/healthz", headers={"Connection": "close"}).status_code == 200
            assert c.get("/metrics").status_code == 404
        deadline = time.monotonic() + 30
        while True:  # the second worker may still be starting when the first answers
            try:
                samples = scrape(httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text)
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    # the fixture's own readiness probe is one more /healthz
    assert value(samples, "http_requests_total", handler="/healthz", status="200") == 31
    pids = {p.name.split("_")[-1] for p in multiproc.glob("*.db")}
    assert len(pids) >= 2, pids  # both workers wrote their figures


# ---- logs and request ids ----
def test_request_id_flows_from_header_to_problem_and_log(api_server: str, server_logs: Path) -> None:
    rid = "ops-test-0042:abc"
    r = httpx.get(f"{api_server}/v1/documents/ADR-9999", headers={**AUTH, "X-Request-ID": rid})
    p = is_problem(r, 404)
    assert r.headers["x-request-id"] == rid and p["request_id"] == rid
    time.sleep(0.3)
    lines = [ln for ln in server_lines(server_logs) if ln.get("request_id") == rid]
    access = [ln for ln in lines if ln["logger"] == "archie.access"]
    assert len(access) == 1, lines
    line = access[0]
    assert {"time", "level", "logger", "message", "request_id", "method", "route", "status", "duration_ms"} <= set(line)
    assert line["method"] == "GET" and line["route"] == "/v1/documents/{doc_id}" and line["status"] == 404
    assert line["level"] == "INFO" and line["duration_ms"] >= 0


def test_request_id_is_generated_when_missing_or_unsafe(api_server: str) -> None:
    for headers in ({}, {"X-Request-ID": "has spaces and \"quotes\""}, {"X-Request-ID": "x" * 129},
                    {"X-Request-ID": "line\\nbreak"}, {"X-Request-ID": ""}):
        r = httpx.get(f"{api_server}/v1/documents", headers=headers)  # no key: a 401 from the middleware
        p = is_problem(r, 401)
        rid = r.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid), rid
        assert p["request_id"] == rid
    assert httpx.get(f"{api_server}/healthz").headers["x-request-id"]  # on every response


def test_keys_and_questions_stay_out_of_the_logs(api_server: str, server_logs: Path) -> None:
    question = "Which zebracorn database stores the quokka ledger?"
    httpx.post(f"{api_server}/v1/ask", json={"question": question}, headers=AUTH, timeout=120)
    httpx.get(f"{api_server}/v1/search", params={"q": "zebracorn quokka", "k": 2},
              headers={"Authorization": f"Bearer {OTHER_KEY}"})
    httpx.get(f"{api_server}/v1/documents", headers={"Authorization": "Bearer wrong-key-but-long-enough-0123"})
    time.sleep(0.3)
    logs = "".join(p.read_text() for p in server_logs.glob("*.log"))
    assert "zebracorn" not in logs and "quokka" not in logs
    assert KEY not in logs and OTHER_KEY not in logs and "wrong-key-but-long-enough" not in logs
    ask = [ln for ln in server_lines(server_logs) if ln.get("route") == "/v1/ask" and ln["logger"] == "archie.access"]
    assert ask and "question" not in ask[-1] and "abstained" in ask[-1]


def test_questions_are_logged_when_asked_to(mini_home: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="archie.access")
    with app_client(mini_home, log_questions=True) as c:
        c.post("/v1/ask", json={"question": QUESTION}, headers=AUTH)
        c.get("/v1/search", params={"q": "ledger primary", "token": "sekrit-value"}, headers=AUTH)
    fields = [r.fields for r in caplog.records if r.name == "archie.access"]  # type: ignore[attr-defined]
    assert any(f.get("question") == QUESTION for f in fields)
    search = next(f for f in fields if f["route"] == "/v1/search")
    assert "q=ledger+primary" in search["path"] and "sekrit" not in search["path"]


def test_log_formats() -> None:
    from api.logs import JsonFormatter, PlainFormatter

    record = logging.LogRecord("archie.access", logging.INFO, __file__, 1, "GET %s %s", ("/v1/x", 200), None)
    record.fields = {"route": "/v1/x", "status": 200, "duration_ms": 1.5}
    record.request_id = "rid-1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /v1/x 200" and line["request_id"] == "rid-1" and line["duration_ms"] == 1.5
    plain = PlainFormatter().format(record)
    assert "[rid-1]" in plain and "GET /v1/x 200" in plain and "duration_ms=1.5" in plain
    access = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/v1/x?key=abc", "1.1", 401), None)
    from api.logs import RedactQuery

    RedactQuery().filter(access)
    line = json.loads(JsonFormatter().format(access))
    assert "abc" not in json.dumps(line) and line["status"] == 401 and line["path"] == "/v1/x?key=***"


# ---- tracing ----
def test_tracing_off_imports_no_opentelemetry(served: tuple[Path, Path]) -> None:
    home, _ = served
    code = ("import sys\nfrom fastapi.testclient import TestClient\nfrom api import create_app\n"
            "from assistant.settings import Settings\n"
            f"app = create_app(Settings(home={str(home)!r}, api_keys={KEY!r}))\n"
            "with TestClient(app, base_url='http://127.0.0.1', client=('127.0.0.1', 5)) as c:\n"
            "    assert c.get('/healthz').status_code == 200\n"
            "    print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', 'opentelemetry.exporter', "
            "'opentelemetry.instrumentation', 'api.tracing'))))\n"
            f"    assert c.get('/v1/documents', headers={{'Authorization': 'Bearer {KEY}'}}).status_code == 200\n"
            "    print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.instrumentation', 'api.tracing'))))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base_env(), capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    # FastAPI itself imports the (no-op) OpenTelemetry API when it is installed, and chromadb the
    # SDK for its own use once the index is opened; archie loads no SDK, exporter or instrumentation
    assert out.stdout.splitlines() == ["[]", "[]"], out.stdout


def test_tracing_without_the_extra_is_one_config_error(mini_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from api import create_app
    from assistant.cli import app
    from assistant.errors import ConfigError
    from assistant.settings import Settings

    monkeypatch.setitem(sys.modules, "opentelemetry.instrumentation.fastapi", None)  # as if not installed
    with pytest.raises(ConfigError) as exc:
        create_app(Settings(home=mini_home, api_keys=KEY, api_tracing=True))
    assert "archie[otel]" in exc.value.hint and "\n" not in exc.value.message
    monkeypatch.setenv("ARCHIE_API_TRACING", "true")
    monkeypatch.setenv("ARCHIE_API_KEYS", KEY)
    r = CliRunner().invoke(app, ["serve"])
    assert isinstance(r.exception, ConfigError) and "api_tracing" in str(r.exception)


class _Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        _Collector.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def otlp_receiver() -> Iterator[str]:
    """A loopback HTTP server that takes OTLP/HTTP posts and keeps their bodies."""
    _Collector.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_tracing_exports_request_spans(mini_home: Path, otlp_receiver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("opentelemetry.instrumentation.fastapi", reason="the otel extra")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp_receiver)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "archie-test")
    with app_client(mini_home, api_tracing=True) as c:
        r = c.get("/v1/documents/ADR-0003", headers={**AUTH, "X-Request-ID": "trace-me-1"})
        assert r.status_code == 200
    # leaving the client ran the lifespan's shutdown, which flushes the exporter
    sent = b"".join(_Collector.bodies)
    assert b"/v1/documents/{doc_id}" in sent and b"archie-test" in sent
    assert b"archie.request_id" in sent and b"trace-me-1" in sent
