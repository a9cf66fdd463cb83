"""Every route against the session's real uvicorn server, returning the CLI's models."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from assistant.models import Answer, DocSummary, Document, SearchResult
from tests.api.conftest import is_problem

QUESTION = "Why did the ledger move off a single PostgreSQL primary?"


def sse_events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    ready = r.json()
    assert ready["ready"] and set(ready["checks"]) == {"index", "embeddings", "model"}
    assert "chunks" in ready["checks"]["index"]["detail"]


def test_ask_returns_a_cited_answer_whose_sources_resolve(client: httpx.Client) -> None:
    r = client.post("/v1/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    answer = Answer.model_validate(r.json())
    assert not answer.abstained and answer.claims and all(c.citations for c in answer.claims)
    ids = {d["id"] for d in client.get("/v1/documents").json()}
    assert {c.doc_id for claim in answer.claims for c in claim.citations} <= ids
    assert "ADR-0003" in {s.doc_id for s in answer.sources}


def test_ask_streams_server_sent_events(client: httpx.Client) -> None:
    r = client.post("/v1/ask", json={"question": QUESTION}, headers={"Accept": "text/event-stream"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    assert [e for e, _ in events] == ["answer"]  # extractive: no model tokens, just the checked answer
    answer = Answer.model_validate(events[0][1])
    assert answer.claims and answer.verdict.claims_kept >= 1


def test_the_same_models_as_the_cli_json(client: httpx.Client, served: tuple[Path, Path],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import app
    from assistant.settings import get_settings

    monkeypatch.setenv("ARCHIE_HOME", str(served[0]))
    get_settings.cache_clear()
    runner = CliRunner()
    cli = runner.invoke(app, ["search", "ledger failover", "-k", "4", "--json"])
    assert cli.exit_code == 0, cli.output
    api = client.get("/v1/search", params={"q": "ledger failover", "k": 4})
    assert SearchResult.model_validate_json(cli.output) == SearchResult.model_validate(api.json())
    cli = runner.invoke(app, ["docs", "show", "ADR-0003", "--json"])
    assert Document.model_validate_json(cli.output) == Document.model_validate(client.get("/v1/documents/ADR-0003").json())


def test_search_with_filters_and_documents(client: httpx.Client) -> None:
    r = client.get("/v1/search", params={"q": "certificate expired", "kind": "postmortem", "k": 3})
    hits = SearchResult.model_validate(r.json()).hits
    assert hits and all(h.kind.value == "postmortem" for h in hits)
    docs = [DocSummary.model_validate(d) for d in client.get("/v1/documents", params={"kind": "adr"}).json()]
    assert {d.id for d in docs} == {"ADR-0001", "ADR-0002", "ADR-0003"}
    adr1 = next(d for d in docs if d.id == "ADR-0001")
    assert adr1.superseded_by  # supersession resolved, as in `archie docs list`
    p = is_problem(client.get("/v1/documents/ADR-9999"), 404)
    assert "ADR-9999" in p["detail"] and p["hint"]


def test_incidents_trends_chart_and_similar(client: httpx.Client) -> None:
    rows = client.get("/v1/incidents").json()
    assert {r["id"] for r in rows} >= {"PM-009"}
    t = client.get("/v1/incidents/trends", params={"by": "quarter"}).json()
    assert t["incidents"] == len(rows) and t["periods"] and t["summary"]
    png = client.get("/v1/incidents/trends", params={"format": "png", "chart": "mttr"})
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    similar = client.post("/v1/incidents/similar", json={"text": "the billing certificate expired again", "k": 2}).json()
    assert similar[0]["id"] == "PM-009" and "cert" in similar[0]["why"]


def test_capacity_plan(client: httpx.Client) -> None:
    r = client.post("/v1/capacity/plan", json={"peak": "1200rps", "limit": "5000rps", "growth": "40%/year",
                                               "regions": 3, "survive_region_loss": True})
    plan = r.json()
    assert r.status_code == 200 and plan["verdict"] in ("ok", "at risk", "over capacity")
    util = next(f for f in plan["figures"] if f["name"] == "utilization")
    assert util["value"] == pytest.approx(0.24) and util["formula"]
    p = is_problem(client.post("/v1/capacity/plan", json={"peak": "12 bananas", "limit": "5000rps"}), 422)
    assert p["errors"][0]["field"] == "body.peak"


DRAFT = "# Cache the catalogue\n\n## Context\n\nCatalogue reads are slow.\n\n## Proposal\n\nTBD\n"


def test_review_json_and_upload_agree(client: httpx.Client) -> None:
    as_json = client.post("/v1/review", json={"text": DRAFT, "path": "cache.md"}).json()
    upload = client.post("/v1/review", files={"file": ("cache.md", DRAFT.encode(), "text/markdown")}).json()
    as_json.pop("seconds", None), upload.pop("seconds", None)
    assert as_json["findings"] and as_json == upload
    assert {f["severity"] for f in as_json["findings"]} <= {"high", "medium", "low", "info"}


@pytest.mark.parametrize("fmt", ["markdown", "sarif"])
def test_review_formats(client: httpx.Client, fmt: str) -> None:
    r = client.post("/v1/review", params={"format": fmt}, json={"text": DRAFT})
    assert r.status_code == 200, r.text
    if fmt == "markdown":
        assert r.headers["content-type"].startswith("text/markdown") and "Cache the catalogue" in r.text
    else:
        assert r.headers["content-type"].startswith("application/sarif+json") and r.json()["version"] == "2.1.0"


def test_index_job_reports_progress_and_summary(client: httpx.Client) -> None:
    r = client.post("/v1/index")
    assert r.status_code == 202, r.text
    job = r.json()
    assert r.headers["location"] == f"/v1/index/{job['id']}"
    deadline = time.monotonic() + 120
    while job["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
        job = client.get(f"/v1/index/{job['id']}").json()
    assert job["state"] == "done", job
    assert job["summary"]["unchanged"] >= 7 and job["summary"]["chunks_embedded"] == 0
    is_problem(client.get("/v1/index/000000000000"), 404)
    is_problem(client.get("/v1/index/..%2F..%2Fetc"), 404)


def test_openapi_documents_every_route_with_examples(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert paths >= {"/v1/ask", "/v1/review", "/v1/incidents", "/v1/incidents/trends", "/v1/incidents/similar",
                     "/v1/capacity/plan", "/v1/search", "/v1/documents", "/v1/documents/{doc_id}", "/v1/index",
                     "/v1/index/{job}", "/healthz", "/readyz"}
    assert spec["components"]["schemas"]["AskRequest"]["examples"]
    assert "multipart/form-data" in spec["paths"]["/v1/review"]["post"]["requestBody"]["content"]
    assert "text/event-stream" in spec["paths"]["/v1/ask"]["post"]["responses"]["200"]["content"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "swagger" in client.get("/docs").text.lower()


def test_web_page_is_served(client: httpx.Client) -> None:
    page = client.get("/", headers={"Authorization": ""})
    assert page.status_code == 200 and 'id="ask-form"' in page.text
    assert client.get("/static/app.js").status_code == 200
