"""``POST /v1/capacity/plan``: headroom, time to exhaustion, region loss, replicas and cost,
computed by code with the formula of every figure."""

from __future__ import annotations

import math
from collections.abc import Callable

from fastapi import APIRouter

from api.deps import ServicesDep
from api.problems import documented
from api.schemas import PlanRequest
from assistant.capacity.calc import Input, PlanInput, PlanResult, plan
from assistant.errors import ArchieError, BadInputError

router = APIRouter(prefix="/capacity", tags=["capacity"])


def _parsed(parse: Callable[[str, str], float], text: str | None, field: str) -> float | None:
    """A quantity from the body; anything pint cannot read (or reads as infinite) names the field."""
    if text is None:
        return None
    try:
        value = parse(text, field)
    except ArchieError:
        raise
    except Exception as exc:  # pint's parser raises many types on odd input
        raise BadInputError(field, f"cannot read {text!r} as a quantity", "e.g. 1200rps, 80ms, 42000usd/month") from exc
    if not math.isfinite(value):
        raise BadInputError(field, f"{text!r} is not a finite number")
    return value


def _plan(body: PlanRequest) -> PlanResult:
    from assistant.capacity.units import (
        parse_duration,
        parse_growth,
        parse_money_per_month,
        parse_rate,
    )

    try:
        p = PlanInput(
            peak_rps=_parsed(parse_rate, body.peak, "peak"), limit_rps=_parsed(parse_rate, body.limit, "limit"),
            monthly_growth=_parsed(parse_growth, body.growth or None, "growth"), growth_text=body.growth,
            target_utilization=body.target_utilization, regions=body.regions,
            survive_region_loss=body.survive_region_loss,
            latency_s=_parsed(parse_duration, body.latency or None, "latency"), replicas=body.replicas,
            cost_usd_month=_parsed(parse_money_per_month, body.cost or None, "cost"), customers=body.customers,
            average_rps=_parsed(parse_rate, body.average or None, "average"), horizon_months=body.horizon,
        )
        result = plan(p)
    except BadInputError as exc:  # the calculators name CLI flags; name the JSON field instead
        field = "body." + exc.where.removeprefix("--").replace("-", "_")
        raise BadInputError(field, exc.reason, exc.hint or None) from exc
    result.inputs = [Input(name=k, value=v, source="request") for k, v in body.model_dump().items()
                     if v is not None and not isinstance(v, bool)]
    return result


@router.post("/plan", response_model=PlanResult, responses=documented(body=True),
             summary="Capacity and cost figures from the numbers you give, with formulas and a verdict")
async def capacity_plan(body: PlanRequest, services: ServicesDep) -> PlanResult:
    return await services.run(_plan, body)
