"""The harness end to end on the sample corpus: suites run against a real index, the tutorial
baseline is built from LangChain's splitter and Chroma, the gate fails a run below its
thresholds, and the report carries failing items with their answers and evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli import app
from assistant.evaluation.harness import Options, evaluate, gate
from assistant.evaluation.pipelines import BASELINE_CHUNK
from assistant.evaluation.report import markdown, write
from assistant.settings import Settings
from tests.conftest import ROOT


@pytest.fixture
def eval_home(corpus_index: Path, tmp_path: Path) -> Path:
    """The session's corpus index as the harness's "main" index (read only: nothing changed)."""
    home = tmp_path / "evalhome"
    home.mkdir()
    (home / "main").symlink_to(corpus_index)
    return home


@pytest.fixture(scope="module")
def small_run(corpus_index: Path, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("eh")
    (home / "main").symlink_to(corpus_index)
    opt = Options(suites=["ask", "hype", "capacity", "incidents"], root=ROOT, limit=10, baseline=True, home=home)
    return evaluate(Settings(home=home), opt)


def test_suites_produce_metrics_and_the_baseline_is_the_tutorial_pipeline(small_run) -> None:
    by = {s.suite: s for s in small_run.suites}
    base = {s.suite: s for s in small_run.baseline}
    assert set(by) == {"ask", "hype", "capacity", "incidents"} and set(base) == {"ask", "hype"}
    ask = by["ask"].metrics
    assert ask["recall@5"] is not None and 0 <= ask["recall@5"] <= 1 and ask["citation_validity"] == 1.0
    assert len(by["ask"].items) == 10 and all(i.seconds > 0 for i in by["ask"].items)
    assert by["capacity"].metrics["exact_match"] == 1.0 and by["incidents"].metrics["exact_match"] == 1.0
    # the baseline never abstains and answers with whole 1,000-character chunks
    assert all(not i.scores["abstained"] for i in base["ask"].items)
    assert any("RecursiveCharacterTextSplitter at 1,000 characters" in n for n in small_run.notes)
    assert max(len(i.answer) for i in base["ask"].items) > 400
    assert BASELINE_CHUNK == 1000


def test_gate_fails_below_threshold_and_passes_at_it(small_run, tmp_path: Path) -> None:
    ask = next(s for s in small_run.suites if s.suite == "ask")
    v = ask.metrics["recall@5"]
    assert gate(small_run.suites, {"ask": {"recall@5": {"min": v}}}) == []
    fails = gate(small_run.suites, {"ask": {"recall@5": {"min": v + 0.01}}, "hype": {"hype_rate": {"max": -0.1}}})
    assert {(f.suite, f.metric) for f in fails} == {("ask", "recall@5"), ("hype", "hype_rate")}


def test_report_lists_failing_items_with_answer_and_evidence(small_run, tmp_path: Path) -> None:
    md, js, png = write(small_run, tmp_path / "r" / "report.md")
    text = md.read_text()
    assert "| metric | archie | baseline |" in text and "## ask" in text
    failing = [i for s in small_run.suites for i in s.items if not i.passed]
    if failing:
        assert failing[0].id in text and "why:" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(js.read_text())
    assert data["suites"][0]["items"][0]["question"]
    assert markdown(small_run).startswith("# archie eval (extractive)")


def test_cli_exit_code_follows_the_thresholds_file(eval_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ARCHIE_HOME", str(eval_home))
    strict = tmp_path / "strict.yaml"
    strict.write_text(yaml.safe_dump({"extractive": {"capacity": {"exact_match": {"min": 1.01}}}}))
    runner = CliRunner(env={"COLUMNS": "160"})
    # the CLI evaluates in ARCHIE_HOME/eval-<hash>; point it at the session index through --thresholds only
    from assistant.evaluation import runner as eval_runner

    monkeypatch.setattr(eval_runner, "eval_home", lambda base, roots: eval_home / "main")
    out = runner.invoke(app, ["eval", "--suite", "capacity", "--thresholds", str(strict)])
    assert out.exit_code == 1 and "below threshold" in out.output, out.output
    loose = tmp_path / "loose.yaml"
    loose.write_text(yaml.safe_dump({"extractive": {"capacity": {"exact_match": {"min": 1.0}}}}))
    out = runner.invoke(app, ["eval", "--suite", "capacity", "--thresholds", str(loose), "--report", str(tmp_path / "c.md")])
    assert out.exit_code == 0, out.output
    assert "capacity: 6/6 items pass" in out.output and (tmp_path / "c.png").exists()
    bad = runner.invoke(app, ["eval", "--suite", "vibes"])
    assert bad.exit_code == 1 and "unknown suite" in str(bad.exception)
