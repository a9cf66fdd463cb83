"""Files made by the programs that write these formats (python-docx, reportlab) and HTML shaped
like Confluence and Google Docs exports: what a reader sees survives, the chrome does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.documents.formats import Converted, convert_file
from assistant.documents.markdown import list_items, parse_markdown, tables

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _convert(path: Path) -> Converted:
    return convert_file(path, path.read_bytes())


def line_of(c: Converted, text: str) -> int:
    return next(n for n, line in enumerate(c.markdown.splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def word_doc(tmp_path_factory: pytest.TempPathFactory) -> Converted:
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "ACME CONFIDENTIAL HEADER"
    d.sections[0].footer.paragraphs[0].text = "ACME FOOTER page"
    d.add_heading("Payments retries", level=0)
    d.add_heading("Context", level=1)
    d.add_paragraph("Retries are budgeted per client.")
    d.add_heading("Rollout", level=1)
    d.add_paragraph("First we enable it in one region.")
    d.add_paragraph("Then in the other.")
    d.add_paragraph("Step one", style="List Number")
    d.add_paragraph("Step two", style="List Number")
    d.add_paragraph("A bullet", style="List Bullet")
    table = d.add_table(rows=3, cols=2)
    for r, row in enumerate([("Stage", "Traffic"), ("canary", "5%"), ("full", "100%")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_heading("Risks", level=2)
    d.add_paragraph("Retry storms if the budget is wrong.")
    path = tmp_path_factory.mktemp("docx") / "retries.docx"
    d.save(str(path))
    return _convert(path)


def test_word_headings_table_and_lists(word_doc: Converted) -> None:
    md = parse_markdown(word_doc.markdown)
    assert md.title == "Payments retries"
    assert [(s.level, s.heading) for s in md.sections if s.heading] == [(2, "Context"), (2, "Rollout"), (3, "Risks")]
    assert tables(word_doc.markdown) == [[["Stage", "Traffic"], ["canary", "5%"], ["full", "100%"]]]
    assert {"Step one", "Step two", "A bullet"} <= set(list_items(word_doc.markdown))
    assert "ACME" not in word_doc.markdown  # page header and footer


def test_word_locations_are_heading_and_paragraph(word_doc: Converted) -> None:
    assert word_doc.location_of(line_of(word_doc, "Then in the other.")) == "§Rollout ¶2"
    assert word_doc.location_of(line_of(word_doc, "Step two")) == "§Rollout ¶4"
    assert word_doc.location_of(line_of(word_doc, "Retry storms")) == "§Risks ¶1"
    loc = word_doc.location_at(line_of(word_doc, "Retry storms"))
    assert loc is not None and loc.heading == ["Payments retries", "Rollout", "Risks"]


@pytest.fixture(scope="module")
def pdf_doc(tmp_path_factory: pytest.TempPathFactory) -> Converted:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for page in range(1, 4):
        c.setFont("Helvetica", 8)
        c.drawString(72, height - 40, "Quarterly reliability review - internal")
        c.drawRightString(width - 72, 30, f"Page {page} of 3")
        y = height - 100
        c.setFont("Helvetica-Bold", 16)
        c.drawString(72, y, f"Chapter {page}: Findings")
        c.setFont("Helvetica", 10)
        for n in range(12):
            y -= 14 if n % 4 else 24
            c.drawString(72, y, f"Finding {page}.{n} is written on page {page} of the review.")
        if page == 2:
            y -= 40
            rows = [("Service", "Incidents"), ("checkout", "4"), ("orders", "7")]
            for r, (a, b) in enumerate(rows):
                top = y - r * 18
                c.rect(72, top - 18, 150, 18)
                c.rect(222, top - 18, 100, 18)
                c.drawString(76, top - 13, a)
                c.drawString(226, top - 13, b)
        c.showPage()
    c.save()
    return _convert(path)


def test_pdf_running_header_footer_and_page_numbers_are_gone(pdf_doc: Converted) -> None:
    assert "Quarterly reliability review" not in pdf_doc.markdown and "Page 2 of 3" not in pdf_doc.markdown
    assert pdf_doc.pages == 3


def test_pdf_headings_table_and_pages(pdf_doc: Converted) -> None:
    md = parse_markdown(pdf_doc.markdown)
    assert [s.heading or md.title for s in md.sections if s.level] == [
        "Chapter 1: Findings", "Chapter 2: Findings", "Chapter 3: Findings"]
    assert [["Service", "Incidents"], ["checkout", "4"], ["orders", "7"]] in tables(pdf_doc.markdown)
    for page in (1, 2, 3):
        assert pdf_doc.location_of(line_of(pdf_doc, f"Finding {page}.5 is")) == f"page {page}"
    assert pdf_doc.location_of(line_of(pdf_doc, "| checkout | 4 |")) == "page 2"


def test_confluence_export_page_without_its_chrome() -> None:
    c = _convert(CORPUS / "postmortems" / "2026-11-12-notifications-batch-deploy.html")
    md = parse_markdown(c.markdown)
    assert md.title == "PM-053: notifications 4.12 batched SendGrid sends and delayed order confirmations for hours"
    for chrome in ("Engineering :", "Incident reviews", "Created by", "last modified", "Attachments",
                   "collector-batch-sizes.png", "Posted by", "dispatch topic, which 4.13", "Document generated by Confluence",
                   "Atlassian", "click to expand", "request.json"):
        assert chrome not in c.markdown, chrome
    assert "- [x] Flush a batch after 5 seconds" in c.markdown  # Confluence task list
    assert "**Incident channel:** #inc-374" in c.markdown.splitlines()  # no needless escape
    assert "POST /v3/mail/send" in c.markdown  # the expand macro's content stays
    assert tables(c.markdown)[0][0] == ["Time (UTC)", "Event"]
    source = (CORPUS / "postmortems" / "2026-11-12-notifications-batch-deploy.html").read_text().splitlines()
    loc = c.location_at(line_of(c, "## Root cause"))
    assert loc is not None and loc.source_line and "Root cause" in source[loc.source_line - 1]


def test_google_docs_export_without_its_cruft() -> None:
    c = _convert(FIXTURES / "made" / "gdocs-retry-budget-notes.html")
    md = parse_markdown(c.markdown)
    assert md.title == "Checkout retry budget review notes"
    assert [(s.level, s.heading) for s in md.sections if s.heading] == [
        (2, "Why we met"), (3, "What we agreed"), (3, "Numbers we looked at")]
    assert "working notes" not in c.markdown and "Page footer" not in c.markdown  # page header/footer
    assert "Marek: can we see" not in c.markdown and "[a]" not in c.markdown  # comment and its marker
    assert "[ADR-0009](https://wiki.fernhill.example/adr/0009)" in c.markdown  # google.com/url unwrapped
    assert "**peak-season**" in c.markdown  # bold from the generated CSS class
    assert "  - from 800 ms to 400 ms, matching the p99 of 310 ms" in c.markdown.splitlines()  # nested again
    assert list_items(c.markdown)[-1] == "Re-run load test 3 with the new timeout"
    assert "&nbsp;" not in c.markdown
    assert tables(c.markdown) == [[["Call", "p99 (ms)", "Timeout (ms)"], ["reserve stock", "310", "800"],
                                   ["release stock", "120", "800"]]]
