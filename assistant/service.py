"""What ``archie serve`` checks before it starts the service, with the standard library only: which
addresses are loopback, the API keys a team configured, and whether the tracing extra is there.

The service (``api/``) uses the same functions; the library never imports the service.
"""

from __future__ import annotations

import importlib
import ipaddress
from pathlib import Path

from assistant.errors import ConfigError
from assistant.settings import Settings

LOOPBACK_NAMES = ("localhost",)
TRACING_MODULES = ("opentelemetry.sdk.trace", "opentelemetry.exporter.otlp.proto.http.trace_exporter",
                   "opentelemetry.instrumentation.fastapi")
TRACING_HINT = "install it with `pip install 'archie[otel]'`, or set ARCHIE_API_TRACING=false"


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ``::1`` (with or without brackets)."""
    host = host.strip().lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_keys(settings: Settings) -> list[str]:
    """ARCHIE_API_KEYS: comma-separated keys, or the path of a file with one key per line
    (blank lines and ``#`` comments ignored). Keys shorter than 16 characters are refused."""
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


def check_tracing(settings: Settings) -> None:
    """With tracing on, the ``otel`` extra must be installed (a one-line ``ConfigError`` if not)."""
    if not settings.api_tracing:
        return
    for name in TRACING_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"setting 'api_tracing' is on but OpenTelemetry is not installed ({name} is missing)",
                              TRACING_HINT) from exc
