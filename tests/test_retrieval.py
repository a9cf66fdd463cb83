from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.errors import NoIndexError
from assistant.index.library import Library
from assistant.models import Kind, SearchFilters, Status
from assistant.settings import Settings


def _search(q: str, k: int = 8, **filters: object):
    with Library(Settings()) as r:
        return r.search(q, SearchFilters(**filters), k=k).hits  # type: ignore[arg-type]


def test_no_index_is_a_clear_error() -> None:
    with pytest.raises(NoIndexError) as exc:
        Library(Settings())
    assert "no index yet" in str(exc.value) and "archie index" in exc.value.hint


def test_filters_apply_to_both_halves(mini_home: Path) -> None:
    hits = _search("ledger", kind=Kind.adr)
    assert hits and all(h.kind is Kind.adr for h in hits)
    assert all(h.status is Status.accepted for h in _search("ledger", status=Status.accepted))
    recent = _search("ledger", since=dt.date(2024, 5, 1))
    assert recent and all(h.date and h.date >= dt.date(2024, 5, 1) for h in recent)
    older = _search("ledger", until=dt.date(2022, 12, 31))
    assert older and all(h.date and h.date <= dt.date(2022, 12, 31) for h in older)
    billing = _search("certificate", service="billing")
    assert billing and all("billing" in h.services for h in billing)
    assert _search("ledger", service="no-such-service") == []


def test_superseded_results_name_their_successor(mini_home: Path) -> None:
    hits = _search("keep the ledger in PostgreSQL with synchronous replication", k=3)
    old = [h for h in hits if h.doc_id == "ADR-0001"]
    assert old and old[0].status is Status.superseded and old[0].superseded_by == ["ADR-0003"]


def test_lexical_half_finds_a_rare_exact_term(mini_home: Path) -> None:
    hits = _search("zebrafinch", k=3)
    assert hits[0].doc_id == "PM-007" and hits[0].lexical_rank == 1


def test_dense_half_finds_paraphrases(mini_home: Path) -> None:
    hits = _search("which database did we choose for money movements before switching", k=4)
    assert {"ADR-0001", "ADR-0003"} & {h.doc_id for h in hits[:2]}


def test_hits_cite_lines_that_hold_the_text(mini_home: Path) -> None:
    from tests.conftest import MINI

    for h in _search("idempotency key duplicates", k=4):
        lines = (MINI.parent / h.path).read_text().splitlines()
        first = h.text.lstrip("…").splitlines()[0][:30]
        assert any(first in ln for ln in lines[h.line_start - 1 : h.line_end])


def test_lexical_index_follows_the_store(mini_home: Path, tmp_path: Path) -> None:
    """A re-index (here: a new document) is visible to an open retriever at its next query."""
    import shutil

    from assistant.index.indexer import Indexer
    from tests.conftest import MINI

    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    s = Settings()
    with Library(s) as r:
        assert "DD-200" not in {h.doc_id for h in r.search("quokka", k=3).hits}
        (root / "design" / "quokka.md").write_text("---\nid: DD-200\nkind: design\n---\n# Quokka cache\n\n## Proposal\n\nA quokka cache in front of billing.\n")
        Indexer(s).run([root])
        assert r.search("quokka", k=3).hits[0].doc_id == "DD-200"
