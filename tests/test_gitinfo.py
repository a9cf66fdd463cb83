"""Git metadata from real repositories made by the test: changed files between refs (three-dot,
two-dot, one ref), renames and deletions, added dates and last commits in one ``git log``."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from assistant.errors import BadInputError
from assistant.gitinfo import changed_files, git_metadata, parse_range, repo_root
from tests.gitrepo import Repo, sample_repo


@pytest.fixture
def forked(tmp_path: Path) -> Repo:
    """main moves on after `feature` forks: feature adds, renames (with edits) and deletes docs."""
    repo, _, _ = sample_repo(tmp_path / "r")
    repo.git("checkout", "-q", "main")
    repo.write("docs/adr/0001-use-postgres.md", "# 1. Use PostgreSQL\n\n## Status\n\nSuperseded\n")
    repo.commit("main moves on", date="2024-05-01T00:00:00+00:00")
    repo.git("checkout", "-q", "feature")
    repo.git("mv", "docs/design/search-indexing.md", "docs/design/search-indexing-v1.md")
    repo.write("docs/design/search-indexing-v1.md",
               (repo.root / "docs/design/search-indexing-v1.md").read_text() + "\n## Rollout\n\nBehind a flag.\n")
    repo.git("rm", "-q", "docs/postmortems/2024-02-10-checkout-retry-storm.md")
    repo.commit("rename and delete", date="2024-05-02T00:00:00+00:00")
    return repo


def test_repo_root_finds_the_working_tree(forked: Repo, tmp_path: Path) -> None:
    root = forked.root.resolve()
    assert repo_root(forked.root / "docs" / "adr" / "0001-use-postgres.md") == root
    assert repo_root(forked.root / "docs") == root
    assert repo_root(forked.root / "docs" / "not-yet" / "x.md") == root  # a path that does not exist yet
    outside = tmp_path / "plain"
    outside.mkdir()
    assert repo_root(outside) is None


def test_three_dot_is_since_the_merge_base_and_two_dot_is_not(forked: Repo) -> None:
    three = {f.rel: f for f in changed_files("main...HEAD", forked.root)}
    assert set(three) == {"docs/design/inventory-cache.md", "docs/adr/0002-retry-budgets.md", "src/app.py",
                          "docs/design/search-indexing-v1.md"}
    assert three["docs/design/inventory-cache.md"].status == "added"
    assert three["docs/adr/0002-retry-budgets.md"].status == "modified"
    renamed = three["docs/design/search-indexing-v1.md"]
    assert renamed.status == "renamed" and renamed.old_rel == "docs/design/search-indexing.md"
    assert renamed.path == forked.root.resolve() / "docs/design/search-indexing-v1.md"
    # the deleted postmortem is not listed, and main's own change to ADR 1 is not the branch's
    assert {f.rel for f in changed_files("main", forked.root)} == set(three)  # one ref means REF...HEAD
    two = {f.rel for f in changed_files("main..HEAD", forked.root)}
    assert "docs/adr/0001-use-postgres.md" in two and "docs/postmortems/2024-02-10-checkout-retry-storm.md" not in two
    deleted = {f.rel: f.status for f in changed_files("main...HEAD", forked.root, with_deleted=True)}
    assert deleted["docs/postmortems/2024-02-10-checkout-retry-storm.md"] == "deleted"


def test_bad_refs_and_places_are_one_line_errors(forked: Repo, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="unknown git ref 'nope'") as exc:
        changed_files("nope...HEAD", forked.root)
    assert "git fetch origin nope" in (exc.value.hint or "")
    with pytest.raises(BadInputError, match="not a git ref"):
        parse_range("--output=/tmp/x")
    (tmp_path / "plain").mkdir()
    with pytest.raises(BadInputError, match="not in a git repository"):
        changed_files("main", tmp_path / "plain")
    forked.git("checkout", "-q", "--orphan", "lonely")
    forked.commit("unrelated history")
    with pytest.raises(BadInputError, match="no merge base") as exc:
        changed_files("main...HEAD", forked.root)
    assert "fetch-depth: 0" in (exc.value.hint or "")


def test_parse_range_forms() -> None:
    assert str(parse_range("main")) == "main...HEAD"
    assert str(parse_range("origin/main...abc123")) == "origin/main...abc123"
    r = parse_range("v1.0..v1.1")
    assert (r.base, r.head, r.three_dot) == ("v1.0", "v1.1", False)


def test_git_metadata_added_and_last_commit_in_one_log(forked: Repo, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    forked.write("docs/design/untracked.md", "# not committed\n")
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# outside\n")
    paths = [forked.root / "docs/adr/0002-retry-budgets.md", forked.root / "docs/design/search-indexing-v1.md",
             forked.root / "docs/adr/0001-use-postgres.md", forked.root / "docs/design/untracked.md", outside]
    calls: list[list[str]] = []
    real = subprocess.Popen

    def counting(args, *a, **kw):  # type: ignore[no-untyped-def]
        calls.append(list(args))
        return real(args, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", counting)
    info = git_metadata(paths)
    assert sum(1 for c in calls if "log" in c) == 1  # one pass for all files, not one per file
    adr2 = info[paths[0]]
    assert adr2.added == dt.date(2024, 3, 1)
    assert adr2.last.author == "Grace Hopper" and adr2.last.subject == "Inventory cache design; tighter retry budget"
    assert adr2.last.date == dt.datetime(2024, 4, 2, 9, 30, tzinfo=dt.UTC) and len(adr2.last.hash) == 40
    renamed = info[paths[1]]
    assert renamed.added == dt.date(2024, 3, 1)  # followed back through the rename to its add
    assert renamed.last.subject == "rename and delete"
    assert info[paths[2]].last.subject == "Docs and code"  # main's later change is not on this branch
    assert paths[3] not in info and outside not in info
    assert "by Grace Hopper on 2024-04-02" in adr2.last.describe()


def test_without_git_there_is_no_git_info(forked: Repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert repo_root(forked.root) is None
    assert git_metadata([forked.root / "docs/adr/0002-retry-budgets.md"]) == {}
    with pytest.raises(BadInputError, match="git is not installed"):
        changed_files("main", forked.root)
