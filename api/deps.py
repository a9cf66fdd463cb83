"""What routes share: settings, the worker's opened index (one ``Library``: one store, one
memoised embedder, one lexical index and the views derived from them per index generation), a
bounded thread pool for the blocking jobs and the per-request time limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request

from api.jobs import IndexJobs
from api.problems import RequestTimeout
from assistant.ask import Asker
from assistant.index.library import Library
from assistant.settings import Settings

T = TypeVar("T")


class Services:
    """One per app: created in ``create_app``, reached through ``request.app.state.services``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lib: Library | None = None
        self._asker: Asker | None = None
        self._lock = threading.Lock()
        self.limiter: anyio.CapacityLimiter | None = None  # made inside the event loop (lifespan)
        self.chart_lock = threading.Lock()  # matplotlib's pyplot is not thread-safe
        self.jobs = IndexJobs(settings)

    def library(self) -> Library:
        """The opened index (raises ``NoIndexError`` until there is one; then kept)."""
        if self._lib is None:
            with self._lock:
                if self._lib is None:
                    self._lib = Library(self.settings)
        return self._lib

    def asker(self) -> Asker:
        """The ask job over the opened index (its guard keeps the vectors it computed)."""
        lib = self.library()
        if self._asker is None:
            with self._lock:
                if self._asker is None:
                    self._asker = Asker(lib)
        return self._asker

    def close(self) -> None:
        if self._lib is not None:
            self._lib.close()
            self._lib = self._asker = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking ``fn`` in the worker pool within the request's time limit. A job past the
        limit is abandoned (threads cannot be killed) and the client gets a 504 at once."""
        timeout = self.settings.api_timeout
        try:
            with anyio.fail_after(timeout):
                return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter, abandon_on_cancel=True)
        except TimeoutError as exc:
            raise RequestTimeout(f"the request took longer than {timeout:g} s") from exc


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return get_services(request).settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
