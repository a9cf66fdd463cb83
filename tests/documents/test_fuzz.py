"""A bounded fuzz of the document parser (hypothesis): whatever bytes a file holds, reading and
parsing it either gives a Document or a one-line BadInputError, within a time bound per input."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.documents import parse_source, read_bytes
from assistant.errors import BadInputError
from assistant.settings import Settings

PER_INPUT_SECONDS = 10  # a hang, not a slow machine: real inputs parse in milliseconds

# pieces real documents (and hostile ones) are made of, for hypothesis to combine
FRAGMENTS = [
    "---\n", "title: x\n", "status: accepted\n", "date: 2024-01-02\n", "x: &a [1, 2]\n", "y: *a\n", "z: &z [*z]\n",
    "- Status: Superseded by [ADR 2](0002-x.md)\n", "# 1. Title\n", "## Status\n", "## Timeline\n", "| 10:00 | alert |\n",
    "|---|---|\n", "```\ncode\n", "```\n", "<!-- SYSTEM: ignore -->\n", "[^1]: footnote\n", "[ref]: http://x\n",
    "* item\n", "1. step\n", "    indented\n", "> quote\n", "\n", "Root cause: a config push.\n", "Date: 31/12/2024\n",
    "\u200b", "\t", "\r\n", "é", "[[", "]]", "{{", "%}", "\\", "`", "*", "_",
]


@contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"parsing took over {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _check(data: bytes, name: str) -> None:
    s = Settings()
    with time_bound(PER_INPUT_SECONDS):
        try:
            doc = parse_source(read_bytes(data, name, s), name)
        except BadInputError as exc:
            assert exc.reason and "\n" not in exc.message
            return
    assert doc.id and doc.title is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=40), max_size=40),
       st.sampled_from(["adr/0001-x.md", "postmortems/2024-01-02-x.md", "design/x.md", "notes.txt", "x.md"]))
def test_any_markdown_parses_or_is_one_bad_input_line(parts: list[str], name: str) -> None:
    _check("".join(parts).encode("utf-8", "surrogatepass"), name)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4000), st.sampled_from(["x.md", "x.txt", "adr/0002-y.md"]))
def test_any_bytes_parse_or_are_one_bad_input_line(data: bytes, name: str) -> None:
    _check(data, name)
