"""API keys, per-key rate limits and the request body limit, as ASGI middleware so that they act
before a body is read or a route runs.

Keys are compared in constant time (``hmac.compare_digest`` against every configured key) and
never logged: the rate limiter and the logs know a key only by a short SHA-256 fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import threading
import time
from pathlib import Path

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import Forbidden, PayloadTooLarge, RateLimited, Unauthorized, archie_response
from assistant.errors import ConfigError
from assistant.settings import Settings

PROTECTED_PREFIX = "/v1/"


def load_keys(settings: Settings) -> list[str]:
    """ARCHIE_API_KEYS: comma-separated keys, or the path of a file with one key per line
    (blank lines and ``#`` comments ignored)."""
    raw = settings.api_keys.get_secret_value().strip() if settings.api_keys else ""
    if not raw:
        return []
    path = Path(raw).expanduser()
    if "," not in raw and (path.is_file() or raw.startswith(("/", "./", "~"))):
        if not path.is_file():
            raise ConfigError(f"setting 'api_keys': key file {path} does not exist")
        lines = path.read_text(encoding="utf-8").splitlines()
        keys = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    else:
        keys = [k.strip() for k in raw.split(",") if k.strip()]
    short = [k for k in keys if len(k) < 16]
    if short:
        raise ConfigError(f"setting 'api_keys': {len(short)} key(s) shorter than 16 characters",
                          "use long random keys, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return keys


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class TokenBucket:
    """``rate`` tokens per second up to ``burst``, one bucket per caller; thread-safe."""

    def __init__(self, per_minute: float, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        """0 if the call may proceed, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            if len(self._buckets) > 10_000:  # forget idle callers
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 3600}
            return (1.0 - tokens) / self.rate


class KeyAuth:
    """Every ``/v1/`` request needs ``Authorization: Bearer <key>`` (unless auth is off, which
    serves loopback clients only) and is counted against its key's rate."""

    def __init__(self, app: ASGIApp, keys: list[str], enabled: bool, limiter: TokenBucket) -> None:
        self.app = app
        self.keys = [k.encode() for k in keys]
        self.enabled = enabled
        self.limiter = limiter

    def _match(self, presented: bytes) -> bool:
        ok = False
        for key in self.keys:  # no early exit: the time taken does not say which key matched
            ok |= hmac.compare_digest(presented, key)
        return ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PROTECTED_PREFIX):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if self.enabled:
            auth = Headers(scope=scope).get("authorization", "")
            scheme, _, token = auth.partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                err = Unauthorized("this route needs an API key", headers={"WWW-Authenticate": "Bearer"})
                await archie_response(err, path)(scope, receive, send)
                return
            if not self._match(token.encode()):
                err = Unauthorized("the API key is not valid", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
                await archie_response(err, path)(scope, receive, send)
                return
            who = "key:" + fingerprint(token)
        else:
            client = (scope.get("client") or ("", 0))[0]
            server = (scope.get("server") or ("", 0))[0]
            if not (is_loopback(server or "127.0.0.1") and is_loopback(client or "127.0.0.1")):
                err = Forbidden("authentication is off, so this service answers loopback clients only",
                                "start it with API keys (ARCHIE_API_KEYS) to serve other hosts")
                await archie_response(err, path)(scope, receive, send)
                return
            who = "client:" + str(client)
        wait = self.limiter.take(who)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            err = RateLimited(f"rate limit exceeded; retry in {seconds} s", headers={"Retry-After": str(seconds)})
            await archie_response(err, path)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses bodies over ``limit`` bytes: at once when Content-Length says so, else as the
    bytes arrive (chunked uploads)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        too_big = PayloadTooLarge(f"the request body is over the limit of {self.limit:,} bytes")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await archie_response(too_big, scope["path"])(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise too_big  # the route's handler turns it into a 413 problem
            return message

        await self.app(scope, counted, send)
