"""``archie review``: a staff engineer's pre-review of a design doc or ADR draft."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.text import Text

from assistant.cli.common import console, print_json, settings

_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
FORMATS = ("text", "markdown", "json", "sarif")


def render_text(result, path: Path) -> None:
    c = result.counts
    console.print(Text(f"{result.title or path}: ", style="bold") + Text(result.verdict, style="bold"),
                  Text(f"  ({c['high']} high, {c['medium']} medium, {c['low']} low, {c['info']} info; {result.seconds:.2f}s)", style="dim"))
    for note in result.notes:
        console.print(Text(note, style="dim yellow"))
    if result.narrative:
        console.print(Text("Model critique (guard-checked):", style="bold"))
        console.print(Text(result.narrative))
    current = None
    for f in result.findings:
        if f.severity != current:
            current = f.severity
            console.print(Text(f"\n{f.severity.upper()}", style=_STYLE[f.severity]))
        line = Text(f"  {path}:{f.line_start}", style="bold")
        line.append(f"  [{f.category}{', model' if f.source == 'model' else ''}] ", style=_STYLE[f.severity])
        line.append(f.problem)
        console.print(line)
        console.print(Text(f"      → {f.suggestion}", style="dim"))
        if f.evidence:
            console.print(Text(f"      «{f.evidence[:160]}»", style="dim italic"))
        for r in f.references:
            what = r.status if r.kind == "adr" else r.kind
            console.print(Text(f"      precedent: {r.doc_id} §{r.section} ({what}, {r.date or 'undated'}) “{r.quote[:140]}”", style="magenta"))


def register(app: typer.Typer) -> None:
    @app.command("review")
    def review_cmd(
        path: Path = typer.Argument(..., help="A Markdown design doc or ADR draft."),
        fmt: str = typer.Option("text", "--format", help="text | markdown | json | sarif"),
        fail_on: str = typer.Option(None, "--fail-on", help="Exit 1 if any finding is at least this severe (high|medium|low)."),
        no_model: bool = typer.Option(False, "--no-model", help="Deterministic review only, even if a model is configured."),
        output: Path = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
    ) -> None:
        """Findings a staff engineer would raise before the review meeting, each on its lines.

        Checks: missing or placeholder sections (by the names real docs use: "Drawbacks",
        "Rationale and alternatives", "Unresolved questions"...); choices with nothing given up;
        patterns (sagas, events, CQRS, caching, active-active, strangler...) whose failure modes
        are not handled; STRIDE, secrets and personal data; conflicts with accepted ADRs;
        repeats of recorded incidents; hype. With an index, conflicts and incidents cite your
        own ADRs and postmortems. With a model configured, a guard-checked critique is added.

        Example: `archie review corpus/design/009-checkout-config-fast-path.md --format sarif -o review.sarif`
        """
        from assistant.errors import BadInputError
        from assistant.review import fails, review
        from assistant.review.render import markdown, sarif

        if fmt not in FORMATS:
            raise BadInputError("--format", f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
        fails(_probe(), fail_on)  # validate --fail-on before doing the work
        result = review(path, settings(), use_model=False if no_model else None)
        if fmt == "text" and output is None:
            render_text(result, path)
        else:
            body = (markdown(result) if fmt == "markdown" else
                    json.dumps(sarif(result, str(path)), indent=2) if fmt == "sarif" else
                    result.model_dump_json(indent=2) if fmt == "json" else None)
            if body is None:
                raise BadInputError("--format", "text cannot be written to a file", "use markdown, json or sarif with --output")
            if output:
                output.write_text(body, encoding="utf-8")
                console.print(f"wrote {output} ({result.verdict})")
            elif fmt == "json":
                print_json(result)
            else:
                typer.echo(body)
        if fails(result, fail_on):
            raise typer.Exit(1)


def _probe():
    from assistant.review.model import Review

    return Review(path="", title="", verdict="", counts={}, findings=[], changes_system=False, people_data=False)
