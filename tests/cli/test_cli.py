"""The CLI as a user runs it: real processes for error handling, CliRunner for output."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from assistant import __version__
from assistant.cli import app
from tests.conftest import MINI, VENV_BIN

runner = CliRunner()


def _archie(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIE_")}
    if home is not None:
        env["ARCHIE_HOME"] = str(home)
    return subprocess.run([str(VENV_BIN / "archie"), *args], capture_output=True, text=True, env=env, timeout=120)


def test_version_and_help_document_every_command() -> None:
    assert runner.invoke(app, ["--version"]).output.strip() == f"archie {__version__}"
    out = runner.invoke(app, ["--help"]).output
    for command in ("index", "search", "docs"):
        assert command in out
    for sub in (["index", "--help"], ["search", "--help"], ["docs", "list", "--help"], ["docs", "show", "--help"]):
        result = runner.invoke(app, sub)
        assert result.exit_code == 0 and "Example" in result.output, sub


def test_user_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    result = _archie("search", "anything", home=tmp_path / "empty")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: no index yet") and lines[1].startswith("hint: run `archie index")
    bad = _archie("search", "x", "--since", "last tuesday", home=tmp_path / "empty")
    assert bad.returncode == 1 and "--since" in bad.stderr and "Traceback" not in bad.stderr
    missing = _archie("index", str(tmp_path / "nope"), home=tmp_path / "h")
    assert missing.returncode == 1 and "no such file or folder" in missing.stderr and "Traceback" not in missing.stderr


def test_index_prints_a_summary_table_and_warnings(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "docs"
    shutil.copytree(MINI, root)
    (root / "broken.md").write_text("---\n: : :\n---\n# x\n")
    result = _archie("index", str(root), home=tmp_path / "h")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stderr and "broken.md" in result.stderr and "front matter" in result.stderr
    for col in ("added", "changed", "unchanged", "removed", "skipped", "chunks", "seconds"):
        assert col in result.stdout
    again = _archie("index", str(root), "--json", home=tmp_path / "h")
    summary = json.loads(again.stdout)
    assert (summary["added"], summary["unchanged"], summary["skipped"], summary["chunks_embedded"]) == (0, 6, 1, 0)


def test_search_and_docs_output(mini_home: Path) -> None:
    result = runner.invoke(app, ["search", "ledger write ceiling", "--kind", "adr", "-k", "3"])
    assert result.exit_code == 0
    assert "ADR-000" in result.output and "adr · " in result.output
    data = json.loads(runner.invoke(app, ["search", "ledger", "--json", "-k", "2"]).output)
    assert len(data["hits"]) == 2 and {"doc_id", "section", "status", "date", "text"} <= set(data["hits"][0])
    superseded = runner.invoke(app, ["search", "synchronous replication standby", "-k", "2"]).output
    assert "superseded by ADR-0003" in superseded
    listing = json.loads(runner.invoke(app, ["docs", "list", "--json"]).output)
    assert {d["id"] for d in listing} == {"ADR-0001", "ADR-0002", "ADR-0003", "PM-007", "PM-009", "DD-100"}
    shown = runner.invoke(app, ["docs", "show", "ADR-0001"]).output
    assert "superseded by" in shown and "ADR-0003" in shown
    doc = json.loads(runner.invoke(app, ["docs", "show", "pm-009", "--json"]).output)
    assert doc["postmortem"]["severity"] == "SEV3" and doc["services"] == ["billing"]
    table = runner.invoke(app, ["docs", "list", "--kind", "postmortem"]).output
    assert "PM-007" in table and "ADR-0001" not in table


def test_unknown_document_suggests_ids(mini_home: Path) -> None:
    result = _archie("docs", "show", "ADR-9", home=mini_home)
    assert result.returncode == 1
    assert "no indexed document has id 'ADR-9'" in result.stderr and "Traceback" not in result.stderr


def test_ask_prints_cited_answer_sources_and_verdict(mini_home: Path) -> None:
    result = runner.invoke(app, ["ask", "Why did the ledger move off a single PostgreSQL primary?", "-v"])
    assert result.exit_code == 0, result.output
    assert "[ADR-0003 §" in result.output and "Sources:" in result.output and "guard:" in result.output
    assert "As of 2024-05-20" in result.output
    data = json.loads(runner.invoke(app, ["ask", "What is the ledger sharding alternative?", "--json"]).output)
    assert {"text", "claims", "sources", "verdict", "notes", "abstained"} <= set(data)
    off = runner.invoke(app, ["ask", "What do the payroll servers in Singapore run?"]).output
    assert "do not answer this question" in off and "Nearest documents:" in off


def test_chat_rewrites_follow_ups(mini_home: Path) -> None:
    result = runner.invoke(app, ["chat"], input="Why did we move the ledger to CockroachDB?\nand what did we give up?\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("you>") == 3 and "ADR-0003" in result.output


def test_models_check_extractive_and_unreachable(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["models", "check"])
    assert ok.exit_code == 0 and "extractive" in ok.output
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIE_", "OPENAI_"))}
    env.update(ARCHIE_LLM="openai", OPENAI_BASE_URL="http://127.0.0.1:9/v1", ARCHIE_LLM_RETRIES="0",
               ARCHIE_HOME=str(tmp_path))
    down = subprocess.run([str(VENV_BIN / "archie"), "models", "check"], capture_output=True, text=True, env=env, timeout=60)
    assert down.returncode == 1 and "not answering" in down.stdout and "Traceback" not in down.stderr
