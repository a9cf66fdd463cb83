"""Eval datasets (YAML, reviewed by hand, in ``evals/``) as typed items."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import BadInputError


class AskItem(BaseModel):
    id: str
    type: Literal["answerable", "unanswerable", "superseded"]
    question: str
    docs: list[str] = Field(default_factory=list, description="documents that answer it (ids, or paths for other corpora)")
    facts: list[list[str]] = Field(default_factory=list)
    current: str | None = None
    paraphrase: bool = False


class HypeItem(BaseModel):
    id: str
    question: str
    docs: list[str] = Field(default_factory=list)


class InjectionItem(BaseModel):
    id: str
    question: str
    doc: str
    forbidden: list[str]
    facts: list[list[str]] = Field(default_factory=list)


class CapacityItem(BaseModel):
    id: str
    service: str
    peak_rps: float | None = None
    peak_source: str | None = None
    limit_rps: float | None = None
    limit_source: str | None = None
    utilization: float | None = None
    verdict: str | None = None
    error: str | None = Field(None, description="expected: the documents state no such figure")


class AskDataset(BaseModel):
    """A dataset over any corpus: items plus where the corpus is (relative to the dataset file)."""

    corpus: Path | None = None
    roots: list[str] = Field(default_factory=list)
    items: list[AskItem]


def _load(path: Path) -> object:
    if not path.is_file():
        raise BadInputError(str(path), "no such dataset file", "pass a YAML dataset (see evals/)")
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise BadInputError(str(path), f"not valid YAML ({str(exc).splitlines()[0]})", "fix the YAML") from exc


def _items(model: type[BaseModel], raw: object, path: Path) -> list:
    if not isinstance(raw, list):
        raise BadInputError(str(path), "expected a YAML list of items", "see evals/ask.yaml for the format")
    out = []
    for i, r in enumerate(raw):
        try:
            out.append(model.model_validate(_stringify(r)))
        except ValidationError as exc:
            e = exc.errors()[0]
            raise BadInputError(f"{path} item {i + 1}", f"{'.'.join(map(str, e['loc']))}: {e['msg']}",
                                "fix that item (see evals/ask.yaml for the format)") from exc
    return out


def _stringify(r: object) -> object:
    """YAML turns 2026-11-03 and 429 into dates and ints; facts are strings."""
    if isinstance(r, dict) and "facts" in r and isinstance(r["facts"], list):
        r = dict(r)
        r["facts"] = [[str(a) for a in (f if isinstance(f, list) else [f])] for f in r["facts"]]
    return r


def load_ask(path: Path) -> AskDataset:
    raw = _load(path)
    if isinstance(raw, dict) and "items" in raw:
        items = []
        for r in raw["items"]:
            r = dict(r)
            r.setdefault("docs", r.pop("paths", []))
            items.append(r)
        corpus = (path.parent / raw["corpus"]).resolve() if raw.get("corpus") else None
        return AskDataset(corpus=corpus, roots=list(raw.get("roots") or []), items=_items(AskItem, items, path))
    return AskDataset(items=_items(AskItem, raw, path))


def load_hype(path: Path) -> list[HypeItem]:
    return _items(HypeItem, _load(path), path)


def load_injection(path: Path) -> list[InjectionItem]:
    return _items(InjectionItem, _load(path), path)


def load_capacity(path: Path) -> list[CapacityItem]:
    return _items(CapacityItem, _load(path), path)
