"""API key fingerprints: the only form in which a key is ever logged or counted (the keys
themselves come from ``assistant.service.api_keys``)."""

from __future__ import annotations

import hashlib


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]
