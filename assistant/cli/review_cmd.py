"""``archie review``: a pre-review of a design doc or ADR draft (deterministic checks, first slice)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from assistant.cli.common import console, print_json

_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}


def register(app: typer.Typer) -> None:
    @app.command("review")
    def review_cmd(
        path: Path = typer.Argument(..., help="A Markdown design doc or ADR draft."),
        fmt: str = typer.Option("text", "--format", help="text | json"),
        fail_on: str = typer.Option(None, "--fail-on", help="Exit 1 if any finding is at least this severe (high|medium|low)."),
    ) -> None:
        """Findings a staff engineer would raise before the review meeting: missing or placeholder
        sections (a table of the names real docs use, e.g. "Drawbacks", "Rationale and
        alternatives", "Unresolved questions"), and hype with no number or mechanism.

        Example: `archie review corpus/design/003-search-replatform.md --fail-on high`
        """
        from assistant.errors import BadInputError
        from assistant.review import fails, review

        if fmt not in ("text", "json"):
            raise BadInputError("--format", f"{fmt!r} is not supported yet", "use text or json")
        result = review(path)
        if fmt == "json":
            print_json(result)
        else:
            c = result.counts
            console.print(Text(f"{result.title}: {result.verdict}", style="bold"),
                          Text(f"  ({c['high']} high, {c['medium']} medium, {c['low']} low)", style="dim"))
            for f in result.findings:
                line = Text(f"{f.severity:>6} ", style=_STYLE[f.severity])
                line.append(f"{path}:{f.line_start}  [{f.category}] {f.problem}")
                console.print(line)
                console.print(Text(f"        → {f.suggestion}" + (f"  «{f.evidence}»" if f.evidence else ""), style="dim"))
        if fails(result, fail_on):
            raise typer.Exit(1)
