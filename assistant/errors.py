"""The errors a user can cause, each with a one-line message and a hint.

The tree::

    ArchieError                 anything archie reports to a user as one line
     ├── BadInputError          a file, flag or field is wrong (names it)
     ├── ConfigError            settings or archie.toml are invalid
     ├── NoIndexError           nothing indexed yet
     ├── EmbeddingMismatchError the index was built with another embedding model
     ├── IndexBusyError         another indexer holds the lock
     ├── DocumentNotFound       an id that is not in the index
     ├── StoreUnavailable       the Chroma server cannot be reached
     └── ModelUnavailable       the language model / server cannot be reached

Errors from dependencies are translated in one place per dependency (the
``translate_*`` context managers) and re-raised ``from`` the original.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class ArchieError(Exception):
    """Base of every error archie reports to a user. ``hint`` says what to do."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return self.message


class BadInputError(ArchieError):
    """A path, flag or field is wrong: ``where`` names it, ``reason`` says why."""


    def __init__(self, where: str, reason: str, hint: str | None = None) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}", hint)


class ConfigError(ArchieError):
    hint = "fix the setting in archie.toml or the ARCHIE_* environment variable"


class NoIndexError(ArchieError):
    hint = "run `archie index PATH` first (e.g. `archie index corpus/`)"


class EmbeddingMismatchError(ArchieError):
    hint = "re-index with `archie index --rebuild PATH` or switch back to the model that built it"


class IndexBusyError(ArchieError):
    hint = "wait for the other `archie index` to finish, or pass --wait SECONDS"


class DocumentNotFound(ArchieError):
    hint = "`archie docs list` shows the indexed ids"


class StoreUnavailable(ArchieError):
    hint = "check CHROMA_HOST / CHROMA_PORT, or unset CHROMA_HOST to use the local store"


class ModelUnavailable(ArchieError):
    hint = "check OPENAI_BASE_URL / ARCHIE_MODEL, or set ARCHIE_LLM=extractive"


@contextmanager
def translate_settings_error() -> Iterator[None]:
    from pydantic import ValidationError

    try:
        yield
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ())) or "settings"
        raise ConfigError(f"setting {field!r}: {err.get('msg', 'invalid')}") from exc
