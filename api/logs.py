"""The service's log lines: one JSON object per line (or plain text), each with the request id,
and query strings redacted wherever they are logged (ours and uvicorn's access log), since a
client may put a key or a confidential question in a URL.

``configure`` is called by ``create_app``: it formats uvicorn's own handlers (when they are
uvicorn's defaults; an operator's ``--log-config`` is left alone) and gives the ``archie``
loggers a handler unless the host process has configured logging already.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Any
from urllib.parse import unquote_plus

# parameters whose values say nothing private; every other value is replaced (an allow-list,
# so that a key under any name, ?key= or ?access_token= or ?x=, is never written)
SAFE_PARAMS = frozenset({"k", "kind", "status", "since", "until", "by", "mttr", "format", "chart",
                         "repeat_window", "service", "severity"})
TEXT_PARAMS = frozenset({"q"})  # the search text: logged only with ARCHIE_LOG_QUESTIONS
REDACTED = "***"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\]-]{0,40}")
HANDLER_NAME = "archie-service"


def redact_query(query: str, keep_text: bool = False) -> str:
    keep = SAFE_PARAMS | TEXT_PARAMS if keep_text else SAFE_PARAMS
    out = []
    for pair in query.split("&"):
        name, sep, _ = pair.partition("=")
        if sep and unquote_plus(name) in keep:
            out.append(pair)
        elif sep and _NAME.fullmatch(name):
            out.append(f"{name}={REDACTED}")
        elif pair:
            out.append(REDACTED)  # a bare token or an odd name may be the secret itself
    return "&".join(out)


def redact_path(path: str, keep_text: bool = False) -> str:
    base, sep, query = path.partition("?")
    return f"{base}?{redact_query(query, keep_text)}" if sep else base


class RedactQuery(logging.Filter):
    """For ``uvicorn.access``: its records carry (client, method, path?query, version, status)."""

    def __init__(self, keep_text: bool = False) -> None:
        super().__init__()
        self.keep_text = keep_text

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], redact_path(args[2], self.keep_text), args[3], args[4])
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    from api.context import current_request_id

    fields: dict[str, Any] = {"request_id": getattr(record, "request_id", None) or current_request_id()}
    args = record.args
    if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
        fields.update(client=args[0], method=args[1], path=args[2], status=args[4])
    fields.update(getattr(record, "fields", None) or {})
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, then the record's
    fields (method, route, status, duration_ms, ...) and a traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        out.update(_fields(record))
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """``time LEVEL logger [request id] message key=value ...`` for people at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = _fields(record)
        rid = fields.pop("request_id", None)
        if record.name == "uvicorn.access":
            for name in ("method", "path", "status", "client"):
                fields.pop(name, None)  # already in uvicorn's message
        line = super().format(record)
        head, _, rest = line.partition(f" {record.name} ")
        extra = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        return f"{head} {record.name} [{rid or '-'}] {rest}" + (f" {extra}" if extra else "")


def _is_uvicorns(formatter: logging.Formatter | None) -> bool:
    return formatter is not None and type(formatter).__module__.startswith("uvicorn.")


def configure(log_format: str, log_questions: bool) -> None:
    """Idempotent: ``create_app`` may run more than once in a process (tests)."""
    formatter: logging.Formatter = JsonFormatter() if log_format == "json" else PlainFormatter()
    access = logging.getLogger("uvicorn.access")
    for old in [f for f in access.filters if isinstance(f, RedactQuery)]:
        access.removeFilter(old)
    access.addFilter(RedactQuery(keep_text=log_questions))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for handler in logging.getLogger(name).handlers:
            if _is_uvicorns(handler.formatter) or handler.get_name() == HANDLER_NAME:
                handler.setFormatter(formatter)
    archie = logging.getLogger("archie")
    ours = [h for h in archie.handlers if h.get_name() == HANDLER_NAME]
    for handler in ours:
        archie.removeHandler(handler)
    if logging.getLogger().handlers or archie.handlers:
        return  # the host (pytest, an embedding app, a --log-config with a root handler) decides
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter)
    archie.addHandler(handler)
    if archie.level == logging.NOTSET:
        # follow uvicorn's --log-level when uvicorn configured logging, else INFO
        archie.setLevel(logging.getLogger("uvicorn.error").level or logging.INFO)
