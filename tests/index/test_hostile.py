"""Hostile files: recursive and exploding YAML anchors, absurdly many headings, NUL bytes late in a
file, more chunks than Chroma takes in one call. Each is skipped with one line (or handled), the
rest of the folder is indexed, and nothing indexed before is lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.index.embeddings import get_embedder
from assistant.index.indexer import Indexer
from assistant.index.store import Store
from assistant.models import ChunkMeta
from assistant.settings import Settings
from tests.conftest import MINI, VENV_BIN

RECURSIVE = "---\nx: &x [*x]\n---\n# Rec\n\nhello world\n"


def laughs(levels: int) -> str:
    """A "billion laughs": each level is ten aliases of the one below (10**levels values)."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "---\n" + "\n".join(lines) + "\n---\n# Laughs\n\nhello world\n"


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIE_", "CHROMA_", "OPENAI_"))}
    env["ARCHIE_HOME"] = str(home)
    return subprocess.run([str(VENV_BIN / "archie"), *args], capture_output=True, text=True, env=env, timeout=600)


def test_yaml_bombs_are_skipped_with_one_line_by_archie_index(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    shutil.copytree(MINI, root)
    (root / "rec.md").write_text(RECURSIVE)
    (root / "laughs.md").write_text(laughs(9))  # 10**9 values once expanded
    home = tmp_path / "home"
    for _ in range(2):  # and again: a bad file never breaks later runs
        t = time.perf_counter()
        out = _cli("index", str(root), home=home)
        assert time.perf_counter() - t < 300  # a 9-level expansion would take hours
        assert out.returncode == 0, out.stderr[-2000:]
        assert "Traceback" not in out.stderr
        lines = [ln for ln in out.stderr.splitlines() if "skipped" in ln]
        assert any("rec.md" in ln and "refers to itself" in ln for ln in lines), out.stderr
        assert any("laughs.md" in ln and "aliases" in ln for ln in lines), out.stderr
    docs = _cli("docs", "list", "--json", home=home)
    assert docs.returncode == 0 and '"ADR-0001"' in docs.stdout and "Laughs" not in docs.stdout


def test_too_many_sections_and_late_nul_bytes_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    shutil.copytree(MINI, root)
    s = Settings(home=tmp_path / "home")
    Indexer(s).run([root])
    (root / "headings.md").write_text("".join(f"## Heading {i}\n\nline {i}\n\n" for i in range(10_000)))
    (root / "late-nul.md").write_bytes(b"# Late NUL\n\n" + b"text " * 2_000 + b"\x00" + b" more")
    warnings: list[tuple[str, str]] = []
    summary = Indexer(s, warn=lambda p, r: warnings.append((Path(p).name, r))).run([root])
    reasons = dict(warnings)
    assert "10,000 sections" in reasons["headings.md"] and "ARCHIE_MAX_SECTIONS" in reasons["headings.md"]
    assert reasons["late-nul.md"] == "binary file, not text"
    assert summary.chunks_embedded == 0 and summary.unchanged == 6  # what was indexed is untouched


def test_writes_are_split_to_the_stores_batch_limit(tmp_path: Path) -> None:
    s = Settings(home=tmp_path / "home")
    store = Store(s, get_embedder(s), create=True)
    try:
        store.max_batch = 7  # as if Chroma took only 7 records per call
        ids = [f"c{i}" for i in range(50)]
        vecs = get_embedder(s).embed([f"text {i}" for i in range(50)])
        store.upsert_chunks(ids, vecs, [f"text {i}" for i in ids], [ChunkMeta(doc_id="D") for _ in ids])
        assert store.chunk_count() == 50 and len(store.get_chunks(ids)) == 50
        store.delete_chunks(ids)
        assert store.chunk_count() == 0
    finally:
        store.close()


@pytest.mark.parametrize("text", [RECURSIVE, laughs(8)])
def test_yaml_bombs_through_the_review_api_are_422(text: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api import create_app

    with TestClient(create_app(Settings(home=tmp_path, api_keys="k" * 32))) as client:
        t = time.perf_counter()
        r = client.post("/v1/review", json={"text": text, "path": "bomb.md"}, headers={"Authorization": "Bearer " + "k" * 32})
        assert time.perf_counter() - t < 60
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert "front matter" in r.json()["detail"] and "Traceback" not in r.text


def test_the_cli_review_refuses_a_bomb_in_one_line(tmp_path: Path) -> None:
    doc = tmp_path / "bomb.md"
    doc.write_text(laughs(9))
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "review", str(doc)], capture_output=True, text=True,
                         env={**{k: v for k, v in os.environ.items() if not k.startswith("ARCHIE_")},
                              "ARCHIE_HOME": str(tmp_path / "h")}, timeout=300)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "front matter" in out.stderr
