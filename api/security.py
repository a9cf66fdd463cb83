"""API keys, per-key rate limits, failed-key limits per address, and the request body's size and
read time, as ASGI middleware so that they act before a body is read or a route runs.

Keys are compared in constant time (``hmac.compare_digest`` against every configured key) and
never logged: the rate limiter and the logs know a key only by a short SHA-256 fingerprint.
"""

from __future__ import annotations

import hmac
import math
import threading
import time

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.hosts import is_loopback
from api.keys import fingerprint
from api.problems import (
    ApiError,
    BodyReadTimeout,
    Forbidden,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    archie_response,
)

__all__ = ["BodyLimit", "KeyAuth", "TokenBucket", "fingerprint", "is_loopback", "protects"]
PROTECTED_PREFIX = "/v1/"


def protects(path: str) -> bool:
    """The paths behind keys: the jobs, and the metrics (they show what is asked and how often)."""
    return path.startswith(PROTECTED_PREFIX) or path == "/metrics"


class TokenBucket:
    """``rate`` tokens per second up to ``burst``, one bucket per caller; thread-safe."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _tokens(self, who: str, now: float) -> float:
        tokens, last = self._buckets.get(who, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def take(self, who: str) -> float:
        """0 if the call may proceed, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(who, now)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            if len(self._buckets) > 10_000:  # forget idle callers
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 3600}
            return (1.0 - tokens) / self.rate

    def wait(self, who: str) -> float:
        """The seconds until ``who`` has a token, without taking one."""
        with self._lock:
            tokens = self._tokens(who, time.monotonic())
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate


def _retry(wait: float, message: str) -> RateLimited:
    seconds = max(1, math.ceil(wait))
    return RateLimited(f"{message}; retry in {seconds} s", headers={"Retry-After": str(seconds)})


class KeyAuth:
    """Every ``/v1/`` request (and ``/metrics``) needs ``Authorization: Bearer <key>`` (unless
    auth is off, which serves loopback clients only) and is counted against its key's rate.

    Wrong keys are counted per client address in ``failures``; an address out of tokens is
    refused before its key is even looked at, so that a guess made then cannot be confirmed."""

    def __init__(self, app: ASGIApp, keys: list[str], enabled: bool, limiter: TokenBucket,
                 failures: TokenBucket) -> None:
        self.app = app
        self.keys = [k.encode() for k in keys]
        self.enabled = enabled
        self.limiter = limiter
        self.failures = failures

    def _match(self, presented: bytes) -> bool:
        ok = False
        for key in self.keys:  # no early exit: the time taken does not say which key matched
            ok |= hmac.compare_digest(presented, key)
        return ok

    def _check_key(self, scope: Scope) -> ApiError | str:
        """The caller's rate-limit identity, or the error to answer."""
        auth = Headers(scope=scope).get("authorization", "")
        scheme, _, token = auth.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:  # no key: a mistake, not a guess
            return Unauthorized("this route needs an API key", headers={"WWW-Authenticate": "Bearer"})
        address = "addr:" + str((scope.get("client") or ("", 0))[0])
        locked = self.failures.wait(address)
        if locked > 0:
            return _retry(locked, "too many wrong API keys from this address")
        if not self._match(token.encode()):
            self.failures.take(address)
            return Unauthorized("the API key is not valid", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return "key:" + fingerprint(token)

    def _check_loopback(self, scope: Scope) -> ApiError | str:
        client = (scope.get("client") or ("", 0))[0]
        server = (scope.get("server") or ("", 0))[0]
        if not (is_loopback(server or "127.0.0.1") and is_loopback(client or "127.0.0.1")):
            return Forbidden("authentication is off, so this service answers loopback clients only",
                             "start it with API keys (ARCHIE_API_KEYS) to serve other hosts")
        return "client:" + str(client)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not protects(scope["path"]):
            await self.app(scope, receive, send)
            return
        who = self._check_key(scope) if self.enabled else self._check_loopback(scope)
        if isinstance(who, str) and (wait := self.limiter.take(who)) > 0:
            who = _retry(wait, "rate limit exceeded")
        if isinstance(who, ApiError):
            await archie_response(who, scope["path"])(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses bodies over ``limit`` bytes (at once when Content-Length says so, else as the
    bytes arrive) and bodies that take longer than ``timeout`` seconds to arrive (a client that
    declares 100 bytes and sends 10 would otherwise hold a connection and a request forever).

    The errors are raised from ``receive``, so the route's exception handlers answer them; both
    close the connection, since the rest of the body is still on its way."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        close = {"Connection": "close"}
        too_big = PayloadTooLarge(f"the request body is over the limit of {self.limit:,} bytes", headers=close)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await archie_response(too_big, scope["path"])(scope, receive, send)
            return
        seen, done, deadline = 0, False, 0.0

        async def counted() -> Message:
            nonlocal seen, done, deadline
            if done:  # after the body only a disconnect can come (an SSE stream waits for one)
                return await receive()
            deadline = deadline or anyio.current_time() + self.timeout  # from the route's first read
            try:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    message = await receive()
            except TimeoutError:
                raise BodyReadTimeout(f"the request body did not arrive within {self.timeout:g} s",
                                      headers=close) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                done = not message.get("more_body", False)
                if seen > self.limit:
                    raise too_big
            return message

        await self.app(scope, counted, send)
