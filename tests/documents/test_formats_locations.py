"""Locations: the map from converted Markdown lines back to the original, and its labels."""

from __future__ import annotations

import assistant.documents.formats as formats
from assistant.documents.formats.locations import block_locations, norm_heading, with_pages
from assistant.documents.formats.models import Converted, Location

MD = """# Design

Intro paragraph.

## Rollout

First paragraph
over two lines.

- item one
- item two
  - nested

| a | b |
|---|---|
| 1 | 2 |

## [Risks](#top) and *more*

Last.
"""


def test_each_block_gets_heading_path_and_number() -> None:
    locs = block_locations(MD, [("Design", 3), ("Rollout", 10), ("Risks and more", 30)])
    got = [(loc.line, loc.line_end, loc.label()) for loc in locs]
    assert got == [
        (1, 1, "§Design (line 3)"), (3, 3, "§Design ¶1"),
        (5, 5, "§Rollout (line 10)"), (7, 8, "§Rollout ¶1"), (10, 10, "§Rollout ¶2"), (11, 13, "§Rollout ¶3"),
        (14, 16, "§Rollout ¶4"),
        (18, 18, "§Risks and more (line 30)"), (20, 20, "§Risks and more ¶1"),
    ]
    assert locs[-1].heading == ["Design", "Risks and more"]


def test_source_headings_match_in_order_and_missing_ones_stay_unknown() -> None:
    locs = block_locations(MD, [("Rollout", 10)])
    assert [loc.source_line for loc in locs if loc.paragraph is None] == [None, 10, None]


def test_location_of_any_line_including_blank_ones() -> None:
    conv = Converted(markdown=MD, source_format="docx", converter="pandoc", version="x",
                     locations=block_locations(MD))
    assert conv.location_of(8) == "§Rollout ¶1"
    assert conv.location_of(9) == "§Rollout ¶1"  # the blank line after it
    assert conv.location_of(15) == "§Rollout ¶4"


def test_pages_and_their_labels() -> None:
    locs = with_pages(block_locations(MD), [(1, 1), (10, 2), (18, 3)])
    conv = Converted(markdown=MD, source_format="pdf", converter="pdfplumber", version="x", pages=3, locations=locs)
    assert [conv.location_of(n) for n in (3, 7, 10, 20)] == ["page 1", "page 1", "page 2", "page 3"]
    assert conv.span_of(7, 12) == "pages 1-2" and conv.span_of(10, 12) == "page 2"


def test_labels() -> None:
    assert Location(line=1, line_end=1).label() == "start of document"
    assert Location(line=1, line_end=1, paragraph=2).label() == "¶2"
    assert Location(line=1, line_end=1, page=3, heading=["A"], paragraph=2).label() == "page 3"
    assert norm_heading("**Roll** `out`\\!") == "roll out!"


def test_public_surface_does_not_drift() -> None:
    assert sorted(formats.__all__) == [
        "CONVERTIBLE_SUFFIXES", "ConvertLimits", "Converted", "Location", "convert_file", "limits_from_settings"]
    for name in formats.__all__:
        assert hasattr(formats, name)
