"""Errors as RFC 9457 problem details (``application/problem+json``), in one place.

An ``ArchieError`` becomes its ``status_code`` with the message as ``detail`` and the hint as
an extension; request validation errors name each field; anything else is a bug: it is logged
with its traceback and the client gets a plain 500 with no internals.

Every problem carries the request's ``request_id`` (see ``api/context.py``).

The service's own errors (below) extend the library's tree::

    ArchieError
     ├── Unauthorized          401  missing or wrong API key
     ├── Forbidden             403  --no-auth reached from a non-loopback address
     │    └── CrossSiteRequest 403  a state-changing request from another web origin
     ├── NotFound              404  an unknown route or index job
     ├── BodyReadTimeout       408  the body did not arrive within ARCHIE_API_BODY_TIMEOUT
     ├── PayloadTooLarge       413  body over ARCHIE_API_MAX_BODY_BYTES
     ├── UnsupportedMediaType  415  a content type the route does not take
     ├── MisdirectedRequest    421  auth is off and the Host is not a loopback name
     ├── RateLimited           429  over the key's rate, or too many wrong keys (Retry-After)
     ├── NotImplementedYet     501  a format this build cannot produce
     └── RequestTimeout        504  over ARCHIE_API_TIMEOUT
"""

from __future__ import annotations

import json
import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.context import current_request_id
from api.metrics import count_problem
from assistant.errors import (
    ArchieError,
    BadInputError,
    DocumentNotFound,
    EmbeddingMismatchError,
    IndexBusyError,
    ModelUnavailable,
    NoIndexError,
    StoreUnavailable,
)

log = logging.getLogger("archie.api")
MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="where the problem is, e.g. body.question or query.k")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "urn:archie:problem:document-not-found", "title": "Document not found", "status": 404,
        "detail": "no indexed document has id 'ADR-9999'", "instance": "/v1/documents/ADR-9999",
        "hint": "`archie docs list` shows the indexed ids"}]})

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    hint: str | None = Field(default=None, description="what to do about it")
    errors: list[FieldError] | None = Field(default=None, description="one entry per invalid field")
    request_id: str | None = Field(default=None, description="the X-Request-ID of the request, as in the logs")


class ApiError(ArchieError):
    """An error of the service itself; ``headers`` go on the response."""

    status_code = 400

    def __init__(self, message: str, hint: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, hint)
        self.headers = headers or {}


class Unauthorized(ApiError):
    status_code = 401
    hint = "send `Authorization: Bearer <key>` with a key from ARCHIE_API_KEYS"


class Forbidden(ApiError):
    status_code = 403


class CrossSiteRequest(Forbidden):
    pass


class NotFound(ApiError):
    status_code = 404


class BodyReadTimeout(ApiError):
    status_code = 408
    hint = "send the whole body at once (the limit is ARCHIE_API_BODY_TIMEOUT)"


class PayloadTooLarge(ApiError):
    status_code = 413
    hint = "send a smaller body (the limit is ARCHIE_API_MAX_BODY_BYTES)"


class UnsupportedMediaType(ApiError):
    status_code = 415


class MisdirectedRequest(ApiError):
    status_code = 421


class RateLimited(ApiError):
    status_code = 429
    hint = "wait for the number of seconds in Retry-After, then retry"


class NotImplementedYet(ApiError):
    status_code = 501


class RequestTimeout(ApiError):
    status_code = 504
    hint = "narrow the request, or raise ARCHIE_API_TIMEOUT"


# the library's errors by type -> HTTP status (the most specific class in an error's MRO wins);
# the service's own errors (ApiError) carry their status themselves
STATUS: dict[type[ArchieError], int] = {
    ArchieError: 400,
    BadInputError: 422,
    NoIndexError: 409,
    EmbeddingMismatchError: 409,
    IndexBusyError: 409,
    DocumentNotFound: 404,
    StoreUnavailable: 503,
    ModelUnavailable: 503,
}


def status_of(exc: ArchieError) -> int:
    if isinstance(exc, ApiError):
        return exc.status_code
    return next(STATUS[c] for c in type(exc).__mro__ if c in STATUS)


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower().removesuffix("-error")


def _title(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize().removesuffix(" error")


def problem_of(exc: ArchieError, instance: str | None = None) -> Problem:
    name = type(exc).__name__
    extra: dict[str, Any] = {}
    if isinstance(exc, BadInputError):
        extra["errors"] = [FieldError(field=exc.where, message=exc.reason)]
    count_problem(exc)
    return Problem(type=f"urn:archie:problem:{_slug(name)}", title=_title(name), status=status_of(exc),
                   detail=exc.message, instance=instance, hint=exc.hint or None, request_id=current_request_id(),
                   **extra)


def response(problem: Problem, headers: dict[str, str] | None = None) -> Response:
    if problem.request_id is None:
        problem.request_id = current_request_id()
    body = problem.model_dump(mode="json", exclude_none=True)
    return Response(json.dumps(body), status_code=problem.status, media_type=MEDIA_TYPE, headers=headers)


def archie_response(exc: ArchieError, path: str | None) -> Response:
    return response(problem_of(exc, path), getattr(exc, "headers", None))


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(p) for p in loc) or "body"


def _is_json(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    errors = list(exc.errors())
    path = request.url.path
    if any(e.get("type") == "json_invalid" for e in errors):
        e = next(e for e in errors if e.get("type") == "json_invalid")
        reason = (e.get("ctx") or {}).get("error", "invalid JSON")
        return response(Problem(type="urn:archie:problem:malformed-json", title="Malformed JSON", status=400,
                                detail=f"the request body is not valid JSON ({reason} at position {e['loc'][-1]})",
                                instance=path, hint="send a JSON object, e.g. {\"question\": \"why kafka?\"}"))
    body_errors = [e for e in errors if tuple(e.get("loc", ()))[:1] == ("body",)]
    raw_body = isinstance(exc.body, bytes | bytearray) and bool(exc.body)
    if body_errors and raw_body and request.method in ("POST", "PUT", "PATCH") and not _is_json(request):
        ctype = request.headers.get("content-type") or "none"
        return response(Problem(
            type="urn:archie:problem:unsupported-media-type", title="Unsupported media type", status=415,
            detail=f"this route takes application/json, not {ctype}", instance=path,
            hint="send the body as JSON with `Content-Type: application/json`"))
    fields = [FieldError(field=_field(e.get("loc", ())), message=str(e.get("msg", "invalid"))) for e in errors]
    if any(f.field == "body" and "required" in f.message.lower() for f in fields):
        detail = "the request body is empty: this route needs a JSON object"
    else:
        detail = "; ".join(f"{f.field}: {f.message}" for f in fields[:5])
    return response(Problem(type="urn:archie:problem:invalid-request", title="Invalid request", status=422,
                            detail=detail, instance=path, errors=fields,
                            hint="fix the named fields (see /docs for the schema and examples)"))


async def _archie(request: Request, exc: ArchieError) -> Response:
    if status_of(exc) >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, exc.message)
    return archie_response(exc, request.url.path)


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    if isinstance(exc.__cause__, ArchieError):
        # FastAPI wraps whatever reading the body raised in a 400; the guards raise their own
        # problem there (413 over the limit, 408 too slow), which is the one to answer
        return await _archie(request, exc.__cause__)
    status = exc.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    if status == 404 and detail is None:
        detail = f"no route {request.method} {request.url.path}"
    if status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    hint = None
    if status == 400 and exc.__cause__ is not None:  # FastAPI raises it from the body's parse error
        if isinstance(exc.__cause__, UnicodeDecodeError):
            detail, hint = "the request body is not UTF-8, so it is not valid JSON", "encode the body as UTF-8"
        else:
            detail, hint = "the request body could not be parsed", "send JSON, or a multipart form where the route takes one"
    return response(Problem(title=phrase, status=status, detail=detail, instance=request.url.path, hint=hint),
                    dict(exc.headers or {}))


async def _bug(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error in %s %s", request.method, request.url.path)
    return response(Problem(title="Internal Server Error", status=500, instance=request.url.path,
                            detail="the server failed to answer this request; it has been logged"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(ArchieError, _archie)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _bug)


# the problem responses every /v1 route can give, for the OpenAPI schema; a route that reads a
# body can also answer 400 (not JSON, not UTF-8), 408 (the body stalled) and 415
def documented(*statuses: int, body: bool = False) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, *((400, 408, 415) if body else ()), 401, 403, 413, 422, 429, 504):
        # "model" puts Problem in the components (and under application/json); the schema is
        # named again for the media type the problems are actually sent as
        out[status] = {"model": Problem, "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                       "description": HTTPStatus(status).phrase}
    return out
