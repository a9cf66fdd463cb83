"""``POST /v1/ask``: a cited answer as JSON, or streamed as server-sent events.

With ``Accept: text/event-stream`` the events are ``token`` (``{"text": ...}``, while a model
writes its draft; none in extractive mode), then one ``answer`` (the checked ``Answer``, guard
verdict included) or one ``error`` (a problem detail).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api import metrics
from api.deps import Services, ServicesDep
from api.problems import Problem, documented, problem_of
from api.schemas import AskRequest
from assistant.errors import ArchieError
from assistant.models import Answer

router = APIRouter(tags=["ask"])
log = logging.getLogger("archie.api")

_SSE_DOC = ("event: token\ndata: {\"text\": \"Every call \"}\n\n"
            "event: answer\ndata: {\"question\": \"...\", \"text\": \"... [ADR-0009 §Decision]\", ...}\n\n")


def sse(event: str, data: Any) -> bytes:
    payload = data.model_dump_json(exclude_none=event == "error") if hasattr(data, "model_dump_json") else json.dumps(data)
    return f"event: {event}\ndata: {payload}\n\n".encode()


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "").lower()


async def _events(services: Services, asker: Any, body: AskRequest, path: str) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def on_token(text: str) -> None:  # called in the worker thread
        loop.call_soon_threadsafe(queue.put_nowait, ("token", {"text": text}))

    async def work() -> None:
        try:
            answer = await services.run(asker.ask, body.question, body.filters(), body.as_of, on_token)
            queue.put_nowait(("answer", metrics.answered(answer)))
        except ArchieError as exc:
            queue.put_nowait(("error", problem_of(exc, path)))
        except Exception:
            log.exception("unhandled error while streaming %s", path)
            queue.put_nowait(("error", Problem(title="Internal Server Error", status=500, instance=path,
                                               detail="the server failed to answer this request; it has been logged")))

    task = asyncio.create_task(work())
    try:
        while True:
            event, data = await queue.get()
            yield sse(event, data)
            if event != "token":
                break
    finally:
        task.cancel()  # the client went away: stop waiting (the thread finishes on its own)


@router.post(
    "/ask", response_model=Answer, summary="Answer a question from the documents, every claim cited",
    responses={**documented(409, 503, body=True), 200: {"description": "the checked answer (JSON), or a stream of events",
                                            "content": {"text/event-stream": {"example": _SSE_DOC}}}},
)
async def ask(body: AskRequest, request: Request, services: ServicesDep) -> Any:
    """Extractive by default (the documents' own best sentences); with a model configured the
    draft streams as `token` events and the guard checks it before the `answer` event. When the
    model server is down the answer falls back to extractive and says so (`fallback`), or this
    answers 503 if `ARCHIE_LLM_FALLBACK=false`."""
    asker = await services.run(services.asker)  # no index yet: a 409 problem, before any stream
    if wants_stream(request):
        return StreamingResponse(_events(services, asker, body, request.url.path), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return metrics.answered(await services.run(asker.ask, body.question, body.filters(), body.as_of))
