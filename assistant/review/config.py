"""A team's review configuration, committed with its docs: which checks run, severity overrides,
paths to leave alone and a confidence bar. Read from ``.archie/review.toml`` in the repository
root, or from a ``[review]`` table in ``archie.toml``, and applied to a finished ``Review`` by one
function (``apply_config``), so it holds whatever the checks do.

Selectors (in ``enable``, ``disable`` and ``severity``) name findings by category (``hype``), by
rule-id prefix (``completeness/cost`` covers ``completeness/cost/...``), by exact rule id, or by a
glob over the rule id (``pattern/*/canary``); ``"*"`` is everything. When several match, the most
specific wins (an exact id, then the longest selector).
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import BadInputError
from assistant.review import _verdict as _review_verdict
from assistant.review.model import CATEGORIES, RANK, Finding, Review, Severity

__all__ = ["ReviewConfig", "apply_config", "find_config", "load_review_config"]

REVIEW_TOML = Path(".archie") / "review.toml"
_GLOB = re.compile(r"[*?\[]")


class ReviewConfig(BaseModel):
    """The file's schema. Unknown keys are errors, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid")

    enable: list[str] = Field(default_factory=lambda: ["*"], description="selectors of the checks to run (default: all)")
    disable: list[str] = Field(default_factory=list, description="selectors of checks to turn off")
    severity: dict[str, Severity] = Field(default_factory=dict, description="selector -> high | medium | low | info")
    ignore: list[str] = Field(default_factory=list, description="path globs (from the repository root) never reviewed")
    min_confidence: float = Field(0.0, ge=0, le=1, description="findings below this confidence are hidden unless --all")
    source: str | None = Field(None, exclude=True, description="the file this was read from (not a key)")

    @field_validator("enable", "disable", "ignore")
    @classmethod
    def _no_blanks(cls, v: list[str]) -> list[str]:
        if any(not s.strip() for s in v):
            raise ValueError("an entry is empty")
        return [s.strip() for s in v]

    @field_validator("severity")
    @classmethod
    def _keys(cls, v: dict[str, Severity]) -> dict[str, Severity]:
        if any(not k.strip() for k in v):
            raise ValueError("a selector is empty")
        return v

    @model_validator(mode="after")
    def _not_both(self) -> ReviewConfig:
        both = sorted(set(self.enable) & set(self.disable))
        if both:
            raise ValueError(f"{both[0]!r} is in both enable and disable")
        return self

    def ignores(self, rel: str) -> bool:
        """Whether a repository-relative path is left out of reviews."""
        return any(_path_glob(p).fullmatch(rel) for p in self.ignore)

    def runs(self, f: Finding) -> bool:
        """Whether the finding's check is on: the most specific matching selector decides."""
        on = max((_specificity(s, f) for s in self.enable), default=-1)
        off = max((_specificity(s, f) for s in self.disable), default=-1)
        return on >= 0 and on > off

    def severity_for(self, f: Finding) -> Severity:
        best = max(((_specificity(s, f), s) for s in self.severity), default=(-1, ""))
        return self.severity[best[1]] if best[0] >= 0 else f.severity


def _specificity(selector: str, f: Finding) -> int:
    """-1 when ``selector`` does not match ``f``; otherwise higher means more specific."""
    if selector == f.rule:
        return 10_000
    if _GLOB.search(selector):
        return len(_GLOB.sub("", selector)) if fnmatch.fnmatchcase(f.rule, selector) else -1
    if f.rule.startswith(selector.rstrip("/") + "/") or selector == f.category:
        return len(selector)
    return -1


def _path_glob(pattern: str) -> re.Pattern[str]:
    """gitignore-like: ``*`` stays within a folder, ``**`` crosses folders, a pattern without a
    slash matches a file name anywhere, a trailing slash means everything under that folder."""
    anchored = "/" in pattern.strip().rstrip("/")
    pat = pattern.strip().lstrip("/")
    if pat.endswith("/"):
        pat += "**"
    if not anchored:
        pat = "**/" + pat
    out, i = "", 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pat.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pat[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pat[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pat[i]), i + 1
    return re.compile(out)


def find_config(root: Path, extra: list[Path] | None = None) -> tuple[Path, bool] | None:
    """The config file that applies under ``root``: ``.archie/review.toml``, else an
    ``archie.toml`` with a ``[review]`` table (``root``'s, then any in ``extra``). Returns the
    file and whether it is an ``archie.toml`` (read its ``[review]`` table)."""
    own = root / REVIEW_TOML
    if own.is_file():
        return own, False
    for p in [root / "archie.toml", *(extra or [])]:
        if p.is_file() and "review" in _read_toml(p):
            return p, True
    return None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(str(path), f"cannot read the review config ({exc})", "fix or remove the file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(str(path), f"not valid TOML ({exc})", "fix the syntax; see docs/review.example.toml") from exc


def load_review_config(root: Path | None = None, explicit: Path | None = None,
                       extra: list[Path] | None = None) -> ReviewConfig:
    """The review configuration: ``explicit`` if given (a review.toml, or an archie.toml with a
    ``[review]`` table), else the one found under ``root``, else the defaults (everything on).
    A bad key or value is a ``BadInputError`` naming the file and the key."""
    if explicit is not None:
        if not explicit.is_file():
            raise BadInputError(str(explicit), "no such review config file", "pass a .archie/review.toml file")
        found: tuple[Path, bool] | None = (explicit, explicit.name == "archie.toml")
    else:
        found = find_config(root or Path.cwd(), extra)
    if found is None:
        return ReviewConfig()
    path, in_archie_toml = found
    data = _read_toml(path)
    prefix = ""
    if in_archie_toml:
        data, prefix = data.get("review", {}), "review."
        if not isinstance(data, dict):
            raise BadInputError(f"{path}: review", "must be a table ([review])", "see docs/review.example.toml")
    try:
        cfg = ReviewConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err.get("loc", ()))
        where = f"{path}: {prefix}{key}" if key else str(path)
        msg = "unknown key" if err.get("type") == "extra_forbidden" else err.get("msg", "invalid").removeprefix("Value error, ")
        raise BadInputError(where, msg, "see docs/review.example.toml for the keys and values") from exc
    cfg.source = str(path)
    return cfg


def verdict_line(counts: dict[str, int], coverage: float, checked: bool, n: int) -> str:
    """The review's own verdict line, so a filtered review reads exactly like an unfiltered one."""
    return _review_verdict(counts, coverage, checked, n)


def recount(r: Review, findings: list[Finding]) -> Review:
    """``r`` with ``findings`` instead of its own: sorted, renumbered, counted, verdict redone."""
    findings = sorted(findings, key=lambda f: (-RANK[f.severity], f.line_start, f.id))
    findings = [f.model_copy(update={"id": f"R{n:03d}"}) for n, f in enumerate(findings, 1)]
    counts = {k: sum(1 for f in findings if f.severity == k) for k in RANK}
    by_cat = {c: n for c in (*CATEGORIES, *sorted({f.category for f in findings} - set(CATEGORIES)))
              if (n := sum(1 for f in findings if f.category == c))}
    coverage = sum(1 for f in findings if f.references) / len(findings) if findings else 0.0
    return r.model_copy(update={
        "findings": findings, "counts": counts, "by_category": by_cat, "precedent_coverage": round(coverage, 3),
        "verdict": verdict_line(counts, coverage, r.precedent_checked, len(findings)),
    })


def apply_config(r: Review, cfg: ReviewConfig, show_all: bool = False) -> Review:
    """Apply ``cfg`` to a finished review: drop findings of disabled checks, override severities,
    hide findings below ``min_confidence`` (unless ``show_all``), recount and redo the verdict."""
    kept = [f for f in r.findings if cfg.runs(f)]
    kept = [f.model_copy(update={"severity": sev}) if (sev := cfg.severity_for(f)) != f.severity else f for f in kept]
    low = [] if show_all else [f for f in kept if f.confidence < cfg.min_confidence]
    shown = [f for f in kept if f.confidence >= cfg.min_confidence] if low else kept
    out = recount(r, shown)
    notes = list(r.notes)
    if low:
        notes.append(f"{len(low)} finding{'s' * (len(low) != 1)} below confidence {cfg.min_confidence:g} hidden "
                     "(--all shows them).")
    return out.model_copy(update={
        "notes": notes, "disabled": r.disabled + len(r.findings) - len(kept), "hidden": r.hidden + len(low),
        "config": cfg.source or r.config,
    })
