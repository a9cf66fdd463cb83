"""The web page in a real browser: Playwright driving Debian's chromium (never a downloaded
browser) against the session's uvicorn server on 127.0.0.1. Screenshots go to artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import KEY
from tests.conftest import ROOT

pytestmark = [pytest.mark.server, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (`make test` installs it with apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, api_server: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # only the test server: any other request would be a page that phones home
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(api_server)
                  else route.abort())
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(api_server + "/")
    pg.fill("#api-key", KEY)
    pg.dispatch_event("#api-key", "change")
    yield pg
    context.close()
    assert errors == []  # no JavaScript errors


def _shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / name), full_page=True)


def test_ask_shows_a_streamed_cited_answer_with_clickable_sources(page) -> None:
    page.fill("#question", "Why did the ledger move off a single PostgreSQL primary?")
    page.click("#ask-button")
    cite = page.locator("#answer-text a.cite").first
    cite.wait_for(state="visible", timeout=60_000)
    assert page.locator("#answer-text .claim").count() >= 1
    assert cite.inner_text().startswith("[ADR-") and "§" in cite.inner_text()
    sources = page.locator("#sources a.source")
    assert "ADR-0003" in sources.all_inner_texts()
    cite.click()  # opens the cited document at the cited section
    page.locator("#doc-panel .doc-section.cited").first.wait_for(state="visible", timeout=30_000)
    assert page.locator("#doc-title").inner_text().startswith(cite.get_attribute("data-doc") + ":")
    _shot(page, "ask.png")


def test_upload_a_design_doc_and_see_findings_by_severity(page, tmp_path: Path) -> None:
    doc = tmp_path / "cache-design.md"
    doc.write_text("# Cache the catalogue\n\n## Context\n\nCatalogue reads are slow.\n\n"
                   "## Proposal\n\nA blazing fast, infinitely scalable cache. TBD\n\n"
                   "The cache's TLS certificate comes from the same CA as the billing API certificate; the certificate "
                   "is renewed by hand each year by the on-call engineer, like the other certificates.\n")
    page.click("#tab-review")
    page.set_input_files("#review-file", str(doc))
    page.click("#review-button")
    page.locator("#findings .finding").first.wait_for(state="visible", timeout=60_000)
    groups = page.locator("#findings section.severity").evaluate_all("els => els.map(e => e.dataset.severity)")
    assert groups and groups == sorted(groups, key=["high", "medium", "low", "info"].index)
    assert "high" in groups
    assert "Cache the catalogue" in page.locator("#review-title").inner_text()
    # the organisation's own precedent is shown under the finding it backs (PM-009: a certificate expired)
    assert any("PM-009" in t for t in page.locator("#findings .finding .precedent").all_inner_texts())
    _shot(page, "review.png")


def test_incident_trends_chart_and_table(page) -> None:
    page.click("#tab-incidents")
    page.click("#trends-button")
    page.locator("#trends-table tbody tr").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_function("() => { const i = document.getElementById('trends-chart-img'); "
                           "return i.complete && i.naturalWidth > 100; }", timeout=30_000)
    assert page.locator("#trends-summary").inner_text()
    _shot(page, "trends.png")


def test_a_wrong_key_shows_the_problem(page) -> None:
    page.fill("#api-key", "not-the-right-key-at-all")
    page.dispatch_event("#api-key", "change")
    page.fill("#question", "Why kafka?")
    page.click("#ask-button")
    status = page.locator("#ask-status.error")
    status.wait_for(state="visible", timeout=30_000)
    assert "API key" in status.inner_text()
