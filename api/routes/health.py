"""``GET /healthz`` (the process answers) and ``GET /readyz`` (it can serve: index opened,
embedding model loaded, model server reachable when one is configured)."""

from __future__ import annotations

import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import Services, ServicesDep
from api.schemas import Check, Health, Readiness
from assistant import __version__
from assistant.errors import ArchieError
from assistant.index.embeddings import get_embedder
from assistant.llm.registry import describe, generative, gguf_path
from assistant.settings import Settings

router = APIRouter(tags=["health"])
_model_cache: dict[str, tuple[float, Check]] = {}


def model_check(settings: Settings) -> Check:
    """Is the configured model reachable? For a server, one cheap GET of its model list (any HTTP
    answer means it is up; cached for 5 s); for llama.cpp in-process, whether the GGUF file exists."""
    if not generative(settings):
        return Check(ok=True, detail="no model configured: answers are extractive")
    if settings.llm == "llamacpp":
        try:
            path = gguf_path(settings)
        except ArchieError as exc:
            return Check(ok=False, detail=exc.message)
        return Check(ok=path.is_file(), detail=f"{describe(settings)}" + ("" if path.is_file() else f": {path} is missing"))
    base = (settings.openai_base_url or "https://api.openai.com/v1").rstrip("/")
    hit = _model_cache.get(base)
    if hit and time.monotonic() - hit[0] < 5:
        return hit[1]
    import httpx

    headers = {"Authorization": f"Bearer {settings.openai_api_key}"} if settings.openai_api_key else {}
    try:
        reply = httpx.get(f"{base}/models", headers=headers, timeout=min(settings.llm_timeout, 3.0))
        check = Check(ok=True, detail=f"{describe(settings)} answered (HTTP {reply.status_code})")
    except httpx.HTTPError as exc:
        check = Check(ok=False, detail=f"{describe(settings)} is not reachable ({type(exc).__name__})")
    _model_cache[base] = (time.monotonic(), check)
    return check


def readiness(services: Services) -> Readiness:
    checks: dict[str, Check] = {}
    try:
        checks["index"] = Check(ok=True, detail=f"{services.library().store.chunk_count()} chunks")
    except ArchieError as exc:
        checks["index"] = Check(ok=False, detail=f"{exc.message}; {exc.hint}" if exc.hint else exc.message)
    try:
        embedder = get_embedder(services.settings)  # one per process: the library's own
        embedder.embed(["ready"])
        checks["embeddings"] = Check(ok=True, detail=f"{embedder.model_id} loaded")
    except ArchieError as exc:
        checks["embeddings"] = Check(ok=False, detail=exc.message)
    checks["model"] = model_check(services.settings)
    return Readiness(ready=all(c.ok for c in checks.values()), checks=checks)


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health(version=__version__)


@router.get("/readyz", response_model=Readiness, summary="Ready to serve (503 with the failing checks if not)",
            responses={503: {"model": Readiness, "description": "not ready: see which check failed"}})
async def readyz(services: ServicesDep) -> JSONResponse:
    ready = await services.run(readiness, services)
    return JSONResponse(ready.model_dump(mode="json"), status_code=200 if ready.ready else 503)
