"""Host and Origin checks, against DNS rebinding and cross-site requests.

Without keys the service trusts whoever reaches it on loopback, and a web page in the user's
browser can reach loopback too: by re-pointing its own DNS name at 127.0.0.1 (so ``Host`` is the
attacker's name), or by posting a form at ``http://127.0.0.1:8000`` (a "simple" request that
browsers send cross-site without asking). So when auth is off only loopback Host names are
answered, and no state-changing request from another site is. With keys a browser cannot attach
one cross-site, but forms are refused anyway as defence in depth.

Cross-site detection follows Go's ``http.CrossOriginProtection``: a trusted origin passes;
``Sec-Fetch-Site`` decides when the browser sends it; else ``Origin`` (or ``Referer``) must name
the Host the request was sent to; a request with none of them is not from a browser.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.hosts import is_loopback, origin_of, split_host
from api.problems import CrossSiteRequest, MisdirectedRequest, archie_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# the content types a cross-site <form> (or a fetch without a preflight) can send
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class LoopbackHosts:
    """Refuses (421) any request whose Host header is not a loopback name."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            parsed = split_host(Headers(scope=scope).get("host", ""))
            if parsed is None or not is_loopback(parsed[0]):
                # 421 Misdirected Request: this server will not answer for that name
                err = MisdirectedRequest("authentication is off, so this service answers only for loopback names "
                                         "(localhost, 127.0.0.1, [::1])",
                                         "open it as http://127.0.0.1:PORT, or start it with API keys (ARCHIE_API_KEYS)")
                await archie_response(err, scope["path"])(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _same_origin(origin: str, host_header: str) -> bool:
    scheme, authority = origin.split("://", 1)
    theirs, ours = split_host(authority), split_host(host_header)
    if theirs is None or ours is None:
        return False
    default = DEFAULT_PORTS[scheme]
    return theirs[0] == ours[0] and (theirs[1] or default) == (ours[1] or default)


def cross_site(headers: Headers, trusted: frozenset[str]) -> str | None:
    """Why this request comes from another site, or ``None`` when it does not."""
    origin_header = headers.get("origin")
    origin = origin_of(origin_header) if origin_header is not None else None
    if origin is not None and origin in trusted:
        return None
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return None if fetch_site in ("same-origin", "none") else f"the browser says it comes from another origin (Sec-Fetch-Site: {fetch_site[:20]})"
    if origin_header is None:
        referer = headers.get("referer")
        if referer is None:
            return None  # not from a browser (curl, scripts, the CLI)
        origin = origin_of(referer)
        if origin is not None and origin in trusted:
            return None
        origin_header = referer
    if origin is None or not _same_origin(origin, headers.get("host", "")):
        return f"its origin {origin_header[:100]!r} is not this server's"
    return None


class SameOrigin:
    """Refuses (403) state-changing requests from other sites: all of them when ``all_types``
    (auth off), else those a cross-site form could send."""

    def __init__(self, app: ASGIApp, trusted: list[str], all_types: bool) -> None:
        self.app = app
        self.trusted = frozenset(o for o in (origin_of(t) for t in trusted) if o)
        self.all_types = all_types

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = Headers(scope=scope)
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            why = cross_site(headers, self.trusted) if self.all_types or ctype in FORM_TYPES else None
            if why:
                err = CrossSiteRequest(f"refused a cross-site {scope['method']}: {why}",
                                       "call the API from its own page or a script; list other web origins "
                                       "in ARCHIE_API_CORS_ORIGINS")
                await archie_response(err, scope["path"])(scope, receive, send)
                return
        await self.app(scope, receive, send)
