"""archie: an engineering review assistant grounded in ADRs, design docs and postmortems.

The public surface: the jobs' entry points and the models they return.
"""

from __future__ import annotations

__version__ = "0.1.0"

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
from assistant.models import (
    Chunk,
    Document,
    IndexSummary,
    Kind,
    SearchFilters,
    SearchHit,
    SearchResult,
    Section,
    Status,
)
from assistant.settings import Settings, get_settings

__all__ = [
    "ArchieError",
    "BadInputError",
    "Chunk",
    "ConfigError",
    "Document",
    "DocumentNotFound",
    "EmbeddingMismatchError",
    "IndexBusyError",
    "IndexSummary",
    "Kind",
    "ModelUnavailable",
    "NoIndexError",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "Section",
    "Settings",
    "Status",
    "StoreUnavailable",
    "__version__",
    "get_settings",
]
