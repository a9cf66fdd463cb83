"""``archie docs list`` / ``archie docs show``: what is indexed, with parsed metadata."""

from __future__ import annotations

import typer
from rich.table import Table

from assistant.cli.common import console, open_library, parse_kind, print_json

app = typer.Typer(help="List and show indexed documents.", no_args_is_help=True)


@app.command("list")
def list_(
    kind: str = typer.Option(None, "--kind", help="adr | design | postmortem | generic"),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List indexed documents with kind, status, date and services.

    Example: `archie docs list --kind adr`
    """
    with open_library() as lib:
        rows = lib.list_documents(parse_kind(kind))
    if as_json:
        print_json(rows)
        return
    table = Table(show_edge=False)
    for col in ("id", "kind", "status", "date", "services", "title"):
        table.add_column(col, overflow="fold")
    for r in rows:
        status = r.status.value + (f" → {', '.join(r.superseded_by)}" if r.superseded_by else "")
        table.add_row(r.id, r.kind.value, status, str(r.date or ""), ", ".join(r.services), r.title)
    console.print(table)
    console.print(f"[dim]{len(rows)} documents[/]")


@app.command("show")
def show(
    doc_id: str = typer.Argument(..., metavar="ID", help="A document id from `archie docs list`."),
    as_json: bool = typer.Option(False, "--json", help="Print the parsed document as JSON."),
) -> None:
    """Show one document's parsed metadata and sections (for an ADR, its supersession links).

    Example: `archie docs show ADR-0016`
    """
    with open_library() as lib:
        doc = lib.document(doc_id)
    if as_json:
        print_json(doc)
        return
    console.print(f"[bold cyan]{doc.id}[/]  [bold]{doc.title}[/]")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    grid.add_row("kind", doc.kind.value)
    grid.add_row("status", doc.status.value)
    grid.add_row("date", str(doc.date or "not stated"))
    grid.add_row("services", ", ".join(doc.services) or "none stated")
    grid.add_row("path", doc.path + (f" (converted from {doc.source_format}"
                                      + (f", {doc.pages} pages" if doc.pages else "") + ")"
                                      if doc.source_format != "markdown" else ""))
    if doc.git:
        grid.add_row("added", f"{doc.git.added} ({doc.git.added_commit[:10]})")
        grid.add_row("last commit", doc.git.last.describe())
    if doc.adr:
        grid.add_row("format", doc.adr.format)
        if doc.adr.deciders:
            grid.add_row("deciders", ", ".join(doc.adr.deciders))
        grid.add_row("supersedes", ", ".join(doc.adr.supersedes) or "nothing")
        grid.add_row("superseded by", ", ".join(doc.adr.superseded_by) or "nothing (current)"
                     if doc.status.value != "superseded" else ", ".join(doc.adr.superseded_by) or "not named")
    if doc.design:
        grid.add_row("owner", doc.design.owner or "not stated")
        if doc.design.capacity:
            grid.add_row("capacity", ", ".join(f"{k}={v}" for k, v in doc.design.capacity.items()))
    if doc.postmortem:
        pm = doc.postmortem
        for name in ("severity", "started", "detected", "mitigated", "resolved", "duration_minutes", "trigger",
                     "cause_category"):
            value = getattr(pm, name)
            grid.add_row(name.replace("_", " "), "[dim]missing[/]" if value is None else str(value))
        if pm.action_items:
            open_n = sum(1 for a in pm.action_items if a.status == "open")
            grid.add_row("action items", f"{len(pm.action_items)} ({open_n} open)")
    console.print(grid)
    console.print()
    for s in doc.sections:
        if s.path:
            console.print(f"[cyan]§ {s.path_str}[/] [dim](lines {s.line_start}-{s.line_end})[/]")
