"""archie's HTTP service: ``create_app()`` builds the FastAPI app (``archie serve`` runs it).

Imported lazily, so that the light modules here (``api.hosts``, ``api.keys``) cost nothing more
than themselves: ``archie serve`` uses them to refuse a bad configuration before it loads the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from api.app import create_app

        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")
