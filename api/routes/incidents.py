"""``/v1/incidents``: postmortems as records, trends (JSON or a PNG chart) and similar incidents.
Numbers are computed by code; results are cached per index generation."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import Services, ServicesDep
from api.problems import documented
from api.schemas import Day, SimilarRequest, check_range
from assistant import incidents
from assistant.incidents import IncidentRecord, Match, Trends

router = APIRouter(prefix="/incidents", tags=["incidents"])
Mttr = Literal["started-to-resolved", "detected-to-resolved", "started-to-mitigated"]
Chart = Literal["severity", "mttr", "causes"]


def _trends(services: Services, by: str, mttr: Mttr, since: dt.date | None, until: dt.date | None,
            service: str | None, window: int, summary: bool) -> Trends:
    # the figures are computed once per index generation; with a model the summary is its own
    # (numbers checked), as in `archie incidents trends`; a chart needs no summary
    return incidents.trends(services.library(), by, mttr, since, until, service, window,
                            use_model=None if summary else False)


def _chart(services: Services, t: Trends, chart: Chart) -> bytes:
    from assistant.incidents import charts

    draw = {"severity": charts.incidents_by_severity, "mttr": charts.mttr_per_period, "causes": charts.top_causes}[chart]
    # the chart functions draw empty ranges without warnings and close their own figures
    with services.chart_lock, tempfile.TemporaryDirectory(prefix="archie-chart-") as tmp:
        return draw(t, Path(tmp) / "chart.png").read_bytes()


@router.get("", response_model=list[IncidentRecord], responses=documented(409, 503),
            summary="One record per postmortem; fields the text does not state are null")
async def list_incidents(
    services: ServicesDep, since: Day | None = None, until: Day | None = None,
    service: Annotated[str | None, Query(max_length=100)] = None,
    severity: Annotated[str | None, Query(max_length=20, examples=["SEV1"])] = None,
) -> list[IncidentRecord]:
    check_range(since, until)
    def run() -> list[IncidentRecord]:
        return incidents.list_incidents(services.library(), since, until, service or None, severity or None)

    return await services.run(run)


@router.get("/trends", response_model=Trends, responses={
    **documented(409, 503), 200: {"description": "the figures (JSON) or, with format=png, a chart",
                                  "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}},
    summary="Incidents per period, MTTD / MTTR, repeats, action items, recurring causes")
async def trends(
    services: ServicesDep,
    by: Literal["month", "quarter"] = "quarter",
    mttr: Mttr = "started-to-resolved",
    since: Day | None = None, until: Day | None = None,
    service: Annotated[str | None, Query(max_length=100)] = None,
    repeat_window: Annotated[int, Query(ge=1, le=3650, description="days within which the same cause and service is a repeat")] = 90,
    format: Literal["json", "png"] = "json",
    chart: Annotated[Chart, Query(description="with format=png: which chart")] = "severity",
) -> Any:
    check_range(since, until)
    t = await services.run(_trends, services, by, mttr, since, until, service or None, repeat_window, format == "json")
    if format == "png":
        png = await services.run(_chart, services, t, chart)
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
    return t


@router.post("/similar", response_model=list[Match], responses=documented(409, 503, body=True),
             summary="The past incidents most like this one, and why")
async def similar(body: SimilarRequest, services: ServicesDep) -> list[Match]:
    def run() -> list[Match]:
        return incidents.find_similar(services.library(), body.text, body.k, body.services)

    return await services.run(run)
