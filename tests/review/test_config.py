"""The team's review config: where it is read from, one-line errors naming the file and key, and
``apply_config`` (checks off, severity overrides, confidence bar, recount, verdict)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.errors import BadInputError
from assistant.review import review_text
from assistant.review.config import ReviewConfig, apply_config, load_review_config
from tests.conftest import ROOT
from tests.gitrepo import NEW_DESIGN, Repo


@pytest.fixture(scope="module")
def reviewed():
    return review_text(NEW_DESIGN, None, "docs/design/inventory-cache.md")


def test_example_file_in_docs_is_valid_and_documents_every_key() -> None:
    text = (ROOT / "docs" / "review.example.toml").read_text()
    cfg = ReviewConfig.model_validate(tomllib.loads(text))
    assert cfg.disable and cfg.severity and cfg.ignore and cfg.min_confidence > 0
    for key in ReviewConfig.model_fields:
        assert key == "source" or key in text


def test_where_the_config_is_read_from(tmp_path: Path) -> None:
    assert load_review_config(tmp_path) == ReviewConfig()  # nothing there: everything on
    (tmp_path / "archie.toml").write_text('llm = "extractive"\n\n[review]\ndisable = ["hype"]\n')
    assert load_review_config(tmp_path).disable == ["hype"]
    assert load_review_config(tmp_path).source == str(tmp_path / "archie.toml")
    (tmp_path / ".archie").mkdir()
    (tmp_path / ".archie" / "review.toml").write_text('disable = ["completeness/cost"]\n')
    assert load_review_config(tmp_path).disable == ["completeness/cost"]  # .archie/review.toml comes first
    other = tmp_path / "team.toml"
    other.write_text("min_confidence = 0.7\n")
    assert load_review_config(tmp_path, explicit=other).min_confidence == 0.7


@pytest.mark.parametrize(("text", "where", "why"), [
    ('disabel = ["hype"]\n', "review.toml: disabel", "unknown key"),
    ('[severity]\n"completeness/cost" = "urgent"\n', "review.toml: severity.completeness/cost", "'high', 'medium', 'low' or 'info'"),
    ("min_confidence = 2\n", "review.toml: min_confidence", "less than or equal to 1"),
    ('disable = "hype"\n', "review.toml: disable", "valid list"),
    ('enable = ["hype"]\ndisable = ["hype"]\n', "review.toml", "'hype' is in both enable and disable"),
    ("disable = [\n", "review.toml", "not valid TOML"),
])
def test_bad_keys_and_values_name_the_file_and_key(tmp_path: Path, text: str, where: str, why: str) -> None:
    (tmp_path / ".archie").mkdir()
    (tmp_path / ".archie" / "review.toml").write_text(text)
    with pytest.raises(BadInputError) as exc:
        load_review_config(tmp_path)
    assert exc.value.where.endswith(where) and why in exc.value.reason, (exc.value.where, exc.value.reason)
    assert "\n" not in str(exc.value)


def test_a_bad_review_table_in_archie_toml_names_the_table_key(tmp_path: Path) -> None:
    (tmp_path / "archie.toml").write_text("[review]\nignore = [1]\n")
    with pytest.raises(BadInputError) as exc:
        load_review_config(tmp_path)
    assert exc.value.where == f"{tmp_path / 'archie.toml'}: review.ignore.0"


def test_disable_by_category_and_rule_prefix_then_recount(reviewed) -> None:
    assert reviewed.counts["high"] == 1 and reviewed.verdict.startswith("needs work before review")
    out = apply_config(reviewed, ReviewConfig(disable=["hype", "completeness/cost", "completeness/rollback"]))
    rules = [f.rule for f in out.findings]
    assert not any(r.startswith(("hype/", "completeness/cost", "completeness/rollback")) for r in rules)
    assert len(out.findings) == len(reviewed.findings) - 5 and out.disabled == 5
    assert out.counts == {"high": 0, "medium": 8, "low": 1, "info": 0}
    assert "hype" not in out.by_category
    assert out.verdict.startswith("reviewable with fixes")  # the only high is gone
    assert [f.id for f in out.findings] == [f"R{n:03d}" for n in range(1, len(out.findings) + 1)]
    assert reviewed.counts["high"] == 1  # the review passed in is not changed


def test_most_specific_selector_wins(reviewed) -> None:
    only_security = apply_config(reviewed, ReviewConfig(disable=["*"], enable=["completeness/security"]))
    assert [f.rule for f in only_security.findings] == ["completeness/security"]
    allowlist = apply_config(reviewed, ReviewConfig(enable=["pattern"]))
    assert {f.category for f in allowlist.findings} == {"pattern"}
    back_on = apply_config(reviewed, ReviewConfig(disable=["completeness"], enable=["*", "completeness/rollback"]))
    assert {f.rule for f in back_on.findings if f.category == "completeness"} == {"completeness/rollback"}


def test_severity_overrides_by_rule_glob_and_category(reviewed) -> None:
    out = apply_config(reviewed, ReviewConfig(severity={
        "hype": "info", "pattern/*": "high", "pattern/caching/stampede": "low", "completeness/rollback": "medium"}))
    sev = {f.rule: f.severity for f in out.findings}
    assert sev["hype/superlatives"] == "info" and sev["pattern/caching/invalidation"] == "high"
    assert sev["pattern/caching/stampede"] == "low"  # the exact id beats the glob
    assert sev["completeness/rollback"] == "medium"
    assert out.counts["high"] == 1 and out.counts["info"] == 3
    assert out.findings[0].rule == "pattern/caching/invalidation"  # re-sorted by the new severities


def test_min_confidence_hides_unless_all(reviewed) -> None:
    unsure = reviewed.model_copy(update={"findings": [
        f.model_copy(update={"confidence": 0.4}) if f.category == "hype" else f for f in reviewed.findings]})
    cfg = ReviewConfig(min_confidence=0.6)
    out = apply_config(unsure, cfg)
    assert not any(f.category == "hype" for f in out.findings) and out.hidden == 3
    assert any("3 findings below confidence 0.6 hidden (--all shows them)" in n for n in out.notes)
    everything = apply_config(unsure, cfg, show_all=True)
    assert len(everything.findings) == len(reviewed.findings) and everything.hidden == 0


@pytest.mark.parametrize(("pattern", "yes", "no"), [
    ("docs/archive/**", ["docs/archive/a.md", "docs/archive/x/y.md"], ["docs/archived.md", "archive/a.md"]),
    ("drafts/", ["drafts/a.md", "docs/drafts/b.md"], ["drafts.md"]),
    ("*.draft.md", ["x.draft.md", "docs/design/y.draft.md"], ["x.md"]),
    ("docs/*/README.md", ["docs/adr/README.md"], ["docs/adr/x/README.md", "README.md"]),
])
def test_ignore_globs(pattern: str, yes: list[str], no: list[str]) -> None:
    cfg = ReviewConfig(ignore=[pattern])
    assert all(cfg.ignores(p) for p in yes) and not any(cfg.ignores(p) for p in no)


def test_cli_applies_the_repository_config(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "r")
    doc = repo.write("docs/design/inventory-cache.md", NEW_DESIGN)
    repo.write(".archie/review.toml", 'disable = ["hype"]\nignore = ["docs/design/old/**"]\n'
               '[severity]\n"completeness/rollback" = "low"\n')
    old = repo.write("docs/design/old/legacy.md", NEW_DESIGN)
    runner = CliRunner(env={"COLUMNS": "200"})
    out = runner.invoke(app, ["review", str(doc), "--format", "json", "--fail-on", "high"])
    assert out.exit_code == 0, out.output  # the only high was turned down to low
    import json

    data = json.loads(out.output)
    assert data["config"].endswith(".archie/review.toml") and data["disabled"] == 3
    assert not any(f["category"] == "hype" for f in data["findings"])
    skipped = runner.invoke(app, ["review", str(old)])
    assert skipped.exit_code == 0 and "ignored by" in skipped.output
    (repo.root / ".archie" / "review.toml").write_text("severity = 3\n")
    bad = runner.invoke(app, ["review", str(doc)])
    assert bad.exit_code != 0 and isinstance(bad.exception, BadInputError)
    assert bad.exception.where.endswith(".archie/review.toml: severity")
