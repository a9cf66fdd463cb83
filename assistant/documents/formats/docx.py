"""Word (.docx) -> Markdown: check the zip container, then pandoc's docx reader.

Pandoc reads only the document body (not page headers and footers, not comments), turns
Heading styles into headings, Word numbering into lists and tables into tables, and accepts
tracked changes. Before pandoc sees the file, every zip member is decompressed here with a
running total, so a zip bomb stops at ``max_unzipped_bytes`` instead of filling memory: the
sizes a zip declares are not trusted.
"""

from __future__ import annotations

import io
import zipfile

from assistant.documents.formats.errors import ConversionFailed
from assistant.documents.formats.pandoc import run_pandoc

MAX_MEMBERS = 10_000
_CHUNK = 1 << 20


def check_container(data: bytes, max_unzipped_bytes: int) -> None:
    """Raise ``ConversionFailed`` unless ``data`` is a DOCX zip that unpacks within bounds."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ConversionFailed("corrupt", "corrupt or not a DOCX archive") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ConversionFailed("too-large", f"DOCX archive has {len(infos):,} parts (over {MAX_MEMBERS:,})")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise ConversionFailed("corrupt", "corrupt or not a DOCX archive (no [Content_Types].xml)")
        if any(i.flag_bits & 0x1 for i in infos):
            raise ConversionFailed("encrypted", "encrypted DOCX archive")
        total = 0
        for info in infos:
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > max_unzipped_bytes:
                            raise ConversionFailed(
                                "too-large",
                                f"DOCX unpacks to over {max_unzipped_bytes:,} bytes (a zip bomb?)"
                                " (ARCHIE_CONVERT_MAX_UNZIPPED_BYTES)",
                            )
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
                raise ConversionFailed("corrupt", f"corrupt or not a DOCX archive ({info.filename})") from exc


def docx_to_markdown(data: bytes, max_unzipped_bytes: int, timeout_s: float, heap_mb: int) -> str:
    check_container(data, max_unzipped_bytes)
    try:
        return run_pandoc(data, "docx", timeout_s, heap_mb)
    except ConversionFailed as exc:
        if exc.kind == "corrupt":
            raise ConversionFailed("corrupt", f"corrupt or not a DOCX archive ({exc.reason})") from exc
        raise
