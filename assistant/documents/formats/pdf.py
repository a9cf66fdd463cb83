"""PDF -> text lines with font sizes and positions, and ruled tables, page by page (pdfplumber).

pdfplumber (on pdfminer.six) gives every character's font name and size and every ruled
line, which is what recovering headings and tables needs; ``pdf_layout`` then turns the
lines into Markdown. pdfminer's errors are mapped here, by type, to why the file cannot be
read: an encrypted PDF, a corrupt file, or a scan with no text layer.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from assistant.documents.formats.errors import ConversionFailed

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)


@dataclass
class Line:
    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass
class Table:
    page: int
    top: float
    rows: list[list[str]]


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: int = 0


def _failure(exc: BaseException) -> ConversionFailed:
    """pdfminer's exception (possibly wrapped by pdfplumber) -> why the file cannot be read."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(inner, PDFPasswordIncorrect | PDFEncryptionError):
        return ConversionFailed("encrypted", "encrypted PDF (it needs a password to open)")
    detail = f"{type(inner).__name__}: {inner}" if str(inner) else type(inner).__name__
    return ConversionFailed("corrupt", f"corrupt or not a PDF ({detail[:120]})")


def _line(raw: dict[str, Any], page: int) -> Line | None:
    text = " ".join(raw["text"].split())
    chars = [c for c in raw.get("chars", []) if c.get("text", "").strip()]
    if not text or not chars:
        return None
    size = statistics.median(round(float(c["size"]), 1) for c in chars)
    bold = sum(1 for c in chars if _BOLD.search(c.get("fontname", ""))) >= 0.9 * len(chars)
    return Line(text, page, float(raw["x0"]), float(raw["x1"]), float(raw["top"]), float(raw["bottom"]), size, bold)


def _tables(page: Any, number: int) -> list[tuple[tuple[float, float, float, float], Table]]:
    if not (page.rects or page.lines):
        return []  # only ruled tables are recognised; a page with no rules has none
    out = []
    for found in page.find_tables():
        rows = [[" ".join((cell or "").split()) for cell in row] for row in found.extract()]
        rows = [r for r in rows if any(r)]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            out.append((found.bbox, Table(number, float(found.bbox[1]), rows)))
    return out


def _inside(line: Line, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    mid = (line.top + line.bottom) / 2
    return top - 1 <= mid <= bottom + 1 and line.x0 >= x0 - 2 and line.x1 <= x1 + 2


def read_pages(data: bytes, max_pages: int) -> list[Page]:
    """Every page's text lines (top to bottom) and tables, or ``ConversionFailed``."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    if not data.lstrip()[:1024].count(b"%PDF"):
        raise ConversionFailed("corrupt", "corrupt or not a PDF (no %PDF header)")
    pages: list[Page] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > max_pages:
                raise ConversionFailed("too-large", f"PDF has {len(pdf.pages):,} pages, over {max_pages:,} (ARCHIE_CONVERT_MAX_PAGES)")
            for number, page in enumerate(pdf.pages, 1):
                tables = _tables(page, number)
                lines = []
                for raw in page.extract_text_lines(return_chars=True, strip=True, x_tolerance_ratio=0.15):
                    line = _line(raw, number)
                    if line and not any(_inside(line, box) for box, _ in tables):
                        lines.append(line)
                pages.append(Page(number, float(page.width), float(page.height), lines,
                                  [t for _, t in tables], len(page.images)))
                page.flush_cache()
    except ConversionFailed:
        raise
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError, AttributeError,
            IndexError, AssertionError, RecursionError) as exc:
        raise _failure(exc) from exc
    if not pages:
        raise ConversionFailed("corrupt", "corrupt or not a PDF (no pages)")
    if sum(len(ln.text) for p in pages for ln in p.lines) + sum(len(p.tables) for p in pages) < 20:
        if any(p.images for p in pages):
            raise ConversionFailed("scanned", "scanned image with no text layer")
        raise ConversionFailed("empty", "PDF has no text")
    return pages
