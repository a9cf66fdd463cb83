"""Keys, rate limits, body limit, time limit, CORS, --no-auth, and bad input: each a 4xx problem."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest
from typer.testing import CliRunner

from tests.api.conftest import AUTH, KEY, OTHER_KEY, app_client, is_problem


# ---- bad inputs against the real server: each a 4xx problem detail naming what is wrong ----
@pytest.mark.parametrize(("name", "request_kwargs", "status", "mentions"), [
    ("empty body", {"method": "POST", "url": "/v1/ask", "headers": {"Content-Type": "application/json"}}, 422, "empty"),
    ("missing field", {"method": "POST", "url": "/v1/ask", "json": {"k": 3}}, 422, "body.question"),
    ("blank question", {"method": "POST", "url": "/v1/ask", "json": {"question": "   "}}, 422, "body.question"),
    ("malformed JSON", {"method": "POST", "url": "/v1/ask", "content": b'{"question": "why', "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ("wrong content type", {"method": "POST", "url": "/v1/ask", "content": b"why kafka?", "headers": {"Content-Type": "text/plain"}}, 415, "application/json"),
    ("non-UTF-8 JSON", {"method": "POST", "url": "/v1/ask", "content": b'{"question": "caf\xe9"}', "headers": {"Content-Type": "application/json"}}, 400, "JSON"),
    ("huge body", {"method": "POST", "url": "/v1/review", "json": {"text": "x" * 300_000}}, 413, "limit"),
    ("binary upload", {"method": "POST", "url": "/v1/review", "files": {"file": ("d.md", b"# x\x00\x01\x02", "text/markdown")}}, 422, "binary"),
    ("corrupt PDF upload", {"method": "POST", "url": "/v1/review", "files": {"file": ("d.pdf", b"%PDF-1.7\x00\x01\x02", "application/pdf")}}, 422, "PDF"),
    ("non-UTF-8 upload", {"method": "POST", "url": "/v1/review", "files": {"file": ("d.md", "# Café\n".encode("latin-1"), "text/markdown")}}, 422, "UTF-8"),
    ("upload without file", {"method": "POST", "url": "/v1/review", "files": {"other": ("d.md", b"# x\n", "text/markdown")}}, 422, "file"),
    ("review of XML", {"method": "POST", "url": "/v1/review", "content": b"<doc/>", "headers": {"Content-Type": "application/xml"}}, 415, "multipart"),
    ("unknown document id", {"method": "GET", "url": "/v1/documents/ADR-4242"}, 404, "ADR-4242"),
    ("unknown route", {"method": "GET", "url": "/v1/nothing-here"}, 404, "/v1/nothing-here"),
    ("bad enum", {"method": "GET", "url": "/v1/search", "params": {"q": "x", "kind": "poem"}}, 422, "query.kind"),
    ("k out of range", {"method": "GET", "url": "/v1/search", "params": {"q": "x", "k": 0}}, 422, "query.k"),
    ("bad date", {"method": "POST", "url": "/v1/ask", "json": {"question": "why", "as_of": "last tuesday"}}, 422, "body.as_of"),
    ("negative capacity", {"method": "POST", "url": "/v1/capacity/plan", "json": {"peak": "-5rps", "limit": "10rps"}}, 422, "body.peak"),
])
def test_bad_input_is_a_problem_detail(client: httpx.Client, name: str, request_kwargs: dict, status: int,
                                       mentions: str) -> None:
    p = is_problem(client.request(**request_kwargs), status)
    assert mentions.lower() in (p.get("detail", "") + str(p.get("errors", ""))).lower(), (name, p)
    if status == 422:
        assert p.get("hint")  # says what to do


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key-0123456789"}, {"Authorization": f"Basic {KEY}"},
                                     {"Authorization": "Bearer"}])
def test_missing_or_wrong_key_is_401(api_server: str, headers: dict) -> None:
    r = httpx.post(f"{api_server}/v1/ask", json={"question": "why"}, headers=headers)
    p = is_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer") and "ARCHIE_API_KEYS" in p["hint"]
    # unauthenticated requests are refused before the body is read: even a malformed one is a 401
    assert httpx.post(f"{api_server}/v1/ask", content=b"{", headers=headers).status_code == 401


def test_both_keys_work_and_neither_is_logged(api_server: str, server_logs: Path) -> None:
    for key in (KEY, OTHER_KEY):
        assert httpx.get(f"{api_server}/v1/documents", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    httpx.get(f"{api_server}/v1/documents", headers={"Authorization": "Bearer not-a-valid-key-at-all"})
    logs = "".join(p.read_text() for p in server_logs.glob("*.log"))
    assert "GET /v1/documents" in logs  # the access log is there
    assert KEY not in logs and OTHER_KEY not in logs and "not-a-valid-key-at-all" not in logs


def test_keys_from_a_file(tmp_path: Path, mini_home: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# team keys\n{KEY}\n\n{OTHER_KEY}\n")
    with app_client(mini_home, api_keys=str(keys)) as c:
        assert c.get("/v1/documents", headers={"Authorization": f"Bearer {OTHER_KEY}"}).status_code == 200
        assert c.get("/v1/documents", headers={"Authorization": "Bearer # team keys"}).status_code == 401


def test_no_keys_or_short_keys_refuse_to_start(mini_home: Path) -> None:
    from api import create_app
    from assistant.errors import ConfigError
    from assistant.settings import Settings

    with pytest.raises(ConfigError, match="ARCHIE_API_KEYS"):
        create_app(Settings(home=mini_home))
    with pytest.raises(ConfigError, match="shorter than 16"):
        create_app(Settings(home=mini_home, api_keys="abc,def"))
    with pytest.raises(ConfigError, match="does not exist"):
        create_app(Settings(home=mini_home, api_keys="/no/such/keys.txt"))


def test_rate_limit_is_per_key_with_retry_after(mini_home: Path) -> None:
    with app_client(mini_home, api_rate_per_minute=6, api_rate_burst=2) as c:
        for _ in range(2):
            assert c.get("/healthz").status_code == 200  # not counted
            assert c.get("/v1/documents", headers=AUTH).status_code == 200
        r = c.get("/v1/documents", headers=AUTH)
        p = is_problem(r, 429)
        assert int(r.headers["retry-after"]) >= 1 and "Retry-After" in p["hint"]
        assert c.get("/v1/documents", headers={"Authorization": f"Bearer {OTHER_KEY}"}).status_code == 200


def test_chunked_body_over_the_limit_is_413(mini_home: Path) -> None:
    def chunks():
        for _ in range(10):
            yield b"x" * 1024

    with app_client(mini_home, api_max_body_bytes=4096) as c:
        r = c.post("/v1/review", content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
        is_problem(r, 413)


def test_requests_past_the_time_limit_get_504(mini_home: Path) -> None:
    import time

    from api.deps import Services
    from api.problems import RequestTimeout
    from assistant.settings import Settings

    services = Services(Settings(home=mini_home, api_timeout=0.2))

    async def main() -> None:
        services.limiter = anyio.CapacityLimiter(2)
        started = time.monotonic()
        with pytest.raises(RequestTimeout) as exc:
            await services.run(time.sleep, 3)
        assert time.monotonic() - started < 2  # answered at the limit, not when the work ends
        assert exc.value.status_code == 504

    anyio.run(main)


def test_cors_is_off_by_default_and_on_when_configured(client: httpx.Client, mini_home: Path) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    r = client.options("/v1/ask", headers=preflight)
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-origin" not in client.get("/v1/documents", headers={"Origin": "https://evil.example"}).headers
    with app_client(mini_home, api_cors_origins=["https://review.example"]) as c:
        r = c.options("/v1/ask", headers={**preflight, "Origin": "https://review.example"})
        assert r.headers["access-control-allow-origin"] == "https://review.example"
        r = c.options("/v1/ask", headers=preflight)
        assert "access-control-allow-origin" not in r.headers


def test_no_auth_serves_loopback_only(mini_home: Path) -> None:
    from fastapi.testclient import TestClient

    from api import create_app
    from assistant.settings import Settings

    app = create_app(Settings(home=mini_home, api_auth=False))
    with TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 5000)) as c:
        assert c.get("/v1/documents").status_code == 200
    with TestClient(app, base_url="http://127.0.0.1", client=("10.9.9.9", 5000)) as c:
        p = is_problem(c.get("/v1/documents"), 403)
        assert "loopback" in p["detail"]
    with TestClient(app, base_url="http://10.1.2.3", client=("10.9.9.9", 5000)) as c:
        is_problem(c.get("/v1/documents"), 421)  # a name that is not loopback is refused first


def test_serve_refuses_no_auth_off_loopback_and_without_keys() -> None:
    from assistant.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--no-auth"])
    assert r.exit_code != 0 and "--no-auth" in str(r.exception)
    r = runner.invoke(app, ["serve", "--host", "127.0.0.1"])
    assert r.exit_code != 0 and "ARCHIE_API_KEYS" in str(r.exception)
