"""The pre-commit hook: its ``files`` pattern selects the folders archie treats as design docs
and ADRs (and not postmortems or code), and its entry, run on what it selects, fails on a high
finding."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import yaml

from assistant import vocab
from tests.conftest import ROOT, VENV_BIN
from tests.gitrepo import sample_repo

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def test_the_files_pattern_follows_the_readers_folder_conventions() -> None:
    (hook,) = HOOKS
    assert hook["id"] == "archie-review" and hook["language"] == "python" and hook["require_serial"]
    files = re.compile(hook["files"])
    for folder in vocab.documents().adr_dirs | vocab.documents().design_dirs:
        assert files.search(f"docs/{folder}/0001-thing.md"), folder
        assert files.search(f"{folder}/thing.markdown"), folder
    for path in [*(f"docs/{d}/2024-01-01.md" for d in vocab.documents().postmortem_dirs), "src/design.py", "docs/design.md",
                 "docs/design/diagram.png", "README.md"]:
        assert not files.search(path), path


def test_the_entry_on_the_selected_files_fails_on_high(tmp_path: Path) -> None:
    repo, _, _ = sample_repo(tmp_path / "shop")
    (hook,) = HOOKS
    files = re.compile(hook["files"])
    changed = subprocess.run(["git", "diff", "--name-only", "main...HEAD"], cwd=repo.root, capture_output=True,
                             text=True, check=True).stdout.split()
    selected = [p for p in changed if files.search(p)]
    assert selected == ["docs/adr/0002-retry-budgets.md", "docs/design/inventory-cache.md"]
    cmd = shlex.split(hook["entry"])
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "200"}
    out = subprocess.run([*cmd, *selected], cwd=repo.root, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "2 design doc(s) / ADR(s): needs work before review" in out.stdout
    stricter = [*cmd, "--fail-on", "low", "docs/design/search-indexing.md"]  # pre-commit's args come last
    assert subprocess.run([*cmd, "docs/design/search-indexing.md"], cwd=repo.root, env=env, capture_output=True,
                          timeout=300).returncode == 0  # no high finding
    assert subprocess.run(stricter, cwd=repo.root, env=env, capture_output=True, timeout=300).returncode == 1
