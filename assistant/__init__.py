"""archie: an engineering review assistant grounded in ADRs, design docs and postmortems.

The public surface: the jobs' entry points and the models they return. Every job takes the opened
index (``Library``) first::

    from assistant import Library, Settings, ask_question, review_file, trends, headroom
    with Library(Settings()) as lib:
        print(ask_question(lib, "Why do service calls need retry budgets?").text)

Everything but the errors is imported on first use: ``import assistant`` stays light, and the
CLI's ``--help`` loads neither pydantic nor Chroma, onnxruntime, LangChain or scikit-learn.
"""

from __future__ import annotations

__version__ = "0.1.0"

from importlib import import_module as _import_module
from typing import TYPE_CHECKING as _TYPE_CHECKING

from assistant.errors import (
    ArchieError,
    BadInputError,
    ConfigError,
    DocumentNotFound,
    EmbeddingMismatchError,
    IndexBusyError,
    ModelUnavailable,
    NoIndexError,
    StoreUnavailable,
)

# public name -> (module, attribute): loaded on first use (pydantic, the jobs and their libraries)
_JOBS: dict[str, tuple[str, str]] = {
    "Answer": ("assistant.models", "Answer"),
    "Chunk": ("assistant.models", "Chunk"),
    "DocSummary": ("assistant.models", "DocSummary"),
    "Document": ("assistant.models", "Document"),
    "Evidence": ("assistant.models", "Evidence"),
    "IndexSummary": ("assistant.models", "IndexSummary"),
    "Kind": ("assistant.models", "Kind"),
    "SearchFilters": ("assistant.models", "SearchFilters"),
    "SearchHit": ("assistant.models", "SearchHit"),
    "SearchResult": ("assistant.models", "SearchResult"),
    "Section": ("assistant.models", "Section"),
    "Source": ("assistant.models", "Source"),
    "Status": ("assistant.models", "Status"),
    "Settings": ("assistant.settings", "Settings"),
    "get_settings": ("assistant.settings", "get_settings"),
    "Library": ("assistant.index.library", "Library"),
    "Indexer": ("assistant.index.indexer", "Indexer"),
    "Asker": ("assistant.ask", "Asker"),
    "ask_question": ("assistant.ask", "ask"),
    "review_file": ("assistant.review", "review"),
    "review_text": ("assistant.review", "review_text"),
    "review_source": ("assistant.review", "review_source"),
    "Review": ("assistant.review.model", "Review"),
    "Finding": ("assistant.review.model", "Finding"),
    "trends": ("assistant.incidents", "trends"),
    "list_incidents": ("assistant.incidents", "list_incidents"),
    "find_similar": ("assistant.incidents", "find_similar"),
    "Trends": ("assistant.incidents", "Trends"),
    "IncidentRecord": ("assistant.incidents.records", "IncidentRecord"),
    "headroom": ("assistant.capacity", "headroom"),
    "capacity_question": ("assistant.capacity", "answer"),
    "plan": ("assistant.capacity.calc", "plan"),
    "PlanInput": ("assistant.capacity.calc", "PlanInput"),
    "PlanResult": ("assistant.capacity.calc", "PlanResult"),
}

if _TYPE_CHECKING:
    from assistant.ask import Asker
    from assistant.ask import ask as ask_question
    from assistant.capacity import answer as capacity_question
    from assistant.capacity import headroom
    from assistant.capacity.calc import PlanInput, PlanResult, plan
    from assistant.incidents import Trends, find_similar, list_incidents, trends
    from assistant.incidents.records import IncidentRecord
    from assistant.index.indexer import Indexer
    from assistant.index.library import Library
    from assistant.models import (
        Answer,
        Chunk,
        DocSummary,
        Document,
        Evidence,
        IndexSummary,
        Kind,
        SearchFilters,
        SearchHit,
        SearchResult,
        Section,
        Source,
        Status,
    )
    from assistant.review import review as review_file
    from assistant.review import review_source, review_text
    from assistant.review.model import Finding, Review
    from assistant.settings import Settings, get_settings


def __getattr__(name: str) -> object:
    if name in _JOBS:
        module, attr = _JOBS[name]
        value = getattr(_import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


__all__ = [
    "Answer",
    "ArchieError",
    "Asker",
    "BadInputError",
    "Chunk",
    "ConfigError",
    "DocSummary",
    "Document",
    "DocumentNotFound",
    "EmbeddingMismatchError",
    "Evidence",
    "Finding",
    "IncidentRecord",
    "IndexBusyError",
    "IndexSummary",
    "Indexer",
    "Kind",
    "Library",
    "ModelUnavailable",
    "NoIndexError",
    "PlanInput",
    "PlanResult",
    "Review",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "Section",
    "Settings",
    "Source",
    "Status",
    "StoreUnavailable",
    "Trends",
    "__version__",
    "ask_question",
    "capacity_question",
    "find_similar",
    "get_settings",
    "headroom",
    "list_incidents",
    "plan",
    "review_file",
    "review_source",
    "review_text",
    "trends",
]
