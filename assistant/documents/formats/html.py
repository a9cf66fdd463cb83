"""HTML -> Markdown: keep the page's content, drop its chrome, then pandoc's HTML reader.

lxml parses the page (and knows each element's source line). The content root is chosen
(``<main>``, ``role=main``, ``<article>``, Sphinx's body, Confluence's ``#main-content``, else
``<body>``) and navigation, breadcrumbs, sidebars, scripts, forms and footers are removed;
Confluence space exports and Google Docs exports get their own clean-up in
``html_sources``. Pandoc then writes the cleaned HTML as Markdown.
"""

from __future__ import annotations

import codecs
import re

import lxml.etree
import lxml.html

from assistant.documents.formats.errors import ConversionFailed
from assistant.documents.formats.html_sources import (
    clean_confluence,
    clean_google_docs,
    flavour,
    remove,
)
from assistant.documents.formats.pandoc import run_pandoc

_DROP_TAGS = (
    "script", "style", "noscript", "template", "nav", "aside", "form", "button", "input", "select",
    "textarea", "iframe", "svg", "canvas", "object", "embed", "link", "meta", "img", "picture",
    "video", "audio", "map", "dialog",
)
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "toolbar", "menu", "menubar"}
# class or id tokens that name chrome, not content (matched as whole tokens, case-insensitive)
_CHROME_TOKENS = {
    "breadcrumb", "breadcrumbs", "sidebar", "sphinxsidebar", "sphinxsidebarwrapper", "related", "navbar",
    "nav", "menu", "toc", "table-of-contents", "skip-link", "skiplink", "footer", "site-footer", "header",
    "site-header", "masthead", "cookie", "cookie-banner", "social", "share", "headerlink", "sr-only",
    "visually-hidden", "edit-this-page", "prev-next", "pagination", "rst-footer-buttons", "wy-nav-side",
    "wy-breadcrumbs", "md-sidebar", "md-header", "md-footer", "announcement",
}
_CONTENT_ROOTS = (
    "//main", "//*[@role='main']", "//article", "//div[contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
    "//*[@id='content']", "//div[@class='document']",
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """Bytes -> text: BOM, else ``<meta charset>``, else UTF-8, else Windows-1252."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, "replace")
    m = _META_CHARSET.search(data[:4096])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), "strict")
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def parse_html(data: bytes) -> lxml.html.HtmlElement:
    text = _XML_DECL.sub("", decode_html(data), count=1)
    if not text.strip():
        raise ConversionFailed("empty", "HTML file has no content")
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ConversionFailed("corrupt", f"unreadable HTML ({exc})") from exc


def _tokens(el: lxml.html.HtmlElement) -> set[str]:
    words = [*(el.get("class") or "").lower().split(), (el.get("id") or "").lower()]
    return {w for w in words if w}


def strip_chrome(root: lxml.html.HtmlElement) -> None:
    """Remove scripts, navigation, sidebars, breadcrumbs, page headers and footers, comments."""
    for node in list(root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction)):
        remove(node)
    doomed = [el for el in root.iter() if isinstance(el.tag, str) and _is_chrome(el)]
    for el in doomed:
        remove(el)


def _is_chrome(el: lxml.html.HtmlElement) -> bool:
    tag = el.tag.lower()
    if tag in _DROP_TAGS or (el.get("role") or "").lower() in _DROP_ROLES or el.get("hidden") is not None:
        return True
    if tag in {"header", "footer"}:
        return not _inside(el, {"article", "main", "section"})
    tokens = _tokens(el)
    if {"contents", "topic"} <= tokens or (el.get("role") or "").lower() == "doc-toc":
        return True  # a generated table of contents (docutils, DPub ARIA)
    return bool(tokens & _CHROME_TOKENS) and tag not in {"body", "html", "main", "article"}


def _inside(el: lxml.html.HtmlElement, tags: set[str]) -> bool:
    return any(isinstance(a.tag, str) and a.tag.lower() in tags for a in el.iterancestors())


def content_root(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for xpath in _CONTENT_ROOTS:
        found = doc.xpath(xpath)
        if found and found[0].text_content().strip():
            return found[0]
    body = doc.find("body")
    return body if body is not None else doc


def heading_lines(root: lxml.html.HtmlElement) -> list[tuple[str, int]]:
    """(heading text, source line) for each h1-h6 left in the cleaned page, in order."""
    out = []
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        text = " ".join(el.text_content().split())
        if text and el.sourceline:
            out.append((text, int(el.sourceline)))
    return out


def clean_html(data: bytes) -> tuple[lxml.html.HtmlElement, str, list[str]]:
    """The cleaned content root, the page's flavour and what was dropped (as warnings)."""
    doc = parse_html(data)
    kind = flavour(doc)
    warnings: list[str] = []
    if kind == "confluence":
        root = clean_confluence(doc, warnings)
    elif kind == "google-docs":
        root = clean_google_docs(doc, warnings)
    else:
        root = None
    title = doc.findtext(".//title")
    if root is None:
        root = content_root(doc)
    strip_chrome(root)
    if title and title.strip() and not any(True for _ in root.iter("h1")):
        h1 = lxml.html.Element("h1")
        h1.text = " ".join(title.split())
        root.insert(0, h1)
    return root, kind, warnings


def html_to_markdown(data: bytes, timeout_s: float, heap_mb: int) -> tuple[str, list[tuple[str, int]], list[str]]:
    """Markdown, heading source lines and warnings for an HTML page."""
    root, _, warnings = clean_html(data)
    if not root.text_content().strip():
        raise ConversionFailed("empty", "HTML page has no text content")
    headings = heading_lines(root)
    body = lxml.html.tostring(root, encoding="unicode", method="html")
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return run_pandoc(page.encode("utf-8"), "html", timeout_s, heap_mb), headings, warnings
