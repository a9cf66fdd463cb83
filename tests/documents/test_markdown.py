from __future__ import annotations

import pytest

from assistant.documents import parse_text
from assistant.documents.markdown import parse_markdown, tables
from assistant.errors import BadInputError

DOC = """---
title: Front matter title
owner: Ana
---
# The title

Intro line.

## Context

Some context.

```
# not a heading, inside a fence
```

### Detail

Deeper text.

## Decision

We decide.
"""


def test_sections_have_paths_and_file_line_numbers() -> None:
    md = parse_markdown(DOC)
    assert md.front_matter == {"title": "Front matter title", "owner": "Ana"}
    assert md.title == "The title"
    names = [s.path for s in md.sections]
    assert names == [[], ["Context"], ["Context", "Detail"], ["Decision"]]
    lines = DOC.splitlines()
    for s in md.sections[1:]:
        assert lines[s.line_start - 1].lstrip("#").strip() == s.heading
    context = md.sections[1]
    assert "# not a heading" in context.text  # fenced code stays text


def test_broken_front_matter_names_the_file() -> None:
    with pytest.raises(BadInputError) as exc:
        parse_text("---\ntitle: [unclosed\n---\n# x\n", "docs/bad.md")
    assert "docs/bad.md" in str(exc.value)
    assert "front matter" in str(exc.value)


def test_tables_are_read_as_rows() -> None:
    rows = tables("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n")
    assert rows == [[["a", "b"], ["1", "2"], ["3", "4"]]]


def test_several_h1_are_sections_not_a_title() -> None:
    md = parse_markdown("# Summary\n\nS.\n\n# Motivation\n\nM.\n")
    assert md.title is None
    assert [s.heading for s in md.sections] == ["Summary", "Motivation"]
