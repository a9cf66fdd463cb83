"""Vocabulary as data: every word list and pattern archie matches lives in a YAML file under
``assistant/data/``, is validated by a pydantic schema when first used and compiled once.

A bad entry is a ``ConfigError`` that names the file and the key (``data/hype.yaml:
superlatives.3: not a regular expression (...)``). Code applies vocabulary; it never holds it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from assistant.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def _compile(value: Any) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a regular expression (a string)")
    try:
        return re.compile(value, re.I)
    except re.error as exc:
        raise ValueError(f"not a regular expression ({exc})") from exc


def _compile_word(value: Any) -> re.Pattern[str]:
    """A term that starts on a word boundary unless it says where it starts itself."""
    if isinstance(value, str) and not value.startswith("\\b"):
        value = r"\b" + value
    return _compile(value)


def _regex_text(value: Any) -> str:
    """A regular expression kept as text (the code joins several into one pattern)."""
    _compile(value)
    return str(value)


Pattern = Annotated[re.Pattern[str], BeforeValidator(_compile)]
RegexText = Annotated[str, BeforeValidator(_regex_text)]
WordPattern = Annotated[re.Pattern[str], BeforeValidator(_compile_word)]


class Data(BaseModel):
    """Base of the vocabulary schemas: unknown keys are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)


def first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    """The first match of any pattern in ``text`` (patterns in the order the data file lists them)."""
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None


def raw(name: str) -> Any:
    """The parsed YAML of ``data/<name>`` (a ``ConfigError`` naming the file if it is not YAML)."""
    path = f"data/{name}"
    try:
        text = resources.files("assistant").joinpath(path).read_text("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: missing from the archie package", "reinstall archie") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc


def validate(name: str, model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ())) or "(top level)"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise ConfigError(f"data/{name}: {where}: {msg}", f"fix that key in assistant/data/{name}") from exc


@lru_cache(maxsize=32)
def _load(name: str, model: type[BaseModel]) -> BaseModel:
    return validate(name, model, raw(name))


def load(name: str, model: type[M]) -> M:
    """``data/<name>`` validated by ``model`` (cached per process)."""
    return _load(name, model)  # type: ignore[return-value]


# -- the vocabularies --------------------------------------------------------------------------


class TextVocab(Data):
    """``data/text.yaml``: stopwords and unit names the text toolkit uses."""

    stopwords: frozenset[str]
    units: dict[str, str] = Field(description="unit as written -> its normal form ('minutes' -> 'min')")
    months: list[str] = Field(min_length=12, max_length=12)


class HypeLexicon(Data):
    """``data/hype.yaml``: what the guard and the review treat as hype, advice and injections."""

    superlatives: list[WordPattern]
    buzzwords: list[WordPattern]
    recommendation: list[WordPattern]
    tradeoff: list[WordPattern]
    injection: list[WordPattern]


class DocumentVocab(Data):
    """``data/documents.yaml``: statuses as people write them, and folder names that tell a kind."""

    statuses: dict[str, list[Pattern]] = Field(description="status -> patterns matched at the start of the status text")
    superseded_by: Pattern
    adr_dirs: frozenset[str]
    postmortem_dirs: frozenset[str]
    design_dirs: frozenset[str]


class CauseMechanisms(Data):
    min_hits: int = Field(ge=1)
    negations: list[str]
    labels: dict[str, list[RegexText]]


class PostmortemLexicon(Data):
    """``data/postmortem_lexicon.yaml``: words that classify timeline events, triggers and causes."""

    timeline: dict[str, list[RegexText]]
    trigger: dict[str, list[RegexText]]
    cause_from_trigger: dict[str, str]
    cause_mechanisms: CauseMechanisms


def text_vocab() -> TextVocab:
    return load("text.yaml", TextVocab)


def hype() -> HypeLexicon:
    return load("hype.yaml", HypeLexicon)


def documents() -> DocumentVocab:
    return load("documents.yaml", DocumentVocab)


def postmortems() -> PostmortemLexicon:
    return load("postmortem_lexicon.yaml", PostmortemLexicon)
