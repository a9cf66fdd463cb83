"""What git knows about documents: the repository a path is in, the files a change adds or
modifies, and when each file was added and last changed.

Only metadata comes from git (``git`` run as a subprocess). File contents are always read from
the working tree, never from git objects the user did not check out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Literal

from pydantic import BaseModel, Field

from assistant.errors import BadInputError
from assistant.models import Commit, GitInfo

__all__ = [
    "ChangedFile",
    "Commit",
    "GitInfo",
    "RefRange",
    "changed_files",
    "git_metadata",
    "parse_range",
    "repo_root",
]

_HEADER = "\x01"  # starts each commit's line in `git log -z` output
_FIELD = "\x1f"
_LOG_FORMAT = "%x01%H%x1f%an%x1f%aI%x1f%s"
# quotepath off and no pager or external diff: output is stable whatever the user's config says
_GIT = ("git", "-c", "core.quotepath=off", "--no-pager")


class RefRange(BaseModel):
    """A change to review: ``base...head`` (since the merge base) or ``base..head``."""

    base: str
    head: str = "HEAD"
    three_dot: bool = True

    def __str__(self) -> str:
        return f"{self.base}{'...' if self.three_dot else '..'}{self.head}"


class ChangedFile(BaseModel):
    """A file a change adds or modifies (deleted files are never listed)."""

    path: Path = Field(description="absolute path in the working tree")
    rel: str = Field(description="path relative to the repository root (posix)")
    status: Literal["added", "modified", "renamed", "copied", "type-changed", "deleted"]
    old_rel: str | None = Field(None, description="the path before a rename or copy")
    old_path: Path | None = Field(None, description="absolute form of old_rel")
    similarity: int | None = Field(None, description="renames and copies: git's similarity percentage")


_STATUS = {"A": "added", "M": "modified", "R": "renamed", "C": "copied", "T": "type-changed", "D": "deleted"}


def _run(args: Iterable[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([*_GIT, *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                              errors="surrogateescape", check=False)
    except FileNotFoundError as exc:  # git is not installed
        raise BadInputError("git", "git is not installed or not on PATH",
                            "install git, or review files by path instead of --changed") from exc


def _have_git() -> bool:
    return shutil.which("git") is not None


def repo_root(path: Path) -> Path | None:
    """The root of the git working tree holding ``path`` (a file or folder), or None when it is
    in none or git is missing."""
    if not _have_git():
        return None
    start = path.resolve()
    while not start.exists():
        start = start.parent
    if start.is_file():
        start = start.parent
    out = _run(["rev-parse", "--show-toplevel"], start)
    return Path(out.stdout.strip()).resolve() if out.returncode == 0 and out.stdout.strip() else None


def parse_range(spec: str, flag: str = "--changed") -> RefRange:
    """``BASE...HEAD`` (since the merge base), ``BASE..HEAD``, or ``REF`` meaning ``REF...HEAD``."""
    text = spec.strip()
    if "..." in text:
        base, _, head = text.partition("...")
        three = True
    elif ".." in text:
        base, _, head = text.partition("..")
        three = False
    else:
        base, head, three = text, "HEAD", True
    base, head = base.strip() or "HEAD", head.strip() or "HEAD"
    for ref in (base, head):
        if ref.startswith("-") or any(c.isspace() for c in ref):
            raise BadInputError(flag, f"{ref!r} is not a git ref", "write BASE...HEAD, BASE..HEAD or one ref, e.g. main")
    return RefRange(base=base, head=head, three_dot=three)


def _verify(ref: str, root: Path, flag: str) -> None:
    if _run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root).returncode != 0:
        raise BadInputError(flag, f"unknown git ref {ref!r} in {root}",
                            f"check the name, or fetch it first (git fetch origin {ref})")


def changed_files(spec: str | RefRange, cwd: Path | None = None, flag: str = "--changed",
                  with_deleted: bool = False) -> list[ChangedFile]:
    """Files added, modified, renamed or copied by a change, relative to the repository holding
    ``cwd``; files missing from the working tree are left out, and so are deleted files unless
    ``with_deleted`` (then listed with status "deleted").

    Raises ``BadInputError`` when ``cwd`` is not in a git repository or a ref is unknown.
    """
    rng = spec if isinstance(spec, RefRange) else parse_range(spec, flag)
    here = (cwd or Path.cwd()).resolve()
    root = repo_root(here)
    if root is None:
        if not _have_git():
            _run(["--version"], here)  # raises the "git is not installed" error
        raise BadInputError(flag, f"{here} is not in a git repository", "run it inside a git clone, or pass files by path")
    for ref in (rng.base, rng.head):
        _verify(ref, root, flag)
    if rng.three_dot and _run(["merge-base", rng.base, rng.head], root).returncode != 0:
        raise BadInputError(flag, f"{rng.base} and {rng.head} have no merge base (a shallow clone?)",
                            "fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow)")
    wanted = "ACMRTD" if with_deleted else "ACMRT"
    out = _run(["diff", "--name-status", "-z", "-M", f"--diff-filter={wanted}", "--no-ext-diff", str(rng)], root)
    if out.returncode != 0:
        raise BadInputError(flag, f"git diff {rng} failed: {out.stderr.strip().splitlines()[-1:] or ['?']}",
                            "check the refs")
    files: list[ChangedFile] = []
    tokens = iter(out.stdout.split("\0"))
    for status in tokens:
        if not status:
            continue
        code = status[0]
        old = next(tokens) if code in "RC" else None
        rel = next(tokens)
        path = root / rel
        if code not in _STATUS or (code != "D" and not path.is_file()):
            continue
        files.append(ChangedFile(path=path, rel=rel, status=_STATUS[code], old_rel=old,  # type: ignore[arg-type]
                                 old_path=root / old if old else None,
                                 similarity=int(status[1:]) if code in "RC" and status[1:].isdigit() else None))
    return files


def _tokens(stream: IO[str]) -> Iterator[str]:
    """NUL-separated fields of ``git ... -z`` output, read lazily."""
    rest = ""
    while block := stream.read(65536):
        *done, rest = (rest + block).split("\0")
        yield from done
    if rest:
        yield rest


def _commits(root: Path) -> Iterator[tuple[Commit, list[tuple[str, list[str]]]]]:
    """The repository's history, newest first, streamed: each commit with its (status, paths)."""
    proc = subprocess.Popen([*_GIT, "log", "-z", "--name-status", "-M", "--no-ext-diff", f"--format={_LOG_FORMAT}"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            encoding="utf-8", errors="surrogateescape")
    assert proc.stdout is not None
    try:
        commit: Commit | None = None
        changes: list[tuple[str, list[str]]] = []
        tokens = _tokens(proc.stdout)
        for raw in tokens:
            tok = raw.lstrip("\n")
            if tok.startswith(_HEADER):
                if commit is not None:
                    yield commit, changes
                h, author, date, subject = tok[1:].split(_FIELD, 3)
                commit = Commit(hash=h, author=author, date=dt.datetime.fromisoformat(date), subject=subject)
                changes = []
            elif tok:
                paths = [next(tokens)] + ([next(tokens)] if tok[0] in "RC" else [])
                changes.append((tok[0], paths))
        if commit is not None:
            yield commit, changes
    finally:
        if proc.poll() is None:
            proc.kill()  # stopped early: every file was resolved
        proc.stdout.close()
        proc.wait()


def _metadata_in(root: Path, rels: dict[str, Path]) -> dict[Path, GitInfo]:
    """One ``git log`` pass over ``root``'s history, newest first, following renames back to each
    file's add; stops reading as soon as every file's add is found."""
    names = {rel: rel for rel in rels}  # a name in history -> the file's current path
    last: dict[str, Commit] = {}
    out: dict[Path, GitInfo] = {}
    with contextlib.closing(_commits(root)) as history:
        for commit, changes in history:
            for code, paths in changes:
                name = paths[-1]
                current = names.get(name)
                if current is None:
                    continue
                last.setdefault(current, commit)
                if code == "R":
                    del names[name]
                    names[paths[0]] = current
                elif code in "AC":
                    del names[name]
                    out[rels[current]] = GitInfo(added=commit.date.date(), added_commit=commit.hash,
                                                 last=last[current])
            if not names:
                break
    return out


def git_metadata(paths: list[Path]) -> dict[Path, GitInfo]:
    """When each file was added and its last commit, with one ``git log`` per repository.

    Keys are the paths as given. Files outside a git repository, untracked files and any file
    when git is missing are simply absent from the result.
    """
    by_root: dict[Path, dict[str, Path]] = {}
    roots: dict[Path, Path | None] = {}
    for p in paths:
        folder = p.resolve().parent
        if folder not in roots:
            roots[folder] = repo_root(folder) if folder.exists() else None
        root = roots[folder]
        if root is None:
            continue
        try:
            rel = p.resolve().relative_to(root).as_posix()
        except ValueError:
            continue
        by_root.setdefault(root, {})[rel] = p
    out: dict[Path, GitInfo] = {}
    for root, rels in by_root.items():
        out.update(_metadata_in(root, rels))
    return out
