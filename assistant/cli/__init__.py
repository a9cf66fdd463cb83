"""The ``archie`` command line: a thin typer app over the library.

One error handler: an ``ArchieError`` prints one red line and a hint and exits 1; anything
else is a bug and keeps its traceback.

Imports: each command module imports at its top only what ``--help`` needs (typer, rich, the
error tree); a command imports its job, pydantic models and settings inside its function, so
that ``archie --help`` stays at about 0.15 s and ``archie docs list`` does not load LangChain.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from assistant import __version__
from assistant.errors import ArchieError

app = typer.Typer(
    name="archie",
    help="archie: an engineering review assistant grounded in your ADRs, design docs and postmortems.\n\n"
    "Start with `archie index corpus/`, then `archie search \"why postgres\"`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archie {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """archie: an engineering review assistant grounded in your own documents."""


def _register() -> None:
    from assistant.cli import (
        ask_cmd,
        capacity_cmd,
        ci_cmd,
        docs_cmd,
        eval_cmd,
        incidents_cmd,
        index_cmd,
        review_cmd,
        search_cmd,
        serve_cmd,
    )

    index_cmd.register(app)
    search_cmd.register(app)
    ask_cmd.register(app)
    review_cmd.register(app)
    eval_cmd.register(app)
    app.add_typer(docs_cmd.app, name="docs")
    app.add_typer(capacity_cmd.app, name="capacity")
    app.add_typer(incidents_cmd.app, name="incidents")
    app.add_typer(ci_cmd.app, name="ci")
    serve_cmd.register(app)


_register()


def main() -> None:
    try:
        app()
    except ArchieError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        if exc.hint:
            err.print(f"[dim]hint: {exc.hint}[/]", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        sys.exit(130)
