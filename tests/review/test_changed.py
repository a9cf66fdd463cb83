"""``archie review --changed``: only the design docs and ADRs a change adds or modifies are
reviewed (contents from the working tree), reported as one SARIF run and one Markdown summary,
with ``--fail-on`` over all of them; and several files at once, as a pre-commit hook passes them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.review.summary import MARKER, NOTHING_REVIEWED
from tests.conftest import ROOT
from tests.gitrepo import Repo, sample_repo

SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
CHANGED_DOCS = ["docs/adr/0002-retry-budgets.md", "docs/design/inventory-cache.md"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    r, _, _ = sample_repo(tmp_path / "shop")
    monkeypatch.chdir(r.root)
    return r


def _invoke(*args: str):
    return CliRunner(env={"COLUMNS": "200"}).invoke(app, ["review", *args])


def test_only_added_and_changed_design_docs_and_adrs_are_reviewed(repo: Repo) -> None:
    out = _invoke("--changed", "main...HEAD", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["change"] == "main...HEAD" and Path(data["root"]) == repo.root.resolve()
    assert sorted(r["path"] for r in data["reviews"]) == CHANGED_DOCS
    assert {s["path"]: s["why"] for s in data["skipped"]} == {"src/app.py": "not-a-document"}
    assert data["counts"]["high"] == sum(r["counts"]["high"] for r in data["reviews"]) >= 2
    assert data["verdict"].startswith("needs work before review")


def test_one_sarif_run_for_all_files_valid_against_the_schema(repo: Repo, tmp_path: Path) -> None:
    out = _invoke("--changed", "main", "--format", "sarif", "-o", str(tmp_path / "r.sarif"))
    assert out.exit_code == 0, out.output
    log = json.loads((tmp_path / "r.sarif").read_text())
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    assert not [e.message for e in validator.iter_errors(log)]
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    uris = {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in run["results"]}
    assert uris == set(CHANGED_DOCS)
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)  # deduplicated across files
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert sorted(f["uri"] for f in run["properties"]["files"]) == CHANGED_DOCS


def test_markdown_summary_and_fail_on_cover_every_file(repo: Repo, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    out = _invoke("--changed", "main...HEAD", "--format", "markdown", "--summary", str(summary), "--fail-on", "high")
    assert out.exit_code == 1  # a high finding in either doc fails the run, after writing the report
    md = out.output
    assert md.startswith(MARKER) and summary.read_text() == md
    assert "### archie review: 2 design docs / ADRs in `main...HEAD`" in md
    for path in CHANGED_DOCS:
        assert f"| `{path}` | needs work before review |" in md and f"#### `{path}`:" in md
    assert "src/app.py" not in md and "1 other changed file not design docs or ADRs" in md


def test_postmortems_and_ignored_paths_are_not_reviewed(repo: Repo) -> None:
    repo.write("docs/postmortems/2024-02-10-checkout-retry-storm.md",
               (repo.root / "docs/postmortems/2024-02-10-checkout-retry-storm.md").read_text() + "\nMore detail.\n")
    repo.write(".archie/review.toml", 'ignore = ["docs/adr/**"]\n')
    repo.commit("postmortem detail; review config")
    out = _invoke("--changed", "main...HEAD", "--format", "json")
    data = json.loads(out.output)
    assert [r["path"] for r in data["reviews"]] == ["docs/design/inventory-cache.md"]
    why = {s["path"]: s["why"] for s in data["skipped"]}
    assert why["docs/adr/0002-retry-budgets.md"] == "ignored"
    assert why["docs/postmortems/2024-02-10-checkout-retry-storm.md"] == "not-reviewed-kind"
    assert data["config"].endswith(".archie/review.toml")


def test_the_working_tree_is_read_not_git_objects(repo: Repo) -> None:
    (repo.root / "docs/design/inventory-cache.md").write_text("# Cache inventory counts\n\n## Context\n\nRewritten locally.\n")
    data = json.loads(_invoke("--changed", "main", "--format", "json").output)
    review = next(r for r in data["reviews"] if r["path"] == "docs/design/inventory-cache.md")
    assert review["title"] == "Cache inventory counts"


def test_nothing_changed_is_a_clean_empty_report(repo: Repo, tmp_path: Path) -> None:
    text = _invoke("--changed", "HEAD")
    assert text.exit_code == 0 and "No design docs or ADRs changed in HEAD...HEAD." in text.output
    out = _invoke("--changed", "HEAD", "--format", "sarif", "-o", str(tmp_path / "e.sarif"), "--summary",
                  str(tmp_path / "e.md"), "--fail-on", "low")
    assert out.exit_code == 0
    log = json.loads((tmp_path / "e.sarif").read_text())
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    assert not list(validator.iter_errors(log)) and log["runs"][0]["results"] == []
    assert NOTHING_REVIEWED in (tmp_path / "e.md").read_text()


def test_errors_are_one_line(repo: Repo, tmp_path: Path) -> None:
    bad = _invoke("--changed", "nope...HEAD")
    assert bad.exit_code != 0 and "unknown git ref 'nope'" in str(bad.exception)
    both = _invoke(str(repo.root / "README.md"), "--changed", "main")
    assert both.exit_code != 0 and "either files or --changed" in str(both.exception)
    assert "nothing to review" in str(_invoke().exception)


def test_several_files_as_a_pre_commit_hook_passes_them(repo: Repo, tmp_path: Path) -> None:
    out = _invoke(*CHANGED_DOCS, "--format", "sarif", "-o", str(tmp_path / "h.sarif"), "--fail-on", "high")
    assert out.exit_code == 1
    run = json.loads((tmp_path / "h.sarif").read_text())["runs"][0]
    assert {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in run["results"]} == set(CHANGED_DOCS)
    text = _invoke(*CHANGED_DOCS)
    assert "2 design doc(s) / ADR(s): needs work before review" in text.output
