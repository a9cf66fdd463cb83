"""Pydantic models that cross module boundaries (and the CLI's --json / the API)."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of archie's models: validators are built on first use, not at import, so that a
    command that never validates a model (``archie --help``) does not pay for building them."""

    model_config = ConfigDict(defer_build=True)


class Kind(StrEnum):
    adr = "adr"
    design = "design"
    postmortem = "postmortem"
    generic = "generic"


class Status(StrEnum):
    """Normalised decision / document status."""

    accepted = "accepted"
    proposed = "proposed"
    rejected = "rejected"
    deprecated = "deprecated"
    superseded = "superseded"
    draft = "draft"
    on_hold = "on hold"
    unknown = "unknown"


class Section(Model):
    """One heading and the text under it (up to the next heading of any level)."""

    heading: str
    level: int
    path: list[str]
    line_start: int = Field(description="1-based line of the heading (or of the text, for the preamble)")
    line_end: int
    text: str
    text_line: int = Field(default=0, description="1-based line where ``text`` begins")

    @property
    def path_str(self) -> str:
        return " > ".join(self.path) if self.path else "(preamble)"


class ActionItem(Model):
    text: str
    owner: str | None = None
    status: str | None = Field(default=None, description="open | closed, or None if not stated")
    id: str | None = None


class AdrFields(Model):
    format: str = Field(description="nygard | madr3 | madr2 | frontmatter | unknown")
    number: int | None = None
    status_text: str | None = Field(default=None, description="the status as written")
    deciders: list[str] = Field(default_factory=list)
    supersedes: list[str] = Field(default_factory=list)
    superseded_by: list[str] = Field(default_factory=list)
    amends: list[str] = Field(default_factory=list)
    amended_by: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list, description="link targets as written")


class PostmortemFields(Model):
    severity: str | None = None
    started: dt.datetime | None = None
    detected: dt.datetime | None = None
    mitigated: dt.datetime | None = None
    resolved: dt.datetime | None = None
    duration_minutes: float | None = Field(
        default=None, description="stated duration, or resolved - started"
    )
    trigger: str | None = Field(default=None, description="deploy | config | capacity | dependency | other")
    trigger_text: str | None = None
    cause_category: str | None = None
    root_cause: str | None = None
    contributing_factors: list[str] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list, description="collector's labels, if any")
    peak_rps: float | None = None
    related: list[str] = Field(default_factory=list)
    sources: dict[str, str] = Field(
        default_factory=dict, description="field -> where it was read (frontmatter, timeline, text)"
    )


class Commit(Model):
    """One commit, as ``git log`` shows it (the author's name and date)."""

    hash: str
    author: str
    date: dt.datetime
    subject: str

    def describe(self) -> str:
        return f"{self.hash[:10]} by {self.author} on {self.date.date().isoformat()}: {self.subject}"


class GitInfo(Model):
    """A file's history in brief: when it was added, and its last commit."""

    added: dt.date = Field(description="author date of the commit that added the file (following renames)")
    added_commit: str = Field(description="hash of that commit")
    last: Commit = Field(description="the newest commit that touched the file")


class DesignFields(Model):
    owner: str | None = None
    capacity: dict[str, Any] | None = None


class Document(Model):
    """A parsed document: kind, stable id, metadata and sections."""

    model_config = ConfigDict(use_enum_values=False, defer_build=True)

    id: str
    id_source: str = Field(default="path", description="frontmatter | title | adr-number | path")
    path: str
    kind: Kind
    title: str
    status: Status = Status.unknown
    date: dt.date | None = None
    services: list[str] = Field(default_factory=list)
    front_matter: dict[str, Any] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)
    adr: AdrFields | None = None
    postmortem: PostmortemFields | None = None
    design: DesignFields | None = None
    file_hash: str = ""
    line_count: int = 0
    source_format: str = Field(default="markdown", description="markdown, or the format it was converted from (pdf, docx...)")
    pages: int | None = Field(default=None, description="pages of the original (PDF)")
    git: GitInfo | None = Field(default=None, description="when the file was added and last changed, if in git")

    def section(self, name: str) -> Section | None:
        low = name.lower()
        return next((s for s in self.sections if s.heading.lower() == low), None)


class Chunk(Model):
    id: str
    doc_id: str
    section: str
    text: str
    embed_text: str
    line_start: int
    line_end: int
    index: int
    content_hash: str


class DocSummary(Model):
    id: str
    title: str
    kind: Kind
    status: Status
    date: dt.date | None
    services: list[str]
    path: str
    supersedes: list[str] = Field(default_factory=list)
    superseded_by: list[str] = Field(default_factory=list)
    chunks: int = 0


class SkippedFile(Model):
    path: str
    reason: str


class IndexSummary(Model):
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    metadata_updates: int = 0
    seconds: float = 0.0
    skipped_files: list[SkippedFile] = Field(default_factory=list)


class SearchHit(Model):
    chunk_id: str
    doc_id: str
    title: str
    kind: Kind
    status: Status
    date: dt.date | None
    services: list[str]
    section: str
    path: str
    line_start: int
    line_end: int
    location: str = Field(default="", description="where in the original file (a PDF page, a Word heading)")
    text: str
    score: float = Field(description="reciprocal-rank-fusion score")
    dense_rank: int | None = None
    lexical_rank: int | None = None
    superseded_by: list[str] = Field(default_factory=list)


class SearchFilters(Model):
    kind: Kind | None = None
    status: Status | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    service: str | None = None


class SearchResult(Model):
    query: str
    filters: SearchFilters
    hits: list[SearchHit]


class Evidence(Model):
    """A retrieved chunk as the answerer and the guard see it."""

    chunk_id: str
    doc_id: str
    title: str
    kind: Kind
    status: Status = Field(description="status as of the answer's date")
    date: dt.date | None
    section: str
    path: str
    line_start: int
    line_end: int
    location: str = Field(default="", description="where in the original file (a PDF page, a Word heading)")
    text: str
    superseded_by: list[str] = Field(default_factory=list, description="successors as of the answer's date")
    score: float = 0.0


class Citation(Model):
    doc_id: str
    section: str

    def __str__(self) -> str:
        return f"[{self.doc_id} §{self.section}]"


class Claim(Model):
    text: str = Field(description="the sentence without its citations")
    citations: list[Citation] = Field(default_factory=list)
    supported: bool = True
    support: float = Field(default=1.0, description="best support score over its citations (0..1)")
    problems: list[str] = Field(default_factory=list)


class HypeFlag(Model):
    sentence: str
    term: str
    reason: str


class GuardVerdict(Model):
    claims_total: int = 0
    claims_kept: int = 0
    claims_dropped: int = 0
    claims_marked: int = 0
    citations_total: int = 0
    citations_invalid_removed: int = 0
    citations_repaired: int = 0
    invented_ids: list[str] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list, description="sentences whose citations do not support them")
    number_violations: list[str] = Field(default_factory=list, description="numbers absent from the cited evidence")
    hype_flags: list[HypeFlag] = Field(default_factory=list)
    injection_suspects: list[str] = Field(default_factory=list, description="evidence sentences withheld as instructions")
    abstained: bool = False
    reason: str = ""


class Source(Model):
    doc_id: str
    title: str
    kind: Kind
    status: Status
    date: dt.date | None
    path: str
    superseded_by: list[str] = Field(default_factory=list)


class Answer(Model):
    question: str
    text: str
    claims: list[Claim] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    nearest: list[Source] = Field(default_factory=list, description="closest documents when abstaining")
    notes: list[str] = Field(default_factory=list, description="supersession, fallback and as-of notes")
    as_of: dt.date | None = Field(default=None, description="newest date among the cited evidence")
    as_of_requested: dt.date | None = None
    abstained: bool = False
    provider: str = "extractive"
    fallback: str | None = Field(default=None, description="why the configured model was not used")
    verdict: GuardVerdict = Field(default_factory=GuardVerdict)
    draft: str | None = Field(default=None, description="the model's raw text before the guard (verbose)")
    retrieved: list[str] = Field(default_factory=list, description="ids of the retrieved documents, best first")
    seconds: float = 0.0


def _joined(values: list[str]) -> str:
    return ",".join(values)


def _split(value: object) -> list[str]:
    return [x for x in str(value or "").split(",") if x]


class ChunkMeta(Model):
    """The metadata every chunk carries in the store (Chroma metadata holds scalars only: the
    lists are joined with commas there, and ``svc_<name>`` flags make services filterable)."""

    doc_id: str
    title: str = ""
    kind: Kind = Kind.generic
    status: Status = Status.unknown
    date: dt.date | None = None
    services: list[str] = Field(default_factory=list)
    section: str = ""
    path: str = ""
    line_start: int = 0
    line_end: int = 0
    location: str = Field(default="", description="where in the original file (a PDF page, a Word heading)")
    content_hash: str = ""
    file_hash: str = ""
    chunk_index: int = 0
    chunk_count: int = 0
    superseded_by: list[str] = Field(default_factory=list)
    supersedes: list[str] = Field(default_factory=list)

    @property
    def date_num(self) -> int:
        return int(self.date.strftime("%Y%m%d")) if self.date else 0

    def to_store(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "doc_id": self.doc_id, "title": self.title, "kind": self.kind.value, "status": self.status.value,
            "date": self.date.isoformat() if self.date else "", "date_num": self.date_num,
            "services": _joined(self.services), "section": self.section, "path": self.path,
            "line_start": self.line_start, "line_end": self.line_end, "location": self.location,
            "content_hash": self.content_hash, "file_hash": self.file_hash, "chunk_index": self.chunk_index,
            "chunk_count": self.chunk_count, "superseded_by": _joined(self.superseded_by),
            "supersedes": _joined(self.supersedes),
        }
        for svc in self.services:
            meta[f"svc_{svc}"] = True
        return meta

    @classmethod
    def from_store(cls, meta: dict[str, Any]) -> ChunkMeta:
        return cls(
            doc_id=str(meta.get("doc_id", "")), title=str(meta.get("title", "")),
            kind=Kind(meta.get("kind") or "generic"), status=Status(meta.get("status") or "unknown"),
            date=dt.date.fromisoformat(meta["date"]) if meta.get("date") else None,
            services=_split(meta.get("services")), section=str(meta.get("section", "")), path=str(meta.get("path", "")),
            line_start=int(meta.get("line_start") or 0), line_end=int(meta.get("line_end") or 0),
            location=str(meta.get("location") or ""), content_hash=str(meta.get("content_hash", "")),
            file_hash=str(meta.get("file_hash", "")), chunk_index=int(meta.get("chunk_index") or 0),
            chunk_count=int(meta.get("chunk_count") or 0), superseded_by=_split(meta.get("superseded_by")),
            supersedes=_split(meta.get("supersedes")),
        )


class Links(Model):
    """A document's state that depends on other documents (resolved ADR links)."""

    status: Status
    superseded_by: list[str] = Field(default_factory=list)
    supersedes: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, doc: Document) -> Links:
        return cls(status=doc.status, superseded_by=list(doc.adr.superseded_by) if doc.adr else [],
                   supersedes=list(doc.adr.supersedes) if doc.adr else [])


class RegistryEntry(Model):
    """One document's record in the index: where it came from, its parsed form and its chunks.
    Written last for a document, so it is the commit marker of that document's chunks."""

    id: str
    source: str = Field(description="the file's absolute path")
    file_hash: str
    parser: str
    chunker: str
    doc: Document = Field(description="as parsed, before links to other documents were resolved")
    chunk_ids: list[str]
    base_id: str = Field(description="the id the parser gave, before collisions were resolved")
    links: Links

    def to_store(self) -> tuple[dict[str, Any], str]:
        meta = {"source": self.source, "file_hash": self.file_hash, "parser": self.parser, "chunker": self.chunker,
                "kind": self.doc.kind.value, "path": self.doc.path, "status": self.links.status.value,
                "superseded_by": _joined(self.links.superseded_by), "supersedes": _joined(self.links.supersedes)}
        record = {"doc": json.loads(self.doc.model_dump_json()), "chunk_ids": self.chunk_ids, "base_id": self.base_id}
        return meta, json.dumps(record, default=str)

    @classmethod
    def from_store(cls, doc_id: str, meta: dict[str, Any], record: str) -> RegistryEntry:
        data = json.loads(record)
        return cls(
            id=doc_id, source=str(meta.get("source", "")), file_hash=str(meta.get("file_hash", "")),
            parser=str(meta.get("parser", "")), chunker=str(meta.get("chunker", "")),
            doc=Document.model_validate(data["doc"]), chunk_ids=list(data.get("chunk_ids", [])),
            base_id=str(data.get("base_id") or data["doc"].get("id") or doc_id),
            links=Links(status=Status(meta.get("status") or "unknown"), superseded_by=_split(meta.get("superseded_by")),
                        supersedes=_split(meta.get("supersedes"))),
        )

    def document(self) -> Document:
        """The document as indexed now: its final id and its resolved status and links."""
        d = self.doc.model_copy(deep=True)
        d.id = self.id
        d.status = self.links.status
        if d.adr is not None:
            d.adr.superseded_by = list(self.links.superseded_by)
            d.adr.supersedes = list(self.links.supersedes)
        return d

    def stored_doc(self) -> Document:
        """The document as parsed (its parser-given id), for re-resolving links across documents."""
        d = self.doc.model_copy(deep=True)
        d.id = self.base_id
        return d
