"""``POST /v1/review``: findings on a design doc or ADR draft, sent as JSON (``{"text": ...}``)
or uploaded as a file (multipart field ``file``); ``?format=json|markdown|sarif``."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api import metrics
from api.deps import ServicesDep
from api.problems import NotImplementedYet, UnsupportedMediaType, documented
from api.schemas import ReviewRequest
from assistant.documents import SourceText, from_text, read_bytes
from assistant.errors import BadInputError, NoIndexError
from assistant.index.library import Library
from assistant.review import Review, review_source
from assistant.settings import Settings

router = APIRouter(tags=["review"])
Format = Literal["json", "markdown", "sarif"]
_MULTIPART = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "a Markdown or text file (UTF-8), or Word, PDF, HTML, reStructuredText, AsciiDoc"},
}}
_BODY = {"required": True, "content": {
    "application/json": {"schema": ReviewRequest.model_json_schema(),
                         "example": ReviewRequest.model_config["json_schema_extra"]["examples"][0]},  # type: ignore[index]
    "multipart/form-data": {"schema": _MULTIPART},
}}


async def _read(request: Request, settings: Settings) -> SourceText:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        raw = await request.body()
        if not raw.strip():
            raise BadInputError("body", "is empty", 'send {"text": "# My design\\n..."}')
        try:
            body = ReviewRequest.model_validate_json(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err.get("loc", ())) or "body"
            if err.get("type") == "json_invalid":
                raise BadInputError("body", "is not valid JSON", 'send {"text": "# My design\\n..."}') from exc
            raise BadInputError(f"body.{where}" if where != "body" else where, err.get("msg", "invalid"),
                                'send {"text": "...", "path": "design.md"}') from exc
        if not body.text.strip():
            raise BadInputError("body.text", "is empty", "send the Markdown text of the design doc")
        return from_text(body.text, body.path)
    if ctype == "multipart/form-data":
        async with request.form(max_files=1, max_fields=4) as form:  # closes the spooled upload
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadInputError("file", "is missing from the form", "upload the document in a field named `file`")
            name = (upload.filename or "upload.md").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload.md"
            # the one reader: the same rules as `archie index` and `archie review` (Word, PDF, HTML converted)
            return read_bytes(await upload.read(), name, settings)
    raise UnsupportedMediaType(f"this route takes application/json or multipart/form-data, not {ctype or 'no content type'}",
                               'send {"text": ...} as JSON, or upload the file as multipart field `file`')


@router.post("/review", response_model=Review, openapi_extra={"requestBody": _BODY}, responses={
    **documented(501, body=True),
    200: {"description": "findings (JSON), a Markdown report, or SARIF 2.1.0 for code-scanning tools",
          "content": {"text/markdown": {"schema": {"type": "string"}}, "application/sarif+json": {"schema": {"type": "object"}}}},
}, summary="Review a design doc or ADR draft: findings by severity, with lines and evidence")
async def review(request: Request, services: ServicesDep, format: Format = "json") -> Any:
    src = await _read(request, services.settings)

    def run() -> Review:
        # with an index, the precedent checks (conflicting ADRs, repeated incidents) use it
        try:
            lib: Library | None = services.library()
        except NoIndexError:
            lib = None
        return review_source(src, lib, settings=services.settings)

    result: Review = metrics.reviewed(await services.run(run))
    if format == "json":
        return result
    try:
        from assistant.review import render
    except ImportError as exc:
        raise NotImplementedYet(f"format {format!r} is not available in this build", "use format=json") from exc
    if format == "markdown":
        return Response(await services.run(render.markdown, result), media_type="text/markdown; charset=utf-8")
    sarif = await services.run(render.sarif, result)
    return JSONResponse(json.loads(json.dumps(sarif)), media_type="application/sarif+json")
