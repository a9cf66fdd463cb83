"""Each request's context: its id and one access-log line.

The id comes from ``X-Request-ID`` when the client sends a safe one (1-128 letters, digits and
``._:/+=-``: anything else could forge or break a log line) and is generated otherwise; it is
returned in the response's ``X-Request-ID``, put in every problem document and on every log line
written while the request runs (worker threads included: anyio copies the context).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import redact_path

HEADER = "x-request-id"
SCOPE_KEY = "archie.request_id"
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")
_request_id: ContextVar[str | None] = ContextVar("archie_request_id", default=None)
_notes: ContextVar[dict[str, Any] | None] = ContextVar("archie_request_notes", default=None)
access_log = logging.getLogger("archie.access")


def current_request_id() -> str | None:
    return _request_id.get()


def note(**fields: Any) -> None:
    """Add fields to the current request's access-log line (``question`` only reaches the log
    when ARCHIE_LOG_QUESTIONS is on)."""
    notes = _notes.get()
    if notes is not None:
        notes.update(fields)


def request_id_of(scope: Scope) -> str:
    """The client's id when it is safe, else a new one; the same for every caller of one request
    (the tracing middleware asks before ``RequestContext`` runs)."""
    rid: str | None = scope.get(SCOPE_KEY)
    if rid is None:
        sent = dict(scope.get("headers", ())).get(HEADER.encode(), b"").decode("latin-1")
        rid = sent if SAFE_ID.fullmatch(sent) else uuid.uuid4().hex
        scope[SCOPE_KEY] = rid
    return rid


def route_of(scope: Scope) -> str:
    """The route's template (``/v1/documents/{doc_id}``), never the raw path: ``unmatched`` when
    no route took the request."""
    from prometheus_fastapi_instrumentator.routing import get_route_name
    from starlette.requests import Request

    # the same resolution as the metrics' handler label (scope["route"] has only the path within
    # its router, without the /v1 prefix)
    return get_route_name(Request(scope), should_include_root_path=False) or "unmatched"


class RequestContext:
    """Outermost middleware: sets the request id, echoes it, and logs the request when done."""

    def __init__(self, app: ASGIApp, log_questions: bool = False) -> None:
        self.app = app
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id_of(scope)
        rid_token, notes_token = _request_id.set(rid), _notes.set({})
        status = 500  # what the client sees if the app fails before it answers
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER.encode(), rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._log(scope, status, time.perf_counter() - started)
            _request_id.reset(rid_token)
            _notes.reset(notes_token)

    def _log(self, scope: Scope, status: int, seconds: float) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        notes = dict(_notes.get() or {})
        if not self.log_questions:
            notes.pop("question", None)
        query = scope.get("query_string", b"").decode("latin-1")
        path = redact_path(scope["path"] + (f"?{query}" if query else ""), keep_text=self.log_questions)
        client = (scope.get("client") or ("", 0))[0]
        fields = {"method": scope["method"], "route": route_of(scope), "path": path, "status": status,
                  "duration_ms": round(seconds * 1000, 1), "client": client, **notes}
        access_log.info("%s %s %s", scope["method"], path, status, extra={"fields": fields})
