"""Parsing: a file's text -> ``Document`` (kind, stable id, metadata, sections).

``read_document(path, root)`` also applies the input rules (size, binary, encoding,
empty, broken front matter) and raises ``BadInputError`` naming the file and reason.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from assistant.documents.adr import parse_adr
from assistant.documents.common import (
    as_list,
    humanise,
    id_from_title,
    key_values,
    kind_from_content,
    kind_from_path,
    normalise_status,
    parse_date,
    preamble,
    slug_id,
)
from assistant.documents.links import resolve_links
from assistant.documents.markdown import FrontMatterError, parse_markdown
from assistant.documents.postmortem import parse_postmortem
from assistant.documents.reader import (
    READABLE_SUFFIXES,
    TEXT_SUFFIXES,
    SourceText,
    file_hash,
    from_text,
    read_bytes,
    read_file,
    readable,
)
from assistant.errors import BadInputError
from assistant.models import DesignFields, Document, Kind, Status
from assistant.settings import Settings, get_settings

__all__ = ["READABLE_SUFFIXES", "TEXT_SUFFIXES", "SourceText", "file_hash", "from_text", "load_document", "parse_source",
           "parse_text", "read_bytes", "read_document", "read_file", "readable", "resolve_links"]


def parse_text(text: str, path: str, digest: str = "", kind: Kind | None = None) -> Document:
    """Parse one document's text. ``path`` is relative to the indexed root (posix); ``kind``
    overrides what the front matter, folder and headings say."""
    try:
        md = parse_markdown(text)
    except FrontMatterError as exc:
        raise BadInputError(path, str(exc), "fix the YAML between the --- lines") from exc
    fm = md.front_matter
    stem = PurePosixPath(path).stem
    headings = {s.heading for s in md.sections if s.heading}

    fm_kind = str(fm.get("kind") or fm.get("type") or "").strip().lower()
    if kind is None:
        kind = Kind(fm_kind) if fm_kind in Kind.__members__ else kind_from_path(path) or kind_from_content(headings, text)

    title = md.title or (str(fm["title"]) if fm.get("title") else None)
    explicit_id = str(fm["id"]).strip() if fm.get("id") else None
    title_id, title = id_from_title(title)
    status = Status.unknown
    date_value = fm.get("date")
    services = as_list(fm.get("services") or fm.get("service"))
    doc = Document(id="", path=path, kind=kind, title="", file_hash=digest,
                   line_count=text.count("\n") + 1, front_matter=_jsonable(fm), sections=md.sections)

    if kind is Kind.adr:
        adr, adr_title, status, date_value = parse_adr(md, stem)
        doc.adr = adr
        title = adr_title or title
        number_id = f"ADR-{adr.number:04d}" if adr.number is not None else None
        doc_id = explicit_id or title_id or number_id or slug_id(path)
        id_source = "frontmatter" if explicit_id else "title" if title_id else "adr-number" if number_id else "path"
    else:
        doc_id = explicit_id or title_id or slug_id(path)
        id_source = "frontmatter" if explicit_id else "title" if title_id else "path"
        kv = key_values(preamble(md.sections))
        services = services or as_list(kv.get("services") or kv.get("service"))
        if fm.get("status") is not None:
            status = normalise_status(str(fm["status"]))
        elif kv.get("status"):
            status = normalise_status(kv["status"])
        date_value = date_value or kv.get("date") or kv.get("start date")
        if kind is Kind.design:
            doc.design = DesignFields(
                owner=str(fm.get("owner") or fm.get("author") or kv.get("owner") or kv.get("author") or "") or None,
                capacity=fm.get("capacity") if isinstance(fm.get("capacity"), dict) else None,
            )
            if title is None and kv.get("feature name"):
                title = kv["feature name"].strip("`")
        if kind is Kind.postmortem:
            pm, d, pm_services = parse_postmortem(md, title, parse_date(date_value))
            doc.postmortem = pm
            date_value = d
            services = services or pm_services

    doc.id = doc_id
    doc.id_source = id_source
    doc.title = (title or humanise(stem)).strip()
    doc.status = status
    doc.date = parse_date(date_value)
    doc.services = [s.lower() for s in services]
    return doc


def _jsonable(value: object) -> object:
    """Front matter with dates turned into ISO strings (for JSON output)."""
    import datetime as dt

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def parse_source(src: SourceText, path: str) -> Document:
    """Parse what the reader made of a file; ``path`` is relative to the indexed root (posix)."""
    doc = parse_text(src.text, path, src.digest)
    if src.converted is not None:
        doc.source_format = src.converted.source_format
        doc.pages = src.converted.pages or None
    return doc


def load_document(path: Path, root: Path, settings: Settings | None = None) -> tuple[Document, SourceText]:
    """Read (the one reader's rules) and parse one file; the source keeps the original's locations."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    src = read_file(path, settings or get_settings())
    return parse_source(src, rel), src


def read_document(path: Path, root: Path, settings: Settings | None = None) -> Document:
    """Read and parse one file, or raise ``BadInputError`` saying why it is skipped."""
    return load_document(path, root, settings)[0]
