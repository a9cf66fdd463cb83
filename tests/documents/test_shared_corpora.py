"""Real documents nobody here wrote (../shared/corpora): every file parses; samples of each
collection come out as their authors wrote them."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from assistant.documents import read_document
from assistant.models import Kind
from tests.conftest import SHARED

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="../shared/corpora is not beside this checkout")


def test_every_file_parses_with_the_right_kind() -> None:
    kinds = {"adr": Kind.adr, "design": Kind.design, "postmortems": Kind.postmortem}
    files = [p for p in SHARED.rglob("*.md") if p.name != "README.md"]
    assert len(files) >= 340
    for p in files:
        doc = read_document(p, SHARED)
        assert doc.kind is kinds[p.relative_to(SHARED).parts[0]], p


def test_icco_start_and_end_times_give_durations() -> None:
    checked = 0
    for p in sorted((SHARED / "postmortems" / "icco").glob("*.md")):
        fm = yaml.safe_load(p.read_text().split("---")[1])
        doc = read_document(p, SHARED)
        pm = doc.postmortem
        assert pm is not None and doc.title
        if fm.get("title"):
            assert doc.title == str(fm["title"]).strip()
        if isinstance(fm.get("start_time"), dt.datetime):
            assert pm.started is not None and pm.started.replace(tzinfo=None) == fm["start_time"].replace(tzinfo=None)
        if isinstance(fm.get("start_time"), dt.datetime) and isinstance(fm.get("end_time"), dt.datetime):
            expected = (fm["end_time"] - fm["start_time"]).total_seconds() / 60
            assert pm.duration_minutes == pytest.approx(expected), p.name
            checked += 1
        if not fm.get("start_time"):
            assert pm.started is None  # not stated, not guessed
    assert checked >= 140


def test_rust_rfcs_are_design_docs_with_their_sections() -> None:
    seen = english = 0
    files = sorted((SHARED / "design" / "rust-rfcs").glob("*.md"))
    for p in files:
        doc = read_document(p, SHARED)
        headings = {s.heading.lower() for s in doc.sections}
        assert doc.kind is Kind.design and doc.title and doc.sections, p.name
        english += "summary" in headings or "motivation" in headings
        seen += doc.date is not None
    assert english >= len(files) - 3  # one RFC is in Chinese, one is a short list of non-goals
    assert seen >= 30  # "- Start Date: 2014-..." bullets
