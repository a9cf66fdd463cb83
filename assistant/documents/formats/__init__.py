"""Converters: Word, PDF, HTML, reStructuredText and AsciiDoc files -> Markdown with locations.

Which library reads which format, and why:

- ``.docx``: pandoc (the binary in the ``pypandoc-binary`` wheel). Reads Heading styles as
  headings, Word numbering as nested lists, tables as tables, accepts tracked changes, and
  never reads page headers, footers or comments. A zip-bomb check runs first (``docx``).
- ``.pdf``: pdfplumber on pdfminer.six. Character font sizes give headings, ruled lines give
  tables, positions give running headers/footers to drop and the page of every line.
- ``.html`` / ``.htm``: lxml picks the content and strips chrome (with rules for Confluence
  space exports and Google Docs exports), then pandoc's HTML reader writes Markdown.
- ``.rst``: docutils (reST's reference parser; pandoc's reader fails on some real files),
  file access off, Sphinx roles and directives degraded to text, then pandoc for Markdown.
- ``.adoc``: pandoc's AsciiDoc reader (pandoc 3.8.3+); asciidoc-py is GPL and reads only the
  legacy dialect.

Every conversion runs in a child process with an address-space limit and a timeout
(``runner``, ``worker``) and is cached by content hash (``cache``). ``convert_file`` is
the one entry point; errors a user can cause come out as ``BadInputError``.
"""

from __future__ import annotations

from pathlib import Path

from assistant.documents.formats.cache import ConvertCache, Entry, Failure, content_hash
from assistant.documents.formats.errors import CACHEABLE, HINTS, ConversionFailed
from assistant.documents.formats.models import FORMAT_OF_SUFFIX, Converted, ConvertLimits, Location
from assistant.errors import BadInputError

CONVERTIBLE_SUFFIXES: frozenset[str] = frozenset(FORMAT_OF_SUFFIX)

__all__ = ["CONVERTIBLE_SUFFIXES", "ConvertLimits", "Converted", "Location", "convert_file", "limits_from_settings"]


def limits_from_settings(settings: object) -> ConvertLimits:
    """The ``ConvertLimits`` named by ``Settings.convert_*`` (defaults where a field is absent)."""
    fields = {
        "timeout_s": "convert_timeout",
        "memory_mb": "convert_memory_mb",
        "max_bytes": "convert_max_bytes",
        "max_unzipped_bytes": "convert_max_unzipped_bytes",
        "max_pages": "convert_max_pages",
    }
    values = {k: getattr(settings, v) for k, v in fields.items() if getattr(settings, v, None) is not None}
    return ConvertLimits(**values)


def convert_file(path: Path, data: bytes, cache_dir: Path | None = None,
                 limits: ConvertLimits | None = None) -> Converted:
    """Convert one file's bytes to Markdown with locations, or raise ``BadInputError``.

    ``path`` names the file in messages and picks the format by suffix; ``data`` is its
    content. With ``cache_dir``, a file whose bytes were converted before (by the same
    converter version) is read from the cache instead of converted again.
    """
    shown = str(path)
    fmt = FORMAT_OF_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise BadInputError(shown, f"archie cannot convert {path.suffix or 'files without a suffix'}",
                            HINTS["unsupported"])
    limits = limits or ConvertLimits()
    if len(data) > limits.max_bytes:
        raise BadInputError(shown, f"file is {len(data):,} bytes, over the {limits.max_bytes:,}-byte limit",
                            "raise ARCHIE_CONVERT_MAX_BYTES or split the file")
    if not data.strip():
        raise BadInputError(shown, "file is empty", HINTS["empty"])
    cache = ConvertCache(cache_dir) if cache_dir is not None else None
    digest = content_hash(data)
    if cache is not None and (hit := cache.get(digest)) is not None:
        if hit.converted is not None:
            return hit.converted
        if hit.failure is not None:
            raise BadInputError(shown, hit.failure.reason, HINTS.get(hit.failure.kind))
    from assistant.documents.formats.runner import run_worker

    try:
        converted = run_worker(fmt, data, path.name, limits)
    except ConversionFailed as exc:
        if cache is not None and exc.kind in CACHEABLE:
            cache.put(digest, Entry(failure=Failure(kind=exc.kind, reason=exc.reason)))
        raise BadInputError(shown, exc.reason, HINTS.get(exc.kind)) from exc
    if cache is not None:
        cache.put(digest, Entry(converted=converted))
    return converted
