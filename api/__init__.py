"""archie's HTTP service: ``create_app()`` builds the FastAPI app (``archie serve`` runs it)."""

from api.app import create_app

__all__ = ["create_app"]
