"""Markdown structure: front matter, sections with heading paths and line numbers, tables.

Structure comes from markdown-it-py (so headings inside code fences are not headings) and
front matter from python-frontmatter's YAML handler; nothing here regex-parses Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from markdown_it import MarkdownIt
from markdown_it.token import Token

from assistant.models import Section


class FrontMatterError(ValueError):
    """The YAML front matter could not be read."""


MAX_FRONT_MATTER_CHARS = 64_000
MAX_FRONT_MATTER_NODES = 20_000  # after expanding aliases: real front matter holds a few dozen
MAX_FRONT_MATTER_DEPTH = 50


def _expanded_size(node: yaml.Node) -> int:
    """Nodes the YAML document holds once aliases are expanded; a recursive alias, a "billion
    laughs" expansion or deep nesting is a FrontMatterError (measured on the node graph, before
    anything is constructed, so it costs one pass over the nodes as written)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node, depth: int) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise FrontMatterError("front matter refers to itself (a recursive YAML alias)")
        if depth > MAX_FRONT_MATTER_DEPTH:
            raise FrontMatterError(f"front matter is nested deeper than {MAX_FRONT_MATTER_DEPTH} levels")
        active.add(key)
        total = 1
        if isinstance(n, yaml.SequenceNode):
            total += sum(size(c, depth + 1) for c in n.value)
        elif isinstance(n, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in n.value)
        active.discard(key)
        if total > MAX_FRONT_MATTER_NODES:
            raise FrontMatterError(f"front matter expands to over {MAX_FRONT_MATTER_NODES:,} values (YAML aliases)")
        sizes[key] = total
        return total

    size(node, 0)
    return sizes[id(node)]


def load_yaml(text: str) -> Any:
    """YAML front matter with limits on size, nesting and alias expansion (safe types only)."""
    if len(text) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterError(f"front matter is over {MAX_FRONT_MATTER_CHARS:,} characters")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


@dataclass
class ParsedMarkdown:
    front_matter: dict[str, Any]
    body: str
    body_offset: int  # lines before the body (front matter block), so line numbers are file-based
    title: str | None  # the single leading H1, if the document has one
    title_line: int | None
    sections: list[Section]
    tokens: list[Token]


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, number of lines before the body)."""
    handler = YAMLHandler()
    if not handler.detect(text):
        return {}, text, 0
    try:
        fm_text, body = handler.split(text)
        meta = load_yaml(fm_text) if fm_text.strip() else {}
    except FrontMatterError:
        raise
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FrontMatterError(f"broken YAML front matter ({detail})") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter is not a YAML mapping")
    start = text.find(body) if body else len(text)
    offset = text[:start].count("\n") if start >= 0 else 0
    return meta, body, offset


def _inline_text(tok: Token) -> str:
    return (tok.content or "").strip()


def parse_markdown(text: str) -> ParsedMarkdown:
    meta, body, offset = split_front_matter(text)
    tokens = _md().parse(body)
    lines = body.splitlines()
    headings: list[tuple[int, int, int, str]] = []  # (level, start_line0, end_line0, text)
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.map:
            level = int(tok.tag[1])
            heading_text = _inline_text(tokens[i + 1]) if i + 1 < len(tokens) else ""
            headings.append((level, tok.map[0], tok.map[1], heading_text))

    title: str | None = None
    title_line: int | None = None
    h1s = [h for h in headings if h[0] == 1]
    if headings and headings[0][0] == 1 and len(h1s) == 1:
        title = headings[0][3]
        title_line = headings[0][1] + 1 + offset

    sections: list[Section] = []
    first_start = headings[0][1] if headings else len(lines)
    def first_text_line(start: int, stop: int) -> int:
        for i in range(start, stop):
            if lines[i].strip():
                return i + 1 + offset
        return start + 1 + offset

    pre = "\n".join(lines[:first_start]).strip()
    if pre:
        sections.append(
            Section(
                heading="",
                level=0,
                path=[],
                line_start=1 + offset,
                line_end=first_start + offset,
                text=pre,
                text_line=first_text_line(0, first_start),
            )
        )
    stack: list[tuple[int, str]] = []
    for n, (level, start, end, htext) in enumerate(headings):
        next_start = headings[n + 1][1] if n + 1 < len(headings) else len(lines)
        content = "\n".join(lines[end:next_start]).strip()
        is_title = title is not None and n == 0
        while stack and stack[-1][0] >= level:
            stack.pop()
        if not is_title:
            stack.append((level, htext))
        path = [h for _, h in stack]
        sections.append(
            Section(
                heading=htext if not is_title else "",
                level=level if not is_title else 0,
                path=path,
                line_start=start + 1 + offset,
                line_end=max(next_start, end) + offset,
                text=content,
                text_line=first_text_line(end, next_start),
            )
        )
    return ParsedMarkdown(meta, body, offset, title, title_line, sections, tokens)


def tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table in ``text`` as rows of cell strings (header row first)."""
    out: list[list[list[str]]] = []
    rows: list[list[str]] | None = None
    row: list[str] | None = None
    for tok in _md().parse(text):
        if tok.type == "table_open":
            rows = []
        elif tok.type == "table_close" and rows is not None:
            out.append(rows)
            rows = None
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and rows is not None and row is not None:
            rows.append(row)
            row = None
        elif tok.type == "inline" and row is not None:
            row.append(tok.content.strip())
    return out


def list_items(text: str) -> list[str]:
    """The text of each top-level-or-nested list item's first paragraph."""
    items: list[str] = []
    toks = _md().parse(text)
    for i, tok in enumerate(toks):
        if tok.type == "list_item_open":
            for j in range(i + 1, min(i + 4, len(toks))):
                if toks[j].type == "inline":
                    items.append(toks[j].content.strip())
                    break
    return items


def paragraphs(text: str) -> list[str]:
    """Paragraph texts in order (list items and table cells excluded)."""
    toks = _md().parse(text)
    out: list[str] = []
    for i, tok in enumerate(toks):
        if tok.type == "paragraph_open" and not tok.hidden and i + 1 < len(toks):
            out.append(toks[i + 1].content.strip())
    return out
