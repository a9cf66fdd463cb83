"""``archie index``: index folders of Markdown / text documents."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli import common
from assistant.cli.common import console, print_json, settings


def register(app: typer.Typer) -> None:
    @app.command("index")
    def index(
        paths: list[Path] = typer.Argument(None, help="Folders or files to index (default: ARCHIE_INDEX_PATHS, i.e. corpus/)."),
        rebuild: bool = typer.Option(False, "--rebuild", help="Drop the index and build it again (e.g. after changing the embedding model)."),
        wait: float = typer.Option(None, "--wait", help="Seconds to wait if another indexer holds the lock (default: fail at once)."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Print one line per document written or removed."),
    ) -> None:
        """Index ADRs, design docs and postmortems (Markdown with optional YAML front matter, or text).

        Incremental: unchanged files cost nothing, changed files replace exactly their old chunks,
        deleted files are removed. Bad files are skipped with one warning line each.

        Example: `archie index corpus/ ../platform/docs/adr`
        """
        from assistant.index.indexer import Indexer

        s = settings()
        roots = paths or list(s.index_paths)

        def warn(path: str, reason: str) -> None:
            common.err_console().print(f"[yellow]skipped[/] {path}: {reason}", highlight=False, soft_wrap=True)

        def log(line: str) -> None:
            if verbose:
                common.err_console().print(line, highlight=False, soft_wrap=True)

        if as_json:
            summary = Indexer(s, warn=warn, log=log).run(roots, rebuild=rebuild, wait=wait)
            print_json(summary)
            return
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=common.err_console(), transient=True) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(f"{phase:<10}", total=max(total, 1))
                bar.update(tasks[phase], completed=done, total=max(total, 1))

            summary = Indexer(s, progress=progress, warn=warn, log=log).run(roots, rebuild=rebuild, wait=wait)
        table = Table(title=f"Indexed {', '.join(str(r) for r in roots)}", show_edge=False)
        for col in ("added", "changed", "unchanged", "removed", "skipped", "chunks", "embedded", "seconds"):
            table.add_column(col, justify="right")
        table.add_row(*(str(x) for x in (summary.added, summary.changed, summary.unchanged, summary.removed,
                                         summary.skipped, summary.chunks_total, summary.chunks_embedded,
                                         f"{summary.seconds:.1f}")))
        console.print(table)
