"""Why a conversion failed, as data the parent process turns into a ``BadInputError``.

Converters raise ``ConversionFailed(kind, reason)``; the worker sends it back as JSON and
``convert_file`` re-raises it as ``BadInputError(path, reason, hint)``. Failures that depend
only on the file's bytes are ``CACHEABLE``; those that depend on the limits are not.
"""

from __future__ import annotations

from typing import Literal

FailureKind = Literal["corrupt", "encrypted", "scanned", "empty", "timeout", "memory", "too-large", "unsupported", "failed"]

CACHEABLE: frozenset[str] = frozenset({"corrupt", "encrypted", "scanned", "empty", "unsupported"})

HINTS: dict[str, str] = {
    "corrupt": "check that the file opens in the program that made it, then re-save or re-export it",
    "encrypted": "save a copy without the password (or print it to PDF) and index that",
    "scanned": "run OCR on it first (for example ocrmypdf), or export the text from the source document",
    "empty": "the file has no text to index; remove it or add an .archieignore line",
    "timeout": "raise ARCHIE_CONVERT_TIMEOUT, or split the file",
    "memory": "raise ARCHIE_CONVERT_MEMORY_MB, or split the file",
    "too-large": "split the file, or raise the ARCHIE_CONVERT_* limit named above",
    "unsupported": "convert it to Markdown, .docx, .pdf or .html first",
    "failed": "re-save or re-export the file; if it still fails, report it with the file",
}


class ConversionFailed(Exception):
    """A file could not be converted; ``reason`` is one line for the user."""

    def __init__(self, kind: FailureKind, reason: str) -> None:
        super().__init__(reason)
        self.kind: FailureKind = kind
        self.reason = reason
