"""Converted files cached by content: ``<cache dir>/<sha256 of bytes>-<converter key>.json``.

The converter key covers the libraries' versions, pandoc's, and the source of archie's
conversion rules (this package's modules and Lua filter), so upgrading any of them
re-converts. Entries are written to a temporary file and renamed, so a crash never leaves
half an entry; an unreadable entry is a miss. Failures that depend only on the bytes
(encrypted, scanned, corrupt) are cached too, so a broken file is not retried every run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pydantic import BaseModel, ValidationError

from assistant.documents.formats.models import Converted

_PACKAGES = ("pdfplumber", "pdfminer.six", "lxml", "docutils", "pypandoc_binary")


class Failure(BaseModel):
    kind: str
    reason: str


class Entry(BaseModel):
    converted: Converted | None = None
    failure: Failure | None = None


@lru_cache(maxsize=1)
def converter_key() -> str:
    """A short hash of everything that decides what a conversion produces."""
    h = hashlib.sha256()
    for name in _PACKAGES:
        try:
            h.update(f"{name}={version(name)};".encode())
        except PackageNotFoundError:
            h.update(f"{name}=missing;".encode())
    here = resources.files("assistant.documents.formats")
    for item in sorted(here.iterdir(), key=lambda p: p.name):
        if item.name.endswith((".py", ".lua")):
            h.update(item.name.encode() + b"\0" + item.read_bytes())
    return h.hexdigest()[:16]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ConvertCache:
    """The cache directory (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, digest: str) -> Path:
        return self.directory / f"{digest}-{converter_key()}.json"

    def get(self, digest: str) -> Entry | None:
        try:
            return Entry.model_validate_json(self.path(digest).read_bytes())
        except (OSError, ValidationError, ValueError):
            return None

    def put(self, digest: str, entry: Entry) -> None:
        target = self.path(digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=target.parent)
        except OSError:
            return  # a read-only cache directory only costs a re-conversion next time
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(entry.model_dump_json().encode("utf-8"))
            os.replace(tmp, target)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
