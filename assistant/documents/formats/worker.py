"""The converter process: bound itself, convert one file from stdin, print the result as JSON.

``python -m assistant.documents.formats.worker FORMAT NAME LIMITS_JSON < file`` prints
``{"ok": true, "converted": {...}}`` or ``{"ok": false, "kind": ..., "reason": ...}``.
It lowers its own address-space and CPU limits first (``resource.setrlimit``), so a hostile
file can exhaust only this process; pandoc, started from here, inherits the same limits.
``convert_bytes`` is the same conversion without the process boundary.
"""

from __future__ import annotations

import json
import resource
import sys
from importlib.metadata import version

from assistant.documents.formats.errors import ConversionFailed
from assistant.documents.formats.locations import block_locations, with_pages
from assistant.documents.formats.models import Converted, ConvertLimits, SourceFormat

RULES_VERSION = "1"  # archie's own conversion rules; part of every cache key


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ConversionFailed("corrupt", f"not UTF-8 (byte {exc.start})") from exc


def convert_bytes(fmt: SourceFormat, data: bytes, name: str, limits: ConvertLimits) -> Converted:
    """Convert in this process (the caller bounds it). Raises ``ConversionFailed``."""
    from assistant.documents.formats.pandoc import pandoc_version

    heap_mb = max(64, limits.memory_mb * 3 // 4)
    headings: list[tuple[str, int]] = []
    warnings: list[str] = []
    pages: int | None = None
    spans: list[tuple[int, int]] = []
    if fmt == "pdf":
        from assistant.documents.formats.pdf import read_pages
        from assistant.documents.formats.pdf_layout import to_markdown

        parsed = read_pages(data, limits.max_pages)
        markdown, spans, warnings = to_markdown(parsed)
        pages = len(parsed)
        converter = "pdfplumber"
        versions = f"pdfplumber {version('pdfplumber')}, pdfminer.six {version('pdfminer.six')}"
    elif fmt == "docx":
        from assistant.documents.formats.docx import docx_to_markdown

        markdown = docx_to_markdown(data, limits.max_unzipped_bytes, limits.timeout_s, heap_mb)
        converter, versions = "pandoc", f"pandoc {pandoc_version()}"
    elif fmt == "html":
        from assistant.documents.formats.html import html_to_markdown

        markdown, headings, warnings = html_to_markdown(data, limits.timeout_s, heap_mb)
        converter, versions = "lxml+pandoc", f"lxml {version('lxml')}, pandoc {pandoc_version()}"
    elif fmt == "rst":
        from assistant.documents.formats.rst import rst_to_markdown

        markdown, headings, warnings = rst_to_markdown(_text(data), name, limits.timeout_s, heap_mb)
        converter, versions = "docutils+pandoc", f"docutils {version('docutils')}, pandoc {pandoc_version()}"
    else:
        from assistant.documents.formats.adoc import adoc_to_markdown

        markdown, headings = adoc_to_markdown(_text(data), limits.timeout_s, heap_mb)
        converter, versions = "pandoc", f"pandoc {pandoc_version()}"
    markdown = markdown.strip() + "\n"
    if not markdown.strip():
        raise ConversionFailed("empty", "no text after conversion")
    locations = block_locations(markdown, headings)
    if spans:
        locations = with_pages(locations, spans)
    return Converted(markdown=markdown, source_format=fmt, converter=converter,
                     version=f"{versions}; archie rules {RULES_VERSION}", pages=pages,
                     locations=locations, warnings=warnings)


def _bound(limits: ConvertLimits) -> None:
    cap = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = int(limits.timeout_s) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def main(argv: list[str]) -> int:
    fmt, name, limits_json = argv[1], argv[2], argv[3]
    limits = ConvertLimits.model_validate_json(limits_json)
    _bound(limits)
    data = sys.stdin.buffer.read()
    try:
        result = {"ok": True, "converted": json.loads(convert_bytes(fmt, data, name, limits).model_dump_json())}  # type: ignore[arg-type]
    except ConversionFailed as exc:
        result = {"ok": False, "kind": exc.kind, "reason": exc.reason}
    except MemoryError:
        result = {"ok": False, "kind": "memory", "reason": "conversion needed more memory than allowed"}
    except RecursionError:
        result = {"ok": False, "kind": "corrupt", "reason": "structure nested too deeply to read"}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
