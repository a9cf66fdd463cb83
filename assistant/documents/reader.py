"""The one document reader: a file's bytes -> Markdown text, the same way for indexing, review,
upload and incident extraction.

Rules, in order: the size limit; empty; Word / PDF / HTML / reST / AsciiDoc are converted to
Markdown (``formats``, bounded in time and memory, cached by content hash); anything else must be
text: no NUL byte anywhere, UTF-8 (a BOM is dropped), CRLF and CR become LF, and it must hold a
word. A file that breaks a rule is a ``BadInputError`` naming it and saying why.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from assistant.documents.formats import (
    CONVERTIBLE_SUFFIXES,
    Converted,
    convert_file,
    limits_from_settings,
)
from assistant.errors import BadInputError
from assistant.settings import Settings

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".txt", ".text", ""})
READABLE_SUFFIXES = TEXT_SUFFIXES | CONVERTIBLE_SUFFIXES


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SourceText(BaseModel):
    """What a file holds, as the parser reads it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = Field(description="the file as the user named it (for messages)")
    text: str = Field(description="Markdown: the file itself, or what its converter made of it")
    digest: str = Field(description="SHA-256 of the file's bytes")
    converted: Converted | None = Field(default=None, description="for Word, PDF, HTML...: locations in the original")

    def location(self, line: int, end: int | None = None) -> str | None:
        """Where a line of ``text`` is in the original file ("page 3", "§Rollout ¶4"), if converted."""
        if self.converted is None:
            return None
        return self.converted.span_of(line, end or line)


def readable(path: Path | PurePosixPath) -> bool:
    return path.suffix.lower() in READABLE_SUFFIXES


def decode(data: bytes, name: str) -> str:
    """UTF-8 text of a text file, normalised (BOM dropped, LF line ends), or ``BadInputError``."""
    if b"\x00" in data:
        raise BadInputError(name, "binary file, not text",
                            "index the Markdown or text source, or a format archie converts (.docx, .pdf, .html)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInputError(name, f"not UTF-8 (byte {exc.start})", "re-save the file as UTF-8") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not re.search(r"\w", text):
        raise BadInputError(name, "no text in file")
    return text


def read_bytes(data: bytes, name: str, settings: Settings) -> SourceText:
    """Apply the input rules to a file's content; ``name`` picks the format by its suffix."""
    suffix = PurePosixPath(name).suffix.lower()
    convertible = suffix in CONVERTIBLE_SUFFIXES
    limit = settings.convert_max_bytes if convertible else settings.max_file_bytes
    if len(data) > limit:
        setting = "ARCHIE_CONVERT_MAX_BYTES" if convertible else "ARCHIE_MAX_FILE_BYTES"
        raise BadInputError(name, f"file is {len(data):,} bytes, over the {limit:,}-byte limit",
                            f"raise {setting} or split the file")
    if not data.strip():
        raise BadInputError(name, "file is empty")
    digest = file_hash(data)
    if convertible:
        converted = convert_file(Path(name), data, settings.convert_cache_dir, limits_from_settings(settings))
        return SourceText(name=name, text=converted.markdown, digest=digest, converted=converted)
    return SourceText(name=name, text=decode(data, name), digest=digest)


def from_text(text: str, name: str) -> SourceText:
    """Markdown a caller already holds as text (an API body), under the same text rules."""
    return SourceText(name=name, text=decode(text.encode("utf-8"), name), digest=file_hash(text.encode("utf-8")))


def read_file(path: Path, settings: Settings) -> SourceText:
    """Read one file from disk under the input rules."""
    if not path.is_file():
        raise BadInputError(str(path), "no such file", "check the path")
    limit = max(settings.max_file_bytes, settings.convert_max_bytes)
    try:
        size = path.stat().st_size
        if size > limit:  # refuse before reading a huge file into memory
            raise BadInputError(str(path), f"file is {size:,} bytes, over the {limit:,}-byte limit",
                                "raise ARCHIE_MAX_FILE_BYTES or split the file")
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(str(path), f"cannot read ({exc.strerror})") from exc
    return read_bytes(data, str(path), settings)
