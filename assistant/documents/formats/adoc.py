"""AsciiDoc -> Markdown with pandoc's AsciiDoc reader (pandoc 3.8.3 and later).

The document title (``= Title``) becomes the H1 and ``==`` sections H2 and below. Two
small fixes run first: legacy ``cols=`` specs separated by ``;`` (still accepted by
Asciidoctor) are rewritten with commas, which pandoc's reader needs to see the columns, and
section titles are located in the source for each heading's line number. ``include::``
reads nothing (pandoc runs sandboxed).
"""

from __future__ import annotations

import re

from assistant.documents.formats.pandoc import run_pandoc

_COLS = re.compile(r"""(\bcols\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^,\]\s"']+))""")
_HEADING = re.compile(r"^(={1,6}|#{1,6})\s+(\S.*?)\s*(?:\1)?\s*$")
_DELIMITERS = re.compile(r"^(-{4,}|\.{4,}|={4,}|\*{4,}|_{4,}|\+{4,}|/{4,}|\|===)\s*$")


def fix_cols(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        spec = next(g for g in m.groups()[1:] if g is not None)
        return f'{m.group(1)}"{spec.replace(";", ",")}"'

    return "\n".join(_COLS.sub(repl, line) if line.startswith("[") else line for line in text.split("\n"))


def heading_lines(text: str) -> list[tuple[str, int]]:
    """(title, line) for each section title outside delimited blocks."""
    out: list[tuple[str, int]] = []
    open_block: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        d = _DELIMITERS.match(line)
        if d:
            open_block = None if open_block == d.group(1) else (open_block or d.group(1))
            continue
        if open_block is None:
            m = _HEADING.match(line)
            if m:
                out.append((m.group(2), n))
    return out


def adoc_to_markdown(text: str, timeout_s: float, heap_mb: int) -> tuple[str, list[tuple[str, int]]]:
    fixed = fix_cols(text)
    return run_pandoc(fixed.encode("utf-8"), "asciidoc", timeout_s, heap_mb), heading_lines(text)
