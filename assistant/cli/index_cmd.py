"""``archie index``: index folders of Markdown / text documents."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli import common
from assistant.cli.common import console, print_json, settings
from assistant.errors import BadInputError


def register(app: typer.Typer) -> None:
    @app.command("index")
    def index(
        paths: list[Path] = typer.Argument(None, help="Folders or files to index (default: ARCHIE_INDEX_PATHS, i.e. corpus/)."),
        rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and build it again (e.g. after changing the embedding model)."),
        wait: float = typer.Option(None, "--wait", help="Seconds to wait if another indexer holds the lock (default: fail at once)."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Print one line per document written or removed."),
        since_ref: str = typer.Option(None, "--since-ref", metavar="REF",
                                      help="Only files under PATHS changed since REF (REF...HEAD, or A..B), e.g. in CI; others are left as indexed."),
    ) -> None:
        """Index ADRs, design docs and postmortems (Markdown with optional YAML front matter, or text).

        Incremental: unchanged files cost nothing, changed files replace exactly their old chunks,
        deleted files are removed. Bad files are skipped with one warning line each.

        Example: `archie index corpus/ ../platform/docs/adr`

        Example: `archie index docs/adr docs/postmortems --since-ref origin/main`
        """
        from assistant.index.indexer import Indexer
        from assistant.models import IndexSummary

        s = settings()
        roots = paths or list(s.index_paths)
        only = None
        if since_ref:
            changed = changed_since(roots, since_ref)
            if changed is None:
                common.err_console().print(f"files were renamed or deleted since {since_ref}: indexing "
                                           f"{', '.join(str(r) for r in roots)} in full (unchanged files are not re-embedded)")
            elif not changed:
                if as_json:
                    print_json(IndexSummary())
                else:
                    console.print(f"nothing to index: no documents under {', '.join(str(r) for r in roots)} changed since {since_ref}")
                return
            else:
                only = changed  # read just these; every other indexed document stays as it is

        def warn(path: str, reason: str) -> None:
            common.err_console().print(f"[yellow]skipped[/] {path}: {reason}", highlight=False, soft_wrap=True)

        def log(line: str) -> None:
            if verbose:
                common.err_console().print(line, highlight=False, soft_wrap=True)

        if as_json:
            summary = Indexer(s, warn=warn, log=log).run(roots, rebuild=rebuild, wait=wait, only=only)
            print_json(summary)
            return
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=common.err_console(), transient=True) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(f"{phase:<10}", total=max(total, 1))
                bar.update(tasks[phase], completed=done, total=max(total, 1))

            summary = Indexer(s, progress=progress, warn=warn, log=log).run(roots, rebuild=rebuild, wait=wait, only=only)
        table = Table(title=f"Indexed {', '.join(str(r) for r in roots)}", show_edge=False)
        for col in ("added", "changed", "unchanged", "removed", "skipped", "chunks", "embedded", "seconds"):
            table.add_column(col, justify="right")
        table.add_row(*(str(x) for x in (summary.added, summary.changed, summary.unchanged, summary.removed,
                                         summary.skipped, summary.chunks_total, summary.chunks_embedded,
                                         f"{summary.seconds:.1f}")))
        console.print(table)


def _archieignored(path: Path, root: Path) -> bool:
    """What the indexer's folder walk leaves out: hidden files and folders, `.archieignore`
    patterns, and files that are not text documents."""
    from assistant.documents import TEXT_SUFFIXES

    rel = path.relative_to(root).as_posix()
    if any(part.startswith(".") for part in rel.split("/")) or path.suffix.lower() not in TEXT_SUFFIXES:
        return True
    ignore = root / ".archieignore"
    if not root.is_dir() or not ignore.is_file():
        return False
    patterns = [ln.strip() for ln in ignore.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def changed_since(roots: list[Path], ref: str) -> list[Path] | None:
    """The files under ``roots`` that git says changed since ``ref`` (added or modified), to pass
    to the indexer as its roots, so documents not passed stay as indexed. None when a document
    under them was renamed or deleted: only a full (incremental) run over ``roots`` removes the
    old entry.

    The indexer names a document by its path relative to its root's parent, so a file passed
    on its own is stored under its bare file name until a full run re-reads it (ids and kinds
    do not depend on it when front matter or headings say them)."""
    from assistant.gitinfo import changed_files, repo_root

    resolved = [r.resolve() for r in roots]
    repos: set[Path] = set()
    for r in resolved:
        if not r.exists():
            raise BadInputError(str(r), "no such file or folder", "check the path you passed to `archie index`")
        repo = repo_root(r)
        if repo is None:
            raise BadInputError("--since-ref", f"{r} is not in a git repository", "drop --since-ref to index everything")
        repos.add(repo)

    def root_of(p: Path | None) -> Path | None:
        return next((r for r in resolved if p is not None and (p == r or p.is_relative_to(r))), None)

    picked: list[Path] = []
    for repo in sorted(repos):
        for f in changed_files(ref, repo, flag="--since-ref", with_deleted=True):
            root = root_of(f.path)
            if f.status in ("deleted", "renamed") and (root or root_of(f.old_path)):
                return None
            if root is not None and not _archieignored(f.path, root if root.is_dir() else root.parent):
                picked.append(f.path)
    return sorted(set(picked))
