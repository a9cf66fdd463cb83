"""``archie search``: hybrid search over the index."""

from __future__ import annotations

import typer
from rich.text import Text

from assistant.cli.common import (
    console,
    open_library,
    parse_day,
    parse_kind,
    parse_status,
    print_json,
    snippet,
)
from assistant.errors import BadInputError


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search(
        query: str = typer.Argument(..., help="What to look for, in your own words."),
        kind: str = typer.Option(None, "--kind", help="adr | design | postmortem | generic"),
        status: str = typer.Option(None, "--status", help="accepted | proposed | rejected | deprecated | superseded | ..."),
        since: str = typer.Option(None, "--since", help="Only documents dated on or after YYYY-MM-DD."),
        until: str = typer.Option(None, "--until", help="Only documents dated on or before YYYY-MM-DD."),
        service: str = typer.Option(None, "--service", help="Only documents about this service."),
        k: int = typer.Option(8, "-k", "--k", help="How many chunks to return."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Search the indexed documents (dense + BM25, fused with reciprocal rank fusion).

        Example: `archie search "why did we pick postgres" --kind adr --status accepted`
        """
        from assistant.models import SearchFilters

        if not query.strip():
            raise BadInputError("QUERY", "is empty", "say what you are looking for")
        if not 1 <= k <= 100:
            raise BadInputError("-k", f"{k} is out of range", "use 1 to 100")
        filters = SearchFilters(kind=parse_kind(kind), status=parse_status(status), since=parse_day("--since", since),
                                until=parse_day("--until", until), service=service)
        with open_library() as lib:
            result = lib.search(query, filters, k=k)
        if as_json:
            print_json(result)
            return
        if not result.hits:
            console.print("No matching documents.")
            return
        for n, h in enumerate(result.hits, 1):
            head = Text(f"{n}. ", style="bold")
            head.append(h.doc_id, style="bold cyan")
            head.append(f" §{h.section}", style="cyan")
            head.append(f"  {h.title}", style="bold")
            meta = f"{h.kind.value} · {h.status.value} · {h.date or 'undated'}"
            if h.services:
                meta += f" · {', '.join(h.services)}"
            meta += f" · {h.path}:{h.line_start}"
            console.print(head)
            console.print(Text(meta, style="dim"))
            if h.superseded_by:
                console.print(Text(f"superseded by {', '.join(h.superseded_by)}: not the current decision",
                                   style="bold magenta"))
            console.print(snippet(h.text, query))
            console.print()
