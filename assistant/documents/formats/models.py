"""What a conversion returns (``Converted``, ``Location``) and the bounds it runs under.

A ``Converted`` is Markdown plus, for every block of it, where that block came from in the
original file: a page for a PDF, the heading path and paragraph number for Word, HTML,
reST and AsciiDoc (with the heading's source line where the reader gives one).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SourceFormat = Literal["pdf", "docx", "html", "rst", "adoc"]

FORMAT_OF_SUFFIX: dict[str, SourceFormat] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rst": "rst",
    ".rest": "rst",
    ".adoc": "adoc",
    ".asciidoc": "adoc",
    ".asc": "adoc",
}


class Location(BaseModel):
    """Where Markdown lines ``line``..``line_end`` (1-based, inclusive) came from."""

    model_config = ConfigDict(frozen=True)

    line: int = Field(ge=1)
    line_end: int = Field(ge=1)
    page: int | None = Field(default=None, ge=1, description="PDF page (1-based, physical).")
    heading: list[str] = Field(default_factory=list, description="Heading path in the original.")
    paragraph: int | None = Field(
        default=None, ge=1, description="Block number under that heading; None for the heading itself."
    )
    source_line: int | None = Field(
        default=None, ge=1, description="Line in the original file, where the reader gives one."
    )

    def label(self) -> str:
        """A short human label: "page 3", "§Rollout ¶4", "§Rollout (line 42)"."""
        if self.page is not None:
            return f"page {self.page}"
        parts = []
        if self.heading:
            parts.append(f"§{self.heading[-1]}")
        if self.paragraph is not None:
            parts.append(f"¶{self.paragraph}")
        text = " ".join(parts) or "start of document"
        if self.source_line is not None:
            text += f" (line {self.source_line})"
        return text


class Converted(BaseModel):
    """A converted file: the Markdown the section parser reads, and a map back to the original."""

    markdown: str
    source_format: SourceFormat
    converter: str = Field(description='The libraries that read it, e.g. "pdfplumber".')
    version: str = Field(description="Their versions and archie's conversion rules version.")
    pages: int | None = Field(default=None, description="Page count, for a PDF.")
    locations: list[Location] = Field(default_factory=list, description="Sorted by line, not overlapping.")
    warnings: list[str] = Field(default_factory=list, description="What was dropped or guessed.")

    def location_at(self, line: int) -> Location | None:
        """The location of Markdown line ``line`` (1-based): the block that contains it, or
        for a blank line between blocks the block before it."""
        starts = [loc.line for loc in self.locations]
        i = bisect_right(starts, line) - 1
        return self.locations[i] if i >= 0 else None

    def location_of(self, line: int) -> str:
        """A human label for Markdown line ``line``: "page 3", "§Rollout ¶4", ..."""
        loc = self.location_at(line)
        return loc.label() if loc else "start of document"

    def span_of(self, line_start: int, line_end: int) -> str:
        """A label for a range of lines (a chunk, a finding): "pages 3-4" when it crosses a
        page break, else the label of its first line."""
        first, last = self.location_at(line_start), self.location_at(line_end)
        if first and last and first.page and last.page and last.page != first.page:
            return f"pages {first.page}-{last.page}"
        return first.label() if first else "start of document"


class ConvertLimits(BaseModel):
    """Bounds one conversion runs under; a file beyond any of them is a ``BadInputError``."""

    model_config = ConfigDict(frozen=True)

    timeout_s: float = Field(default=60.0, gt=0, description="Wall-clock seconds per file.")
    memory_mb: int = Field(default=1024, ge=256, description="Address space of the converter process.")
    max_bytes: int = Field(default=50_000_000, gt=0, description="Largest file read.")
    max_unzipped_bytes: int = Field(
        default=200_000_000, gt=0, description="Largest total a .docx may unpack to (zip bombs)."
    )
    max_pages: int = Field(default=2000, ge=1, description="Most PDF pages read.")
