"""API keys from ARCHIE_API_KEYS, and their fingerprints (the only form in which a key is ever
logged or counted). No web imports: ``archie serve`` checks the keys before it loads the app."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.errors import ConfigError
from assistant.settings import Settings


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
