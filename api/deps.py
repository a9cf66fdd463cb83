"""What routes share: settings, the process's opened index (one ``Asker``, so one store, one
embedder and one lexical index per worker), a bounded thread pool for the blocking jobs and the
per-request time limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request

from api.problems import RequestTimeout
from assistant.settings import Settings

T = TypeVar("T")


class Services:
    """One per app: created in ``create_app``, reached through ``request.app.state.services``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._asker: Any = None
        self._lock = threading.Lock()
        self.limiter: anyio.CapacityLimiter | None = None  # made inside the event loop (lifespan)
        self.chart_lock = threading.Lock()  # matplotlib's pyplot is not thread-safe
        self.cache: dict[tuple[Any, ...], Any] = {}
        from api.jobs import IndexJobs

        self.jobs = IndexJobs(settings)

    def asker(self) -> Any:
        """The opened index (raises ``NoIndexError`` until there is one; then kept)."""
        if self._asker is None:
            with self._lock:
                if self._asker is None:
                    from assistant.ask import Asker

                    self._asker = Asker(self.settings)
        return self._asker

    def close(self) -> None:
        if self._asker is not None:
            self._asker.close()
            self._asker = None

    def cached(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """``make()`` memoised per key (callers put the index generation in the key)."""
        if key not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[key] = make()
        return self.cache[key]  # type: ignore[no-any-return]

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
