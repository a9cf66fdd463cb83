"""Helpers shared by the per-kind parsers: dates, statuses, ids, key-value lines, kinds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from dateutil import parser as dateparser

from assistant import vocab
from assistant.models import Kind, Section, Status

_KEY_VALUE = re.compile(r"^\s*(?:[-*+]\s+)?\**([A-Za-z][A-Za-z ()/-]{1,40}?)\**\s*:\**\s*(.*?)\s*$")
_ID_IN_TITLE = re.compile(r"^\s*\[?([A-Z][A-Z0-9]{1,9}-\d{1,6}(?:-\d{1,6})?)\]?\s*[:\-–—|]\s*(.+)$")
ADR_REF = re.compile(r"\bADR[- ]?0*(\d{1,5})\b", re.I)

def normalise_status(text: str | None) -> Status:
    """Map a status as written ("Accepted", "superseded by [..]", "✅ Accepted", "On hold") to
    ``Status``, by the patterns of ``data/documents.yaml``."""
    if not text:
        return Status.unknown
    words = vocab.documents()
    for line in str(text).strip().splitlines():
        if words.superseded_by.match(line):
            return Status.superseded
    first = str(text).strip()
    for status, patterns in words.statuses.items():
        if any(p.search(first) for p in patterns):
            return Status(status)
    return Status.unknown


def parse_date(value: Any) -> date | None:
    """A date from front matter or text; None when it cannot be read (never today's date)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not re.search(r"\d{4}|\d{1,2}\s+[A-Za-z]{3}", text):
        return None
    try:
        return dateparser.parse(text, default=datetime(1900, 1, 1), fuzzy=False).date()
    except (ValueError, OverflowError):
        m = re.search(r"(\d{4})-(\d{2})-(\d{2})", text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
        return None


def parse_datetime(value: Any, on: date | None = None) -> datetime | None:
    """A timezone-aware UTC datetime; bare times need ``on`` (the incident's date)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return None
    text = str(value).strip().replace("UTC", "").replace("Z", "+00:00").strip()
    text = re.sub(r"\s+", " ", text)
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        if on is None:
            return None
        text = f"{on.isoformat()} {text}"
    try:
        dt = dateparser.parse(text, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    if dt.year == 1900:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def key_values(text: str) -> dict[str, str]:
    """``Key: value`` lines (plain, bulleted or bold) -> {lower key: value}; first wins."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _KEY_VALUE.match(line)
        if m and m.group(2):
            key = m.group(1).strip().lower()
            out.setdefault(key, m.group(2).strip().strip("*").strip())
    return out


def id_from_title(title: str | None) -> tuple[str | None, str | None]:
    """``"PM-012: Checkout down"`` -> ("PM-012", "Checkout down")."""
    if not title:
        return None, title
    m = _ID_IN_TITLE.match(title)
    if m:
        return m.group(1), m.group(2).strip()
    return None, title


def slug_id(path: str) -> str:
    stem = PurePosixPath(path).stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "doc"


def humanise(stem: str) -> str:
    stem = stem.split("__")[-1]
    stem = re.sub(r"^\d+[-_]", "", stem)
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else stem


def kind_from_path(path: str) -> Kind | None:
    parts = [p.lower() for p in PurePosixPath(path).parts[:-1]]
    name = PurePosixPath(path).name.lower()
    words = vocab.documents()
    for part in reversed(parts):
        if part in words.adr_dirs:
            return Kind.adr
        if part in words.postmortem_dirs:
            return Kind.postmortem
        if part in words.design_dirs:
            return Kind.design
    if "__adr__" in name or name.startswith("adr-"):
        return Kind.adr
    return None


def kind_from_content(headings: set[str], text: str) -> Kind:
    h = {x.lower() for x in headings}
    low = text.lower()
    if ("status" in h and ("decision" in h or "context" in h)) or "decision outcome" in h or (
        "considered options" in h
    ):
        return Kind.adr
    if ("timeline" in h or "root cause" in h or "root causes" in h) and (
        "impact" in h or "action items" in h or "postmortem" in low or "incident" in low
    ):
        return Kind.postmortem
    if h & {"alternatives", "alternatives considered", "proposal", "motivation", "goals",
            "non-goals", "detailed design", "rollout", "rollout plan", "design"}:
        return Kind.design
    return Kind.generic


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in re.split(r",|;|\band\b", str(value)) if p.strip()]


def preamble(sections: list[Section]) -> str:
    """Text before the first second-level section (where bullets like ``- Status:`` live)."""
    out = []
    for s in sections:
        if s.level <= 1 and (s.heading == "" or s.level == 0):
            out.append(s.text)
        else:
            break
    return "\n".join(out)
