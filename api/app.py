"""The FastAPI app: ``create_app()`` wires settings, logging, the guards (Host and Origin checks,
body size and read time, API keys and rate limits, CORS when configured), metrics and optional
tracing, the problem-detail handlers, the routers and the web page.

Run it with ``archie serve``, or ``uvicorn api.app:create_app --factory``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources

import anyio
from fastapi import APIRouter, FastAPI, Security
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse

from api import logs, metrics, problems
from api.context import RequestContext
from api.deps import Services
from api.origins import LoopbackHosts, SameOrigin
from api.routes import ask, capacity, health, incidents, index, review, search
from api.security import BodyLimit, KeyAuth, TokenBucket
from assistant import __version__
from assistant.errors import ConfigError
from assistant.service import api_keys, check_tracing
from assistant.settings import Settings, get_settings

log = logging.getLogger("archie.api")
# documents the bearer scheme in /docs; KeyAuth enforces it (before a body is read)
bearer = HTTPBearer(auto_error=False, description="a key from ARCHIE_API_KEYS")

DESCRIPTION = """archie's jobs over HTTP: grounded answers about past decisions, design-doc review,
incident trends and capacity arithmetic, from your ADRs, design docs and postmortems.

Every `/v1` route needs `Authorization: Bearer <key>` (a key from `ARCHIE_API_KEYS`). Errors are
RFC 9457 problem details (`application/problem+json`) that name the field and say what to do.
"""


def create_local_app() -> FastAPI:
    """The app for one person on their own machine (``archie serve --no-auth``): no keys, and
    only loopback Host names and same-origin requests are answered."""
    return create_app(get_settings().model_copy(update={"api_auth": False}))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    keys = api_keys(settings)
    if settings.api_auth and not keys:
        raise ConfigError("no API keys: set ARCHIE_API_KEYS (comma-separated keys, or a file with one per line)",
                          "or start with `archie serve --no-auth` on 127.0.0.1 for local use")
    check_tracing(settings)  # before anything starts: one line saying what to install
    logs.configure(settings.log_format, settings.log_questions)
    services = Services(settings)
    stops: list[Callable[[], object] | None] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.limiter = anyio.CapacityLimiter(settings.api_threads)
        stop_metrics = metrics.serve_port(settings)
        try:
            yield
        finally:
            if services.jobs.running():
                log.warning("waiting for the running index job to finish before stopping")
                await anyio.to_thread.run_sync(services.jobs.wait)
            services.close()
            for stop in (stop_metrics, *stops):
                if stop is not None:
                    stop()

    app = FastAPI(title="archie", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url="/docs", redoc_url=None)
    app.state.services = services
    problems.install(app)

    v1 = APIRouter(prefix="/v1", dependencies=[Security(bearer)])
    for module in (ask, review, incidents, capacity, search, index):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router)

    static = resources.files("api") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(str(static / "index.html"), media_type="text/html")

    _add_middleware(app, settings, keys)
    if settings.api_tracing:
        from api import (
            tracing,  # only then: with tracing off archie loads nothing of OpenTelemetry's
        )

        stops.append(tracing.install(app, settings))  # outermost: a span covers everything below
    if not settings.api_auth:
        log.warning("authentication is off: /v1 answers loopback clients without a key")
    return app


def _add_middleware(app: FastAPI, settings: Settings, keys: list[str]) -> None:
    """The last added runs first: the request id and access log, metrics, the Host check (auth
    off), the Origin check, CORS (only when origins are set; answers preflights), the body
    limits, then keys and rates."""
    failures = TokenBucket(settings.api_auth_failures_per_minute, settings.api_auth_failures_burst)
    app.add_middleware(KeyAuth, keys=keys, enabled=settings.api_auth, failures=failures,
                       limiter=TokenBucket(settings.api_rate_per_minute, settings.api_rate_burst))
    app.add_middleware(BodyLimit, limit=settings.api_max_body_bytes, timeout=settings.api_body_timeout)
    if settings.api_cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.api_cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
                           expose_headers=["X-Request-ID", "Retry-After"])
    # without keys every state change must come from this server's own page; with keys, forms
    app.add_middleware(SameOrigin, trusted=settings.api_cors_origins, all_types=not settings.api_auth)
    if not settings.api_auth:
        app.add_middleware(LoopbackHosts)
    metrics.install(app, settings)
    app.add_middleware(RequestContext, log_questions=settings.log_questions)
