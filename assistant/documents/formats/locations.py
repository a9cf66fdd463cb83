"""Map converted Markdown back to the original: heading path and block number for each block.

The Markdown is read with the same markdown-it rules as the section parser, so a "block"
here is what a reader sees as one: a paragraph, a list item, a table, a code block. Readers
that know where headings sit in the source pass ``(heading text, line)`` pairs, matched to
the Markdown's headings in order; a PDF passes the page of each span of lines.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from assistant.documents.formats.models import Location

_BLOCK_OPENERS = {"paragraph_open", "table_open", "blockquote_open", "fence", "code_block", "hr", "html_block"}


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def norm_heading(text: str) -> str:
    """Heading text compared across readers: no markup, escapes, case or extra spaces."""
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"[*_`#¶]+", "", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def block_locations(markdown: str, heading_lines: list[tuple[str, int]] | None = None) -> list[Location]:
    """One ``Location`` per heading and per top-level block (each list item counts as one)."""
    tokens = _md().parse(markdown)
    sources = [(norm_heading(t), n) for t, n in heading_lines or []]
    cursor = 0
    stack: list[tuple[int, str]] = []
    source_line: int | None = None
    counter = 0
    out: list[Location] = []
    for i, tok in enumerate(tokens):
        if tok.map is None:
            continue
        start, end = tok.map[0] + 1, max(tok.map[1], tok.map[0] + 1)
        if tok.type == "heading_open" and tok.level == 0:
            level = int(tok.tag[1])
            text = _plain(tokens[i + 1]) if i + 1 < len(tokens) else ""
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            source_line, cursor = _match(norm_heading(text), sources, cursor)
            counter = 0
            out.append(Location(line=start, line_end=end, heading=[h for _, h in stack], source_line=source_line))
        elif (tok.type == "list_item_open" and tok.level == 1) or (
            tok.type in _BLOCK_OPENERS and tok.level == 0
        ):
            counter += 1
            out.append(Location(line=start, line_end=end, heading=[h for _, h in stack], paragraph=counter))
    return out


def _plain(inline: Token) -> str:
    """An inline token's text without markup (emphasis, code spans, links)."""
    parts = [c.content if c.type in {"text", "code_inline"} else " " if c.type == "softbreak" else ""
             for c in inline.children or []]
    return " ".join("".join(parts).split()) or inline.content.strip()


def _match(text: str, sources: list[tuple[str, int]], cursor: int) -> tuple[int | None, int]:
    for j in range(cursor, len(sources)):
        if sources[j][0] == text:
            return sources[j][1], j + 1
    return None, cursor


def with_pages(locations: list[Location], page_spans: list[tuple[int, int]]) -> list[Location]:
    """Set each location's page from ``(first Markdown line, page)`` spans sorted by line."""
    starts = [line for line, _ in page_spans]
    out = []
    for loc in locations:
        i = bisect_right(starts, loc.line) - 1
        page = page_spans[i][1] if i >= 0 else (page_spans[0][1] if page_spans else None)
        out.append(loc.model_copy(update={"page": page}))
    return out
