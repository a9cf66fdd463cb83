"""PDF lines -> Markdown: drop running headers and footers, recover headings, lists, tables.

- Running headers/footers: a line near the top or bottom of the page whose text (digits
  ignored, so "Page 3 of 7" and "4 THE TITLE" match their siblings) is on at least half of
  the pages is dropped; a lone page number in the margin is dropped on any page.
- Headings: the body size is the size most text is set in; a short line set larger is a
  heading, its level by rank of size (largest = H1); a short whole-bold line at body size
  is a heading one level below those. A PDF set in one size and weight has no headings.
- Paragraphs break on a larger gap than the page's usual line spacing or a first-line
  indent; lines keep their breaks ("Key: value" lines stay lines) and hyphenated words
  are joined. Bulleted and numbered lines become list items.
Each block records its page, so every Markdown line maps to a page.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from difflib import SequenceMatcher
from itertools import pairwise

from assistant.documents.formats.errors import ConversionFailed
from assistant.documents.formats.pdf import Line, Page, Table

MARGIN = 0.12  # top and bottom share of the page where running headers and footers sit
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
# "(cid:127)": a bullet glyph whose font has no Unicode map (reportlab's default bullets)
_BULLET = re.compile(r"^(?:[•●▪◦‣∙·■□➢►*–-]\s+|\(cid:\d+\)\s*)(?P<text>.*)$")
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}|[a-z])[.)]\s+(?P<text>.*)$")
_BLOCK_START = re.compile(r"^(#{1,6}\s|>|[-+*]\s|\d+[.)]\s|```|~~~|\||=+\s*$|-{3,}\s*$)")


def _key(text: str) -> str:
    return re.sub(r"[\d\W_]+", " ", text).strip().lower()


def body_size(pages: list[Page]) -> float:
    """The font size most of the text is set in."""
    weight: Counter[float] = Counter()
    for page in pages:
        for ln in page.lines:
            weight[round(ln.size * 2) / 2] += len(ln.text)
    return weight.most_common(1)[0][0] if weight else 0.0


def drop_running_lines(pages: list[Page]) -> int:
    """Remove running headers/footers and margin page numbers in place; return how many.
    Only lines no larger than the body text count: a heading that opens every page
    ("Chapter 2: Findings") is not a running head."""
    body = body_size(pages)

    def margins(page: Page) -> list[Line]:
        """The lines of the page's head and foot: in the outer bands and set apart from the
        text by a wider gap than its usual line spacing."""
        lines = page.lines
        gaps = [b.top - a.bottom for a, b in pairwise(lines)]
        usual = statistics.median([g for g in gaps if g >= 0] or [0.0])

        def apart(i: int) -> bool:  # a wide gap after line i
            return 0 <= i < len(gaps) and gaps[i] > max(usual * 1.5, 2.0)

        top = next((lines[: i + 1] for i in range(min(2, len(lines)))
                    if lines[i].top < page.height * MARGIN and apart(i)), [])
        bottom = next((lines[i:] for i in range(len(lines) - 1, max(len(lines) - 3, 0), -1)
                       if lines[i].bottom > page.height * (1 - MARGIN) and apart(i - 1)), [])
        return [ln for ln in top + [b for b in bottom if b not in top] if ln.size <= body + 0.5]

    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_key(ln.text) for ln in margins(page) if _key(ln.text)})
    need = max(2, math.ceil(len(pages) / 2))
    running = {k for k, n in seen.items() if n >= need} if len(pages) > 1 else set()

    def is_running(text: str) -> bool:
        key = _key(text)
        if not key:
            return False
        # OCR'd running heads vary by a letter or two ("VICKSBUEG"): close enough counts
        return key in running or any(SequenceMatcher(None, key, r).ratio() >= 0.85 for r in running)

    dropped = 0
    for page in pages:
        doomed = {id(ln) for ln in margins(page) if _PAGE_NUMBER.match(ln.text) or is_running(ln.text)}
        dropped += len(doomed)
        page.lines = [ln for ln in page.lines if id(ln) not in doomed]
    return dropped


def heading_levels(pages: list[Page]) -> tuple[float, dict[float, int], int | None]:
    """(body size, {larger size: level}, level of bold body-size headings or None)."""
    body = body_size(pages)
    if not body:
        return 0.0, {}, None
    larger = sorted({round(ln.size * 2) / 2 for p in pages for ln in p.lines
                     if ln.size >= body + 1.0 and _short(ln)}, reverse=True)[:5]
    levels = {size: i + 1 for i, size in enumerate(larger)}
    bold_level = len(levels) + 1 if any(_bold_heading(ln, body) for p in pages for ln in p.lines) else None
    return body, levels, bold_level


def _short(line: Line) -> bool:
    """Could be a heading: short, starts with a capital or a number, does not end a sentence."""
    text = line.text.strip()
    if len(text) > 150 or not re.search(r"[^\W\d_]", text):
        return False
    if re.match(r"\d+(\.\d+)*\.?\s", text):  # "2.1 Rollout"
        return True
    return (text[:1].isupper() or text[:1].isdigit()) and not text.endswith((".", ",", ";"))


def _bold_heading(line: Line, body: float) -> bool:
    return line.bold and abs(line.size - body) < 1.0 and len(line.text) <= 80 and _short(line)


def _escape(text: str) -> str:
    return "\\" + text if _BLOCK_START.match(text) else text


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table_markdown(table: Table) -> list[str]:
    width = max(len(r) for r in table.rows)
    rows = [r + [""] * (width - len(r)) for r in table.rows]
    out = ["| " + " | ".join(_cell(c) for c in rows[0]) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows[1:]]
    return out


def _join(lines: list[str]) -> str:
    out: list[str] = []
    for text in lines:
        if out and out[-1].endswith("-") and text[:1].islower() and not out[-1].endswith(" -"):
            out[-1] = out[-1][:-1] + text
        else:
            out.append(text)
    return "\n".join(out)


def _page_blocks(page: Page, body: float, levels: dict[float, int], bold_level: int | None) -> list[tuple[float, list[str]]]:
    """(top, Markdown lines) for each block of one page, in reading order."""
    blocks: list[tuple[float, list[str]]] = [(t.top, _table_markdown(t)) for t in page.tables]
    gaps = [b.top - a.bottom for a, b in pairwise(page.lines) if 0 <= b.top - a.bottom < 3 * body]
    usual_gap = statistics.median(gaps) if gaps else body * 0.3
    left = min((ln.x0 for ln in page.lines), default=0.0)
    para: list[str] = []
    para_top = 0.0
    kind = ""
    prev: Line | None = None
    item_x = 0.0

    def flush() -> None:
        nonlocal para, kind
        if para:
            lines = _join(para).split("\n")
            if kind == "p":
                lines = [_escape(ln) for ln in lines]
            elif kind == "li":
                lines = lines[:1] + ["  " + _escape(ln) for ln in lines[1:]]
            blocks.append((para_top, lines))
        para, kind = [], ""

    for ln in page.lines:
        size = round(ln.size * 2) / 2
        gap = ln.top - prev.bottom if prev else 0.0
        if kind.startswith("h") and prev is not None and para and size == round(prev.size * 2) / 2 and gap < body:
            para[0] += " " + ln.text  # a heading wrapped onto a second line
            prev = ln
            continue
        level = levels.get(size) if _short(ln) else None
        if level is None and bold_level and _bold_heading(ln, body):
            level = bold_level
        if level is not None:
            flush()
            para, para_top, kind = ["#" * min(level, 6) + " " + ln.text], ln.top, f"h{level}"
        elif m := (_BULLET.match(ln.text) or _NUMBERED.match(ln.text)):
            flush()
            num = m.groupdict().get("num")
            marker = f"{num}." if num and num.isdigit() else "-"
            para, para_top, kind, item_x = [f"{marker} {m.group('text')}"], ln.top, "li", ln.x0
        elif kind == "li" and prev is not None and ln.x0 > item_x + 2 and gap <= usual_gap * 1.5 + 1:
            para.append(ln.text)
        else:
            new = (kind != "p" or prev is None or gap > usual_gap * 1.5 + 1.5 or abs(ln.size - prev.size) >= 1.0
                   or (ln.x0 > left + 8 and ln.x0 - prev.x0 > 8))
            if new:
                flush()
                para, para_top, kind = [], ln.top, "p"
            para.append(ln.text)
        prev = ln
    flush()
    blocks.sort(key=lambda b: b[0])
    return blocks


def to_markdown(pages: list[Page]) -> tuple[str, list[tuple[int, int]], list[str]]:
    """(Markdown, [(first Markdown line, page)], warnings) for a document's pages."""
    warnings = []
    dropped = drop_running_lines(pages)
    if dropped:
        warnings.append(f"dropped {dropped} running header/footer and page-number lines")
    body, levels, bold_level = heading_levels(pages)
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for page in pages:
        if not page.lines and not page.tables:
            if page.images:
                warnings.append(f"page {page.number} has no text layer (a scanned page?)")
            continue
        spans.append((len(out) + 1, page.number))
        for _, block in _page_blocks(page, body, levels, bold_level):
            out.extend(block)
            out.append("")
    if not any(line.strip() for line in out) and any(p.images for p in pages):
        raise ConversionFailed("scanned", "scanned image with no text layer")
    return "\n".join(out).rstrip() + "\n", spans, warnings
