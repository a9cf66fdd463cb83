"""Host names and origins: which addresses are loopback, and what a ``Host`` header or an
``Origin`` names. Standard library only, so that ``archie serve`` can refuse a bad address
before it imports the web stack."""

from __future__ import annotations

from urllib.parse import urlsplit

from assistant.service import is_loopback

__all__ = ["authority_of", "is_loopback", "origin_of", "split_host"]

def split_host(value: str) -> tuple[str, int | None] | None:
    """``(name, port)`` of a Host header (``name``, ``name:port``, ``[v6]``, ``[v6]:port``), with
    the name lower-cased; ``None`` when it is not one."""
    value = value.strip().lower()
    if not value or any(c in value for c in "/?#@ \\"):
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[: end + 1], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:]
    else:
        name, _, port_text = value.partition(":")
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            return None
        return name, int(port_text)
    return (name, None) if name else None


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an Origin or Referer value, lower-cased; ``None`` for ``null``
    or anything that is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def authority_of(origin: str) -> str:
    """``host[:port]`` of an origin from ``origin_of``, the port left out when it is the scheme's
    default (as browsers write the Host header)."""
    return origin.split("://", 1)[1]
