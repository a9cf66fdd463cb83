"""ADRs in the formats people use: Nygard / adr-tools, MADR 2 (log4brains), MADR 3/4.

Reads number, title, status (normalised), date, deciders and the supersedes /
superseded-by / amends links as written; links are resolved to document ids later,
across the whole index (see ``documents.links``).
"""

from __future__ import annotations

import re
from typing import Any

from assistant.documents.common import as_list, key_values, normalise_status, preamble
from assistant.documents.markdown import ParsedMarkdown
from assistant.models import AdrFields, Status

_NUMBERED_TITLE = re.compile(r"^\s*(?:ADR[- ]?)?0*(\d{1,5})\s*[.:\-–—]\s*(.+)$", re.I)
_FILE_NUMBER = re.compile(r"^0*(\d{1,5})[-_]")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
_RELATION = re.compile(
    r"^[^\w\[]*(?:[-*+]\s+)?\**(supersedes|superseded by|amends|amended by)\**\s*:?\s*(.*)$", re.I
)
_LINK_SECTIONS = {"status", "links", "related decisions", "more information", "related"}


def _targets(text: str) -> list[str]:
    """Link targets in ``text``: Markdown link hrefs, else ADR-N ids, else the bare text."""
    hrefs = [href for _, href in _LINK.findall(text)]
    if hrefs:
        return hrefs
    ids = [f"ADR-{int(n):04d}" for n in re.findall(r"\bADR[- ]?0*(\d{1,5})\b", text, re.I)]
    if ids:
        return ids
    bare = text.strip().strip("[]").strip()
    return [bare] if bare else []


def parse_adr(md: ParsedMarkdown, stem: str) -> tuple[AdrFields, str | None, Status, Any]:
    """Return (fields, title, status, date value as written)."""
    fm = md.front_matter
    title = md.title
    number: int | None = None
    if title:
        m = _NUMBERED_TITLE.match(title)
        if m:
            number, title = int(m.group(1)), m.group(2).strip()
    if number is None:
        m = _FILE_NUMBER.match(stem.split("__")[-1])
        if m and len(m.group(1)) <= 5:
            number = int(m.group(1))
    if fm.get("title"):
        title = str(fm["title"])

    pre = preamble(md.sections)
    kv = key_values(pre)
    status_section = next(
        (s for s in md.sections if s.heading.strip().lower() == "status"), None
    )

    fmt = "unknown"
    status_text: str | None = None
    if fm.get("status") is not None:
        status_text, fmt = str(fm["status"]), "madr3"
    elif "status" in kv:
        status_text, fmt = kv["status"], "madr2"
    elif status_section is not None and status_section.text.strip():
        status_text, fmt = status_section.text.strip(), "nygard"
    elif status_section is not None:
        fmt = "nygard"
    elif fm:
        fmt = "madr3"
    if fmt == "unknown" and ("decision outcome" in {s.heading.lower() for s in md.sections}):
        fmt = "madr2" if kv else "madr3"

    date_value = fm.get("date") or kv.get("date") or kv.get("start date")
    deciders = as_list(fm.get("deciders") or fm.get("decision-makers") or kv.get("deciders"))

    fields = AdrFields(format=fmt, number=number, status_text=status_text, deciders=deciders)

    # Relations: front matter keys, status text, preamble bullets, link sections.
    def add(rel: str, value: str) -> None:
        rel = rel.lower()
        bucket = {
            "supersedes": fields.supersedes,
            "superseded by": fields.superseded_by,
            "superseded_by": fields.superseded_by,
            "amends": fields.amends,
            "amended by": fields.amended_by,
        }[rel]
        for t in _targets(value):
            if t not in bucket:
                bucket.append(t)

    for key in ("supersedes", "superseded_by", "superseded-by"):
        for v in as_list(fm.get(key)) if not isinstance(fm.get(key), str) else [fm[key]]:
            add("superseded by" if "by" in key else "supersedes", v)
    relation_text = [status_text or "", pre]
    relation_text += [s.text for s in md.sections if s.heading.strip().lower() in _LINK_SECTIONS]
    for block in relation_text:
        for line in block.splitlines():
            m = _RELATION.match(line)
            if m:
                add(m.group(1), m.group(2))
    fields.links = [href for _, href in _LINK.findall(status_text or "")]

    status = normalise_status(status_text)
    if status is not Status.superseded and fields.superseded_by and status in (
        Status.unknown,
        Status.accepted,
    ) and status_text and re.search(r"superseded", status_text, re.I):
        status = Status.superseded
    return fields, title, status, date_value
