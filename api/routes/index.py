"""``POST /v1/index`` (re-index the configured paths in the background) and
``GET /v1/index/{job}`` (its progress and summary)."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import ServicesDep
from api.jobs import IndexJob
from api.problems import documented

router = APIRouter(prefix="/index", tags=["index"])


@router.post("", response_model=IndexJob, status_code=202, responses=documented(409),
             summary="Re-index ARCHIE_INDEX_PATHS (incremental; one job at a time)")
async def start(services: ServicesDep) -> JSONResponse:
    """Queries keep answering from the old index while the job runs and see the new one when it
    is done. A second job while one runs is a 409 problem."""
    # not services.run: starting a job is quick file work, and must not queue behind the jobs
    # users are waiting for (under load it waited for a free request thread)
    job = await anyio.to_thread.run_sync(services.jobs.start)
    return JSONResponse(job.model_dump(mode="json"), status_code=202, headers={"Location": f"/v1/index/{job.id}"})


@router.get("/{job}", response_model=IndexJob, responses=documented(404), summary="An index job's state and progress")
async def status(services: ServicesDep, job: Annotated[str, Path(max_length=64, examples=["3f2a9c1b7d4e"])]) -> IndexJob:
    return await anyio.to_thread.run_sync(services.jobs.get, job)  # polling does not queue either
