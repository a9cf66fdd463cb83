"""Shared CLI helpers: settings, consoles, JSON output, option parsing, snippets."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.text import Text

from assistant.errors import BadInputError, NoIndexError

if TYPE_CHECKING:  # pydantic and the index load when a command runs, not for --help
    from pydantic import BaseModel

    from assistant.index.library import Library
    from assistant.models import Kind, Status
    from assistant.settings import Settings

console = Console()
_err: Console | None = None


def err_console() -> Console:
    global _err
    if _err is None:
        _err = Console(stderr=True)
    return _err


def settings() -> Settings:
    from assistant.settings import get_settings

    return get_settings()


def open_library() -> Library:
    """The opened index for this command (``NoIndexError`` with a hint when there is none)."""
    from assistant.index.library import Library  # chromadb and onnxruntime load only here

    return Library(settings())


def try_library() -> Library | None:
    """The opened index, or None when nothing is indexed yet (jobs that work without one)."""

    try:
        return open_library()
    except NoIndexError:
        return None


def print_json(model: BaseModel | list[BaseModel]) -> None:
    if isinstance(model, list):
        typer.echo("[" + ",\n".join(m.model_dump_json(indent=2) for m in model) + "]")
    else:
        typer.echo(model.model_dump_json(indent=2))


def parse_kind(value: str | None) -> Kind | None:
    from assistant.models import Kind

    if value is None:
        return None
    try:
        return Kind(value.lower())
    except ValueError as exc:
        raise BadInputError("--kind", f"unknown kind {value!r}", f"use one of: {', '.join(k.value for k in Kind)}") from exc


def parse_status(value: str | None) -> Status | None:
    from assistant.models import Status

    if value is None:
        return None
    try:
        return Status(value.lower())
    except ValueError as exc:
        raise BadInputError("--status", f"unknown status {value!r}",
                            f"use one of: {', '.join(s.value for s in Status)}") from exc


def parse_day(flag: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadInputError(flag, f"{value!r} is not a date", "write it as YYYY-MM-DD") from exc


def snippet(text: str, query: str, width: int = 320) -> Text:
    """The window of ``text`` with the most query terms, with those terms highlighted."""
    from assistant.text import query_terms

    flat = re.sub(r"\s+", " ", text).strip()
    terms = query_terms(query)
    stems = [t[:5] if len(t) > 5 else t for t in terms]
    pat = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.I) if stems else None
    start = 0
    if pat and len(flat) > width:
        best = -1
        for m in pat.finditer(flat):
            s0 = max(0, m.start() - width // 4)
            count = len(pat.findall(flat[s0 : s0 + width]))
            if count > best:
                best, start = count, s0
    window = flat[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(flat) else ""
    out = Text(prefix + window + suffix)
    if pat:
        out.highlight_regex(pat, style="bold yellow")
    return out
