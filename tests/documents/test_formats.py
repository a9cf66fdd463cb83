"""Converters on real public documents of each format: structure survives, chrome does not,
locations point at the right place, failures are one-line ``BadInputError``s."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from assistant.documents.formats import CONVERTIBLE_SUFFIXES, Converted, convert_file
from assistant.documents.markdown import list_items, parse_markdown, tables
from assistant.errors import BadInputError

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "real"


@cache
def converted(name: str) -> Converted:
    path = REAL / name
    return convert_file(path, path.read_bytes())


def headings(c: Converted) -> list[str]:
    return [s.heading for s in parse_markdown(c.markdown).sections if s.heading]


def line_of(c: Converted, text: str) -> int:
    return next(n for n, line in enumerate(c.markdown.splitlines(), 1) if text in line)


def test_every_promised_suffix_is_convertible() -> None:
    assert {".docx", ".pdf", ".html", ".htm", ".rst", ".adoc"} <= CONVERTIBLE_SUFFIXES


# --- Word ----------------------------------------------------------------------------------

def test_docx_heading_style_becomes_a_section_with_word_locations() -> None:
    c = converted("par-known-styles.docx")
    assert c.converter == "pandoc" and c.source_format == "docx"
    assert "# Heading 1" in c.markdown.splitlines()
    assert parse_markdown(c.markdown).title == "Heading 1"  # the one H1 is the title
    assert c.location_of(line_of(c, "Body Text")) == "§Heading 1 ¶1"
    assert c.location_of(line_of(c, "missing style")) == "¶2"


def test_docx_page_headers_footers_and_comments_are_not_content() -> None:
    hdr = converted("hdr-header-footer.docx").markdown
    assert "section with header" in hdr
    assert "Header for section" not in hdr and "Footer for section" not in hdr
    comments = converted("comments-rich-para.docx").markdown
    assert "Some text worthy of note." in comments and "Text with hyperlink" not in comments


def test_docx_nested_table_stays_a_pipe_table_and_numbering_a_list() -> None:
    c = converted("blk-paras-and-tables.docx")
    assert "<table" not in c.markdown and "[TABLE]" not in c.markdown
    assert any(["Text before; Table Between; Text after"] in t for t in tables(c.markdown))
    assert list_items(converted("num-having-numbering-part.docx").markdown) == ["Paragraph having List Number style."]


# --- PDF -----------------------------------------------------------------------------------

def test_pdf_headings_by_font_size_and_page_numbers_dropped() -> None:
    c = converted("pdflatex-outline.pdf")
    assert c.converter == "pdfplumber" and c.pages == 4
    assert headings(c)[:4] == ["Contents", "1 Foo", "2 Bar", "3 Baz"]
    assert not any(line.strip().isdigit() for line in c.markdown.splitlines())  # "2", "3", "4" footers
    assert "Is there no information?" in c.markdown  # words of tightly set LaTeX text stay apart


def test_pdf_locations_name_the_page() -> None:
    c = converted("pdflatex-outline.pdf")
    assert c.location_of(line_of(c, "# Contents")) == "page 1"
    assert c.location_of(line_of(c, "# 1 Foo")) == "page 2"
    assert c.location_of(line_of(c, "# 9 Baz")) == "page 4"


def test_pdf_running_heads_with_page_numbers_and_ocr_noise_are_dropped() -> None:
    c = converted("Seige_of_Vicksburg_Sample_OCR.pdf")
    text = c.markdown.upper()
    assert "THE SIEGE OF VICKSBURG" not in text and "VICKSBUEG" not in text and "SIEGE OP" not in text
    assert "JUNE 10TH" in text and c.pages == 6
    assert c.location_of(line_of(c, "buried itself in tie earth")) == "page 2"


def test_pdf_title_set_larger_is_the_h1() -> None:
    md = parse_markdown(converted("crazyones.pdf").markdown)
    assert md.title == "The Crazy Ones"


@pytest.mark.parametrize(("name", "reason"), [
    ("encrypted-file.pdf", "encrypted PDF"),
    ("encrypted_doc_no_id.pdf", "scanned image with no text layer"),
])
def test_pdf_that_cannot_be_read_says_why_in_one_line(name: str, reason: str) -> None:
    path = REAL / name
    with pytest.raises(BadInputError) as err:
        convert_file(path, path.read_bytes())
    assert str(err.value).startswith(f"{path}: {reason}") and "\n" not in str(err.value)
    assert err.value.hint


# --- reST, HTML, AsciiDoc -----------------------------------------------------------------

def test_rst_that_pandoc_rejects_is_read_by_docutils_without_reading_includes() -> None:
    c = converted("quickstart.rst")
    assert c.converter == "docutils+pandoc"
    md = parse_markdown(c.markdown)
    assert md.title == "A ReStructuredText Primer"
    assert {"Structure", "Text styles", "Lists", "Preformatting (code samples)", "What Next?"} <= set(headings(c))
    assert "**Author:** Richard Jones" in c.markdown.splitlines()  # field list -> Key: value lines
    assert any('"include" directive disabled' in w for w in c.warnings)
    # the heading's own line in the .rst file, not its underline's
    source = (REAL / "quickstart.rst").read_text().splitlines()
    loc = c.location_at(line_of(c, "## Structure"))
    assert loc is not None and loc.source_line is not None and source[loc.source_line - 1] == "Structure"


def test_html_page_keeps_its_tables_and_loses_nothing_that_is_content() -> None:
    c = converted("quickref.html")
    assert c.converter == "lxml+pandoc"
    assert "Inline Markup" in headings(c)
    assert len(tables(c.markdown)) >= 10 and "<table" not in c.markdown
    loc = c.location_at(line_of(c, "## Inline Markup"))
    assert loc is not None and loc.source_line is not None  # lxml gives the <h2>'s line


def test_asciidoc_title_sections_lists_and_tables() -> None:
    c = converted("asciidoctor-syntax.adoc")
    md = parse_markdown(c.markdown)
    assert md.title == "AsciiDoc Syntax"
    assert {"Paragraphs", "Lists", "Tables", "Unordered", "Ordered"} <= set(headings(c))
    assert {"level 1", "level 2", "Step 2a"} <= set(list_items(c.markdown))
    table = next(t for t in tables(c.markdown) if t[0][0] == "Attribute Name")
    assert table[0] == ["Attribute Name", "Values"] and ["options", "header,footer,autowidth"] in table
    assert c.location_of(line_of(c, "## Tables")).startswith("§Tables (line ")
