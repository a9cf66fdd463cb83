"""Pydantic models that cross module boundaries (and the CLI's --json / the API)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class Section(BaseModel):
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


class ActionItem(BaseModel):
    text: str
    owner: str | None = None
    status: str | None = Field(default=None, description="open | closed, or None if not stated")
    id: str | None = None


class AdrFields(BaseModel):
    format: str = Field(description="nygard | madr3 | madr2 | frontmatter | unknown")
    number: int | None = None
    status_text: str | None = Field(default=None, description="the status as written")
    deciders: list[str] = Field(default_factory=list)
    supersedes: list[str] = Field(default_factory=list)
    superseded_by: list[str] = Field(default_factory=list)
    amends: list[str] = Field(default_factory=list)
    amended_by: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list, description="link targets as written")


class PostmortemFields(BaseModel):
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


class DesignFields(BaseModel):
    owner: str | None = None
    capacity: dict[str, Any] | None = None


class Document(BaseModel):
    """A parsed document: kind, stable id, metadata and sections."""

    model_config = ConfigDict(use_enum_values=False)

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

    def section(self, name: str) -> Section | None:
        low = name.lower()
        return next((s for s in self.sections if s.heading.lower() == low), None)


class Chunk(BaseModel):
    id: str
    doc_id: str
    section: str
    text: str
    embed_text: str
    line_start: int
    line_end: int
    index: int
    content_hash: str


class DocSummary(BaseModel):
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


class SkippedFile(BaseModel):
    path: str
    reason: str


class IndexSummary(BaseModel):
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


class SearchHit(BaseModel):
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
    text: str
    score: float = Field(description="reciprocal-rank-fusion score")
    dense_rank: int | None = None
    lexical_rank: int | None = None
    superseded_by: list[str] = Field(default_factory=list)


class SearchFilters(BaseModel):
    kind: Kind | None = None
    status: Status | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    service: str | None = None


class SearchResult(BaseModel):
    query: str
    filters: SearchFilters
    hits: list[SearchHit]


class Evidence(BaseModel):
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
    text: str
    superseded_by: list[str] = Field(default_factory=list, description="successors as of the answer's date")
    score: float = 0.0


class Citation(BaseModel):
    doc_id: str
    section: str

    def __str__(self) -> str:
        return f"[{self.doc_id} §{self.section}]"


class Claim(BaseModel):
    text: str = Field(description="the sentence without its citations")
    citations: list[Citation] = Field(default_factory=list)
    supported: bool = True
    support: float = Field(default=1.0, description="best support score over its citations (0..1)")
    problems: list[str] = Field(default_factory=list)


class HypeFlag(BaseModel):
    sentence: str
    term: str
    reason: str


class GuardVerdict(BaseModel):
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


class Source(BaseModel):
    doc_id: str
    title: str
    kind: Kind
    status: Status
    date: dt.date | None
    path: str
    superseded_by: list[str] = Field(default_factory=list)


class Answer(BaseModel):
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
