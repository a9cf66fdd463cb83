"""Run pandoc (the binary shipped in the ``pypandoc-binary`` wheel) to turn Word, HTML and
AsciiDoc into GitHub-flavoured Markdown, with archie's Lua filter shaping the result.

Pandoc runs with ``--sandbox`` (readers may not open other files or the network, so an
AsciiDoc ``include::`` or an HTML ``<img src>`` reads nothing), a heap bound (``+RTS -M``, as
pandoc's manual advises for untrusted input) and a timeout.
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from importlib import resources
from pathlib import Path

from assistant.documents.formats.errors import ConversionFailed

FILTER = "to_markdown.lua"
# gfm without raw HTML: a table pandoc cannot write as a pipe table would otherwise come out
# as <table> markup; the filter makes every table pipe-table shaped instead.
WRITER = "gfm-raw_html"
_HEAP_EXHAUSTED = 251


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, timeout=30, check=False)
    first = out.stdout.decode("utf-8", "replace").splitlines()[:1]
    return first[0].replace("pandoc", "").strip() if first else "unknown"


def _filter_path() -> Path:
    return Path(str(resources.files("assistant.documents.formats").joinpath(FILTER)))


def run_pandoc(data: bytes, reader: str, timeout_s: float, heap_mb: int) -> str:
    """``data`` read as ``reader`` (docx, html, asciidoc) -> Markdown; ``ConversionFailed`` if not."""
    cmd = [
        pandoc_path(), "--from", reader, "--to", WRITER, "--wrap=preserve", "--sandbox",
        f"--lua-filter={_filter_path()}", "+RTS", f"-M{max(heap_mb, 64)}m", "-RTS",
    ]
    try:
        proc = subprocess.run(cmd, input=data, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ConversionFailed("timeout", f"conversion took over {timeout_s:g} s") from exc
    if proc.returncode == _HEAP_EXHAUSTED:
        raise ConversionFailed("memory", "conversion needed more memory than allowed")
    if proc.returncode != 0:
        message = [ln.strip() for ln in proc.stderr.decode("utf-8", "replace").splitlines()
                   if ln.strip() and not ln.startswith(("[WARNING]", "stack traceback"))]
        if any("Error running filter" in ln for ln in message):  # archie's bug, not the file's
            raise ConversionFailed("failed", " ".join(message[:2])[:200])
        raise ConversionFailed("corrupt", (message[0] if message else f"pandoc exited with {proc.returncode}")[:200])
    return tidy_escapes(proc.stdout.decode("utf-8", "replace"))


_NEEDLESS_HASH = re.compile(r"(?<=\S)([^\S\n]*)\\#(?![#\\]*[^\S\n]*$)", re.M)


def tidy_escapes(markdown: str) -> str:
    """Drop pandoc's backslash before a ``#`` that is not at the start of a line ("\\#inc-374"):
    only a leading ``#`` can start a heading, and the escape would end up in the text."""
    return _NEEDLESS_HASH.sub(r"\1#", markdown)
