from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock

from assistant.documents import read_document
from assistant.errors import IndexBusyError
from assistant.index.chunking import chunk_document
from assistant.index.embeddings import get_embedder
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.index.store import Store
from assistant.settings import Settings
from tests.conftest import MINI, VENV_BIN


def _tree(tmp: Path) -> Path:
    root = tmp / "docs"
    shutil.copytree(MINI, root)
    return root


def _state(settings: Settings) -> tuple[set[str], dict[str, str], set[str]]:
    store = Store(settings, get_embedder(settings), create=False)
    ids, metas, _ = store.all_chunks()
    assert len(ids) == len(set(ids))
    return set(ids), {i: m.doc_id for i, m in zip(ids, metas, strict=True)}, set(store.registry())


def _expected_chunk_ids(root: Path) -> set[str]:
    out: set[str] = set()
    for p in sorted(root.rglob("*.md")):
        out |= {c.id for c in chunk_document(read_document(p, root.parent))}
    return out


def test_reindex_unchanged_tree_embeds_and_writes_nothing(tmp_path: Path) -> None:
    s = Settings()
    root = _tree(tmp_path)
    first = Indexer(s).run([root])
    assert first.added == 6 and first.chunks_embedded == first.chunks_total > 0
    store = Store(s, get_embedder(s))
    gen = store.generation()
    calls = get_embedder(s).calls
    second = Indexer(s).run([root])
    assert (second.added, second.changed, second.unchanged, second.removed) == (0, 0, 6, 0)
    assert second.chunks_embedded == 0 and get_embedder(s).calls == calls
    assert store.generation() == gen  # nothing written


def test_changed_file_replaces_exactly_its_chunks(tmp_path: Path) -> None:
    s = Settings()
    root = _tree(tmp_path)
    Indexer(s).run([root])
    before, owner, _ = _state(s)
    path = root / "design" / "ledger-sharding.md"
    path.write_text(path.read_text().replace("TBD", "Range sharding was rejected: hot merchants.") + "\n## Rollback\n\nMerge shards back.\n")
    summary = Indexer(s).run([root])
    assert (summary.changed, summary.added, summary.unchanged) == (1, 0, 5)
    assert summary.chunks_embedded == 2  # the edited section and the new one; the rest reuse vectors
    after, owner_after, _ = _state(s)
    others_before = {c for c in before if owner[c] != "DD-100"}
    others_after = {c for c in after if owner_after[c] != "DD-100"}
    assert others_before == others_after
    assert after == _expected_chunk_ids(root)


def test_deleted_file_is_removed_and_supersession_follows(tmp_path: Path) -> None:
    s = Settings()
    root = _tree(tmp_path)
    Indexer(s).run([root])
    assert Library(s).document("ADR-0001").status.value == "superseded"
    (root / "adr" / "0003-move-ledger-to-cockroachdb.md").unlink()
    (root / "adr" / "0001-use-postgres.md").write_text(
        (root / "adr" / "0001-use-postgres.md").read_text().replace(
            "Superseded by [3. Move the ledger to CockroachDB](0003-move-ledger-to-cockroachdb.md)", "Accepted"))
    summary = Indexer(s).run([root])
    assert summary.removed == 1
    ids, owner, registry = _state(s)
    assert "ADR-0003" not in registry and "ADR-0003" not in set(owner.values())
    assert Library(s).document("ADR-0001").status.value == "accepted"
    assert ids == _expected_chunk_ids(root)


def test_new_superseding_adr_updates_old_metadata_without_reembedding(tmp_path: Path) -> None:
    s = Settings()
    root = _tree(tmp_path)
    Indexer(s).run([root])
    (root / "adr" / "0004-ledger-events-v2.md").write_text(
        "# 4. Ledger events v2\n\nDate: 2025-01-10\n\n## Status\n\nAccepted\n\n"
        "Supersedes [2. Publish ledger events](0002-ledger-events.md)\n\n## Decision\n\nUse the outbox pattern.\n")
    summary = Indexer(s).run([root])
    assert summary.added == 1 and summary.metadata_updates == 1
    hits = Library(s).search("ledger events change data capture idempotency key", k=10).hits
    old = [h for h in hits if h.doc_id == "ADR-0002"]
    assert old and all(h.status.value == "superseded" and h.superseded_by == ["ADR-0004"] for h in old)


def test_bad_files_are_skipped_with_a_reason_and_nothing_indexed_is_lost(tmp_path: Path) -> None:
    s = Settings(max_file_bytes=5000)
    root = _tree(tmp_path)
    Indexer(s).run([root])
    (root / "adr" / "0001-use-postgres.md").write_text("---\ntitle: [broken\n---\n# x\n")
    (root / "empty.md").write_text("  \n")
    (root / "binary.md").write_bytes(b"\x00\x01\x02abc")
    (root / "latin1.md").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (root / "huge.md").write_text("# big\n\n" + "word " * 3000)
    (root / "image.png").write_bytes(b"\x89PNG")
    warnings: list[tuple[str, str]] = []
    summary = Indexer(s, warn=lambda p, r: warnings.append((p, r))).run([root])
    reasons = {Path(p).name: r for p, r in warnings}
    assert "front matter" in reasons["0001-use-postgres.md"]
    assert reasons["empty.md"] == "file is empty"
    assert reasons["binary.md"] == "binary file, not text"
    assert "not UTF-8" in reasons["latin1.md"]
    assert "over the 5,000-byte limit" in reasons["huge.md"]
    assert "not a text document" in reasons["image.png"]
    assert summary.skipped == 6
    _, owner, registry = _state(s)
    assert "ADR-0001" in registry and "ADR-0001" in owner.values()  # the old good version stays


def test_second_indexer_fails_with_a_clear_error(tmp_path: Path) -> None:
    s = Settings()
    s.home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(s.lock_path)), pytest.raises(IndexBusyError) as exc:
        Indexer(s).run([_tree(tmp_path)], wait=0.2)
    assert "another `archie index` is running" in str(exc.value)


def _kill_after(root: Path, home: Path, docs_written: int) -> int:
    env = {**os.environ, "ARCHIE_HOME": str(home), "ARCHIE_EMBEDDING_BATCH": "4", "ARCHIE_INDEX_BATCH": "6"}
    seen = 0
    with subprocess.Popen([str(VENV_BIN / "archie"), "index", "--verbose", str(root)], env=env,
                          stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True) as proc:
        assert proc.stderr is not None
        try:
            for line in proc.stderr:
                if line.startswith("indexed "):
                    seen += 1
                    if seen >= docs_written:
                        proc.send_signal(signal.SIGKILL)
                        break
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)
    return seen


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_is_complete_and_clean(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    for i in range(40):
        (root / ("adr" if i % 2 else "postmortems")).mkdir(parents=True, exist_ok=True)
        folder = "adr" if i % 2 else "postmortems"
        body = "\n\n".join(f"## Part {j}\n\n" + f"Document {i} part {j} talks about topic {i * j}. " * 12 for j in range(4))
        (root / folder / f"{i:04d}-doc-{i}.md").write_text(f"# {i}. Generated document {i}\n\nDate: 2024-01-{i % 28 + 1:02d}\n\n{body}\n")
    home = tmp_path / "home"
    for stop_after in (3, 17):
        seen = _kill_after(root, home, stop_after)
        assert seen == stop_after  # killed mid-run, not after finishing
        # change a file between crash and rerun, as a user might
        (root / "adr" / "0001-doc-1.md").write_text((root / "adr" / "0001-doc-1.md").read_text() + "\n## Extra\n\nmore\n")
    s = Settings(home=home)
    summary = Indexer(s).run([root])
    assert summary.skipped == 0
    ids, owner, registry = _state(s)
    assert ids == _expected_chunk_ids(root)  # nothing missing, nothing extra
    assert set(owner.values()) == registry and len(registry) == 40  # no orphans
    again = Indexer(s).run([root])
    assert again.chunks_embedded == 0 and again.unchanged == 40


def test_same_documents_under_two_roots_get_distinct_ids(tmp_path: Path) -> None:
    s = Settings()
    a, b = tmp_path / "one" / "mini", tmp_path / "two" / "mini"
    shutil.copytree(MINI, a)
    shutil.copytree(MINI, b)
    Indexer(s).run([a])
    summary = Indexer(s).run([b])
    _, owner, registry = _state(s)
    # an id already indexed (a user may have cited it) never changes: the newcomer's numbered ADRs
    # are told apart by where they live; an explicit id used twice is an error
    assert {"ADR-0001", "ADR-0002", "ADR-0003"} <= registry
    assert {"adr/ADR-0001", "adr/ADR-0002", "adr/ADR-0003"} <= registry
    assert {"DD-100", "PM-007", "PM-009"} <= registry and len(registry) == 9
    assert summary.skipped == 3 and all("duplicate document id" in f.reason for f in summary.skipped_files)
    assert set(owner.values()) == registry
    first = {e.source: i for i, e in Store(s, get_embedder(s)).registry().items()}
    assert first[str((a / "adr" / "0001-use-postgres.md").resolve())] == "ADR-0001"
    Indexer(s).run([b, a])  # whatever the order of the roots, the ids stay put
    again = {e.source: i for i, e in Store(s, get_embedder(s)).registry().items()}
    assert again == first
