"""``GET /v1/search`` and ``GET /v1/documents[/{id}]``: what is indexed, and hybrid search over it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import ServicesDep
from api.problems import documented
from api.schemas import Day, check_range
from assistant.models import DocSummary, Document, Kind, SearchFilters, SearchResult, Status

router = APIRouter()


@router.get("/search", response_model=SearchResult, tags=["search"], responses=documented(409, 503),
            summary="Hybrid search (dense + BM25, fused) with filters")
async def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="what to look for",
                            examples=["why do service calls need retry budgets"])],
    k: Annotated[int, Query(ge=1, le=50, description="how many chunks")] = 8,
    kind: Kind | None = None,
    status: Status | None = None,
    since: Day | None = None,
    until: Day | None = None,
    service: Annotated[str | None, Query(max_length=100)] = None,
) -> SearchResult:
    check_range(since, until)
    lib = await services.run(services.library)
    filters = SearchFilters(kind=kind, status=status, since=since, until=until, service=service or None)
    return await services.run(lib.search, q, filters, k)


@router.get("/documents", response_model=list[DocSummary], tags=["documents"], responses=documented(409, 503),
            summary="Every indexed document (id, title, kind, status, date, supersession)")
async def documents(services: ServicesDep, kind: Kind | None = None) -> list[DocSummary]:
    lib = await services.run(services.library)
    return await services.run(lib.list_documents, kind)


@router.get("/documents/{doc_id}", response_model=Document, tags=["documents"], responses=documented(404, 409, 503),
            summary="One document: parsed metadata and sections")
async def document(services: ServicesDep,
                   doc_id: Annotated[str, Path(max_length=300, examples=["ADR-0016"])]) -> Document:
    lib = await services.run(services.library)
    return await services.run(lib.document, doc_id)
