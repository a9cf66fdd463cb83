"""``archie review``: a staff engineer's pre-review of a design doc or ADR draft."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.text import Text

from assistant.cli.common import console, print_json, settings, try_library
from assistant.errors import BadInputError

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
        line = Text(f"  {path}:{f.line_start}" + (f" ({f.location})" if f.location else ""), style="bold")
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
        paths: list[Path] = typer.Argument(None, help="Markdown design docs or ADR drafts (or use --changed)."),
        changed: str = typer.Option(None, "--changed", metavar="BASE...HEAD",
                                    help="Review the design docs and ADRs a git change adds or modifies: BASE...HEAD (since the merge base), BASE..HEAD, or one ref meaning REF...HEAD."),
        fmt: str = typer.Option("text", "--format", help="text | markdown | json | sarif"),
        fail_on: str = typer.Option(None, "--fail-on", help="Exit 1 if any finding is at least this severe (high|medium|low)."),
        no_model: bool = typer.Option(False, "--no-model", help="Deterministic review only, even if a model is configured."),
        output: Path = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
        summary: Path = typer.Option(None, "--summary", help="Also write a Markdown summary (the pull-request comment) to this file."),
        config: Path = typer.Option(None, "--config", help="Review config file (default: .archie/review.toml or [review] in archie.toml)."),
        show_all: bool = typer.Option(False, "--all", help="Also show findings below the config's min_confidence."),
    ) -> None:
        """Findings a staff engineer would raise before the review meeting, each on its lines.

        Checks: missing or placeholder sections (by the names real docs use: "Drawbacks",
        "Rationale and alternatives", "Unresolved questions"...); choices with nothing given up;
        patterns (sagas, events, CQRS, caching, active-active, strangler...) whose failure modes
        are not handled; STRIDE, secrets and personal data; conflicts with accepted ADRs;
        repeats of recorded incidents; hype. With an index, conflicts and incidents cite your
        own ADRs and postmortems. With a model configured, a guard-checked critique is added.
        A team's `.archie/review.toml` turns checks off, overrides severities and ignores paths.

        Example: `archie review corpus/design/009-checkout-config-fast-path.md --format sarif -o review.sarif`

        Example: `archie review --changed main...HEAD --format sarif -o review.sarif --summary review.md --fail-on high`
        """
        from assistant.review import fail_level

        if fmt not in FORMATS:
            raise BadInputError("--format", f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
        fail_level(fail_on)  # a bad --fail-on fails before any work is done
        if bool(paths) == bool(changed):
            raise BadInputError("review", "pass either files or --changed BASE...HEAD" if paths else "nothing to review",
                                "e.g. `archie review docs/design/new.md` or `archie review --changed main`")
        if fmt == "text" and output is not None:
            raise BadInputError("--format", "text cannot be written to a file", "use markdown, json or sarif with --output")
        rs = _run(paths, changed, config, no_model, show_all)
        if summary is not None:
            from assistant.review.summary import summary_markdown

            summary.write_text(summary_markdown(rs), encoding="utf-8")
        single = not changed and len(paths) == 1 and len(rs.reviews) == 1
        if single:
            _emit_one(rs.reviews[0], paths[0], fmt, output)
        else:
            _emit_set(rs, fmt, output)
        if rs.fails(fail_on):
            raise typer.Exit(1)


def _run(paths: list[Path] | None, changed: str | None, config: Path | None, no_model: bool, show_all: bool):
    from assistant.gitinfo import repo_root
    from assistant.review.batch import review_changed, review_paths
    from assistant.review.config import load_review_config
    from assistant.settings import config_file

    s = settings()
    start = paths[0] if paths else Path.cwd()
    root = repo_root(start) or Path.cwd()
    cfg = load_review_config(root, config or s.review_config, extra=[config_file()])
    use_model = False if no_model else None
    lib = try_library()  # without an index the review says which checks it skipped
    try:
        if changed:
            return review_changed(changed, lib, s, cfg, use_model=use_model, show_all=show_all)
        return review_paths(list(paths or []), lib, s, cfg, use_model=use_model, show_all=show_all)
    finally:
        if lib is not None:
            lib.close()


def _write(body: str, output: Path | None, what: str) -> None:
    if output:
        output.write_text(body, encoding="utf-8")
        console.print(f"wrote {output} ({what})")
    else:
        typer.echo(body.rstrip("\n"))


def _emit_one(result, path: Path, fmt: str, output: Path | None) -> None:
    """One file named on the command line: the single-review formats."""
    from assistant.review.render import markdown, sarif

    if fmt == "text":
        render_text(result, path)
    elif fmt == "json" and output is None:
        print_json(result)
    else:
        body = (markdown(result) if fmt == "markdown" else
                json.dumps(sarif(result, result.path), indent=2) if fmt == "sarif" else result.model_dump_json(indent=2))
        _write(body, output, result.verdict)


def _emit_set(rs, fmt: str, output: Path | None) -> None:
    """Several files or a git change: each review, then the totals; one SARIF run for all."""
    from assistant.review.summary import sarif_set, summary_markdown

    if fmt == "text":
        for r in rs.reviews:
            render_text(r, Path(r.path))
            console.print()
        for sk in rs.skipped:
            if sk.why in ("ignored", "unreadable"):
                console.print(Text(f"not reviewed: {sk.path}: {sk.reason}", style="dim yellow"))
        c = rs.counts
        what = f" changed in {rs.change}" if rs.change else ""
        head = (f"{len(rs.reviews)} design doc(s) / ADR(s){what}: " if rs.reviews
                else f"No design docs or ADRs{what or ' to review'}.")
        console.print(Text(head, style="bold") + Text(rs.verdict if rs.reviews else "", style="bold"),
                      Text(f"  ({c['high']} high, {c['medium']} medium, {c['low']} low, {c['info']} info)" if rs.reviews else "",
                           style="dim"))
        return
    body = (summary_markdown(rs) if fmt == "markdown" else
            json.dumps(sarif_set(rs), indent=2) if fmt == "sarif" else rs.model_dump_json(indent=2))
    _write(body, output, f"{len(rs.reviews)} reviewed; {rs.verdict}")

