"""`archie review` on documents kept as Word, PDF or HTML: the same review, with every finding
naming where in the original file it is (a page, a heading and paragraph)."""

from __future__ import annotations

import re

from assistant.review import review
from assistant.settings import get_settings
from tests.conftest import CORPUS


def test_a_word_design_doc_is_reviewed_and_findings_name_their_place() -> None:
    r = review(CORPUS / "design" / "013-region-loss-readiness.docx", None, settings=get_settings())
    assert r.title == "Region-loss readiness for checkout and identity"
    assert r.counts["high"] == 0  # a clean design doc, whatever format it is kept in
    assert r.findings and all(f.location and f.location.startswith("§") for f in r.findings)


def test_a_pdf_finding_names_its_page() -> None:
    r = review(CORPUS / "postmortems" / "2026-10-27-region-loss-drill-vcpu-quota.pdf", None, settings=get_settings())
    pages = [f.location for f in r.findings if f.location]
    assert pages and all(re.fullmatch(r"pages? \d+(?:-\d+)?", p) for p in pages), pages


def test_an_uploaded_word_file_is_reviewed_by_the_api(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from api import create_app
    from assistant.settings import Settings

    data = (CORPUS / "design" / "013-region-loss-readiness.docx").read_bytes()
    key = "k" * 32
    with TestClient(create_app(Settings(home=tmp_path, api_keys=key))) as client:
        resp = client.post("/v1/review", headers={"Authorization": f"Bearer {key}"},
                           files={"file": ("region-loss.docx", data, "application/octet-stream")})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["title"] == "Region-loss readiness for checkout and identity"
    assert all(f["location"] for f in body["findings"])
