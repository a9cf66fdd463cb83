"""``archie index --since-ref REF`` on a real git repository made by the test: only documents
changed since REF are passed to the indexer, the others stay as indexed; a rename or deletion
means a full (incremental) run; and what the folder walk leaves out stays out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.cli.index_cmd import changed_since
from assistant.errors import BadInputError
from tests.gitrepo import POSTMORTEM, Repo, sample_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    r, _, _ = sample_repo(tmp_path / "shop")
    r.git("checkout", "-q", "main")
    monkeypatch.chdir(r.root)
    return r


def _index(*args: str) -> dict:
    out = CliRunner().invoke(app, ["index", *args, "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def _docs() -> set[str]:
    return {d["id"] for d in json.loads(CliRunner().invoke(app, ["docs", "list", "--json"]).output)}


def test_only_changed_documents_are_indexed_and_the_rest_stay(repo: Repo) -> None:
    full = _index("docs")
    assert full["added"] == 4
    before = _docs()
    repo.git("checkout", "-q", "feature")  # adds a design doc, changes ADR 2 and src/app.py
    repo.write("docs/.archieignore", "NOTES.md\n")
    repo.write("docs/NOTES.md", "# scratch notes\n")
    repo.write("docs/postmortems/2024-04-01-cache.md", POSTMORTEM.replace("PM-001", "PM-002"))
    repo.commit("notes and a postmortem")
    assert [p.relative_to(repo.root.resolve()).as_posix() for p in changed_since([Path("docs")], "main")] == [
        "docs/adr/0002-retry-budgets.md", "docs/design/inventory-cache.md", "docs/postmortems/2024-04-01-cache.md"]
    summary = _index("docs", "--since-ref", "main")
    assert (summary["added"], summary["changed"], summary["removed"], summary["unchanged"]) == (2, 1, 0, 0)
    assert _docs() == before | {"PM-002", "inventory-cache"}  # nothing that was not passed went away


def test_renames_or_deletions_mean_a_full_incremental_run(repo: Repo) -> None:
    _index("docs")
    repo.git("rm", "-q", "docs/design/search-indexing.md")
    repo.commit("drop the old design")
    assert changed_since([Path("docs")], "HEAD~1") is None
    summary = _index("docs", "--since-ref", "HEAD~1")
    assert summary["removed"] == 1 and summary["chunks_embedded"] == 0  # nothing re-embedded
    assert "search-indexing" not in _docs()


def test_nothing_changed_and_not_a_repository(repo: Repo, tmp_path: Path) -> None:
    out = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["index", "docs", "--since-ref", "HEAD"])
    assert out.exit_code == 0 and "nothing to index" in out.output
    assert changed_since([Path("docs/adr")], "main") == []  # changes outside the paths do not count
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(BadInputError, match="not in a git repository"):
        changed_since([plain], "main")
    bad = CliRunner().invoke(app, ["index", "docs", "--since-ref", "nope"])
    assert bad.exit_code != 0 and "unknown git ref 'nope'" in str(bad.exception)
