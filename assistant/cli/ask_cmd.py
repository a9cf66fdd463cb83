"""``archie ask``, ``archie chat`` and ``archie models check``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from rich.text import Text

from assistant.cli.common import (
    console,
    err_console,
    open_library,
    parse_day,
    parse_kind,
    parse_status,
    print_json,
    settings,
)
from assistant.errors import BadInputError

if TYPE_CHECKING:  # pydantic loads when a command runs, not for --help
    from assistant.models import Answer, SearchFilters

models_app = typer.Typer(help="Check the configured language model.", no_args_is_help=True)


def render_answer(answer: Answer, verbose: bool = False, streamed: bool = False) -> None:
    if streamed:
        console.print()
        console.rule("[dim]checked answer[/]", style="dim")
    style = "yellow" if answer.abstained else None
    console.print(Text(answer.text, style=style or ""))
    for note in answer.notes:
        console.print(Text(note, style="magenta"))
    if answer.as_of and not answer.abstained:
        console.print(Text(f"As of {answer.as_of} (newest cited document)"
                           + (f"; answering as of {answer.as_of_requested}" if answer.as_of_requested else ""), style="dim"))
    rows = answer.nearest if answer.abstained else answer.sources
    if rows:
        console.print(Text("Nearest documents:" if answer.abstained else "Sources:", style="bold"))
        for s in rows:
            extra = f", superseded by {', '.join(s.superseded_by)}" if s.superseded_by else ""
            console.print(Text(f"  {s.doc_id}  {s.title}  ({s.kind.value}, {s.status.value}{extra}, {s.date or 'undated'})"))
    if verbose:
        v = answer.verdict
        console.print(Text(
            f"guard: {v.claims_kept}/{v.claims_total} claims kept, {v.claims_dropped} dropped, {v.claims_marked} marked; "
            f"citations {v.citations_total} ({v.citations_invalid_removed} invalid removed, {v.citations_repaired} repaired); "
            f"{len(v.number_violations)} number problems; {len(v.hype_flags)} hype flags; "
            f"{len(v.injection_suspects)} injected instructions withheld; provider {answer.provider}; {answer.seconds:.2f}s",
            style="dim"))
        for u in v.unsupported[:8]:
            console.print(Text(f"  dropped (unsupported): {u}", style="dim red"))
        if len(v.unsupported) > 8:
            console.print(Text(f"  ... and {len(v.unsupported) - 8} more (see --json)", style="dim red"))
        for h in v.hype_flags:
            console.print(Text(f"  hype: {h.term!r} in “{h.sentence}” ({h.reason})", style="dim yellow"))
        for s in v.injection_suspects:
            console.print(Text(f"  withheld: {s}", style="dim yellow"))


def _filters(kind: str | None, status: str | None, since: str | None, service: str | None) -> SearchFilters:
    from assistant.models import SearchFilters

    return SearchFilters(kind=parse_kind(kind), status=parse_status(status), since=parse_day("--since", since), service=service)


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask(
        question: str = typer.Argument(..., help="A question about past decisions, designs or incidents."),
        kind: str = typer.Option(None, "--kind", help="adr | design | postmortem"),
        status: str = typer.Option(None, "--status", help="Only documents with this status."),
        since: str = typer.Option(None, "--since", help="Only documents dated on or after YYYY-MM-DD."),
        service: str = typer.Option(None, "--service", help="Only documents about this service."),
        as_of: str = typer.Option(None, "--as-of", help="Answer as the organisation stood on YYYY-MM-DD."),
        as_json: bool = typer.Option(False, "--json", help="Print the answer, sources and guard verdict as JSON."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the guard's verdict."),
    ) -> None:
        """Answer a question from the indexed documents, citing every claim as [DOC-ID §Section].

        Offline by default (extractive: the documents' own best sentences). Set ARCHIE_LLM=openai
        (with OPENAI_BASE_URL / ARCHIE_MODEL) or ARCHIE_LLM=llamacpp for a generated answer; the
        guard checks it either way.

        Example: `archie ask "why do service calls need retry budgets?" --as-of 2023-01-01`
        """
        from assistant.ask import ask as run
        from assistant.llm.registry import generative

        if not question.strip():
            raise BadInputError("QUESTION", "is empty", "ask something about your documents")
        s = settings()
        stream = not as_json and generative(s)

        def on_token(token: str) -> None:
            sys.stdout.write(token)
            sys.stdout.flush()

        with open_library() as lib:
            answer = run(lib, question, _filters(kind, status, since, service), parse_day("--as-of", as_of),
                         on_token if stream else None)
        if as_json:
            print_json(answer)
        else:
            render_answer(answer, verbose, streamed=stream)

    @app.command("chat")
    def chat(
        kind: str = typer.Option(None, "--kind", help="adr | design | postmortem"),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the guard's verdict after each answer."),
    ) -> None:
        """Ask questions in a conversation; follow-ups are rewritten into standalone questions.

        Type a question and press Enter; an empty line or Ctrl-D ends the chat.

        Example: `archie chat` then "why kafka?" then "what did it replace?"
        """
        from assistant.ask import Asker
        from assistant.llm.chains import rewrite_followup

        s = settings()
        lib = open_library()
        asker = Asker(lib)
        history: list[dict[str, str]] = []
        try:
            while True:
                try:
                    line = input("you> ").strip()
                except EOFError:
                    break
                if not line:
                    break
                standalone = rewrite_followup(s, history, line) if history else line
                if standalone != line:
                    err_console().print(f"[dim](searching for: {standalone})[/]")
                answer = asker.ask(standalone, _filters(kind, None, None, None))
                render_answer(answer, verbose)
                history += [{"role": "user", "text": line}, {"role": "assistant", "text": answer.text}]
                history = history[-8:]
        finally:
            lib.close()

    app.add_typer(models_app, name="models")


@models_app.command("check")
def models_check(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Which provider is active, whether it answers, and how fast.

    Example: `OPENAI_BASE_URL=http://127.0.0.1:8080/v1 ARCHIE_LLM=openai archie models check`
    """
    from assistant.llm.providers import check

    result = check(settings())
    if as_json:
        print_json(result)
    else:
        mark = "[green]ok[/]" if result.ok else "[red]not answering[/]"
        console.print(f"{result.provider}: {result.description} — {mark}"
                      + (f" in {result.latency_ms:.0f} ms" if result.latency_ms is not None else ""))
        if result.error:
            console.print(f"[red]{result.error}[/]")
    if not result.ok:
        raise typer.Exit(1)
