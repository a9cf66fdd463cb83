"""Reviews of several documents reported as one: the design docs and ADRs a git change adds or
modifies (``archie review --changed main...HEAD``), or the files a pre-commit hook passes.

Which changed files are reviewed: text documents the reader takes whose kind (front matter,
folder conventions such as ``adr/`` or ``design/``, then headings) is a design doc or an ADR,
minus the review config's ``ignore`` globs. Postmortems and generic documents are not reviewed;
a pure rename (no content change) is not reviewed again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.documents import read_document, readable
from assistant.documents.reader import read_file
from assistant.errors import BadInputError
from assistant.gitinfo import ChangedFile, changed_files, parse_range, repo_root
from assistant.index.library import Library
from assistant.models import Kind
from assistant.review import fails, review_source
from assistant.review.config import ReviewConfig, apply_config, verdict_line
from assistant.review.model import RANK, Review
from assistant.settings import Settings

REVIEWED_KINDS = (Kind.design, Kind.adr)

__all__ = ["ReviewSet", "Skipped", "Target", "review_changed", "review_paths", "select_changed"]


class Skipped(BaseModel):
    """A file that was not reviewed, and why."""

    path: str
    reason: str
    why: Literal["ignored", "unreadable", "renamed", "not-reviewed-kind", "not-a-document"]


class Target(BaseModel):
    """A document to review: where it is on disk and its path as reported (repository-relative)."""

    path: Path
    rel: str


class ReviewSet(BaseModel):
    """Several reviews reported as one (one SARIF run, one Markdown summary, one exit code)."""

    change: str | None = Field(None, description="the git change reviewed, e.g. 'main...HEAD'")
    root: str | None = Field(None, description="the repository root the paths are relative to")
    reviews: list[Review] = Field(default_factory=list)
    skipped: list[Skipped] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(RANK, 0))
    verdict: str = ""
    config: str | None = Field(None, description="the review config applied, if any")
    seconds: float = 0.0

    def fails(self, level: str | None) -> bool:
        return any(fails(r, level) for r in self.reviews)


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def select_changed(files: list[ChangedFile], root: Path, cfg: ReviewConfig,
                   settings: Settings) -> tuple[list[Target], list[Skipped]]:
    """The changed files to review: design docs and ADRs, not ignored, with content changes."""
    picked: list[Target] = []
    skipped: list[Skipped] = []
    for f in files:
        suffix = f.path.suffix.lower()
        if not readable(f.path) or (not suffix and f.path.name.startswith(".")):
            skipped.append(Skipped(path=f.rel, reason=f"not a document archie reads ({suffix or 'no suffix'})",
                                   why="not-a-document"))
            continue
        if cfg.ignores(f.rel):
            skipped.append(Skipped(path=f.rel, reason=f"ignored by {cfg.source}", why="ignored"))
            continue
        if f.status == "renamed" and f.similarity == 100:
            skipped.append(Skipped(path=f.rel, reason=f"renamed from {f.old_rel} without changes", why="renamed"))
            continue
        try:
            doc = read_document(f.path, root, settings)
        except BadInputError as exc:
            skipped.append(Skipped(path=f.rel, reason=exc.reason, why="unreadable"))
            continue
        if doc.kind not in REVIEWED_KINDS or (not suffix and doc.kind is Kind.generic):
            skipped.append(Skipped(path=f.rel, reason=f"a {doc.kind.value} document, not a design doc or ADR",
                                   why="not-reviewed-kind"))
            continue
        picked.append(Target(path=f.path, rel=f.rel))
    return picked, skipped


def _finish(out: ReviewSet) -> ReviewSet:
    findings = [f for r in out.reviews for f in r.findings]
    out.counts = {k: sum(1 for f in findings if f.severity == k) for k in RANK}
    coverage = sum(1 for f in findings if f.references) / len(findings) if findings else 0.0
    checked = bool(out.reviews) and all(r.precedent_checked for r in out.reviews)
    out.verdict = (verdict_line(out.counts, coverage, checked, len(findings)) if out.reviews
                   else "nothing to review")
    out.seconds = round(sum(r.seconds for r in out.reviews), 3)
    return out


def _review_all(targets: list[Target], lib: Library | None, settings: Settings, cfg: ReviewConfig,
                use_model: bool | None, show_all: bool, out: ReviewSet, strict: bool) -> ReviewSet:
    for t in targets:
        try:
            src = read_file(t.path, settings)
        except BadInputError as exc:
            if strict:
                raise
            out.skipped.append(Skipped(path=t.rel, reason=exc.reason, why="unreadable"))
            continue
        src = src.model_copy(update={"name": t.rel})
        out.reviews.append(apply_config(review_source(src, lib, settings=settings, use_model=use_model), cfg, show_all))
    out.config = cfg.source
    return _finish(out)


def review_paths(paths: list[Path], lib: Library | None, settings: Settings, cfg: ReviewConfig, use_model: bool | None = None,
                 show_all: bool = False) -> ReviewSet:
    """Review the files given (any kind: the caller chose them), minus the config's ``ignore``
    globs; paths are reported relative to their repository when they are in one."""
    roots = {p: repo_root(p) for p in paths}
    root = next((r for r in roots.values() if r is not None), None)
    out = ReviewSet(root=str(root) if root else None)
    targets = []
    for p in paths:
        rel = _rel(p, roots[p])
        if roots[p] is not None and cfg.ignores(rel):
            out.skipped.append(Skipped(path=rel, reason=f"ignored by {cfg.source}", why="ignored"))
        else:
            targets.append(Target(path=p, rel=rel))
    return _review_all(targets, lib, settings, cfg, use_model, show_all, out, strict=True)


def review_changed(spec: str, lib: Library | None, settings: Settings, cfg: ReviewConfig, cwd: Path | None = None,
                   use_model: bool | None = None, show_all: bool = False) -> ReviewSet:
    """Review the design docs and ADRs that the git change ``spec`` adds or modifies (contents
    from the working tree)."""
    rng = parse_range(spec)
    here = (cwd or Path.cwd()).resolve()
    files = changed_files(rng, here)
    root = repo_root(here)
    assert root is not None  # changed_files raised otherwise
    targets, skipped = select_changed(files, root, cfg, settings)
    out = ReviewSet(change=str(rng), root=str(root), skipped=skipped)
    return _review_all(targets, lib, settings, cfg, use_model, show_all, out, strict=False)
