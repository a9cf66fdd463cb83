"""Capacity arithmetic: pure functions, and ``plan`` which runs them all and states a verdict,
the formulas used and the assumptions made. No model ever touches these numbers."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, Field

from assistant.errors import BadInputError

SECONDS_PER_MONTH = 365.25 * 24 * 3600 / 12


def utilization(peak: float, limit: float) -> float:
    return peak / limit


def months_until(peak: float, capacity: float, monthly_growth: float) -> float | None:
    """Months until ``peak`` grows to ``capacity`` under compound monthly growth:
    ln(capacity / peak) / ln(1 + g). 0 if already there; None if it never gets there."""
    if peak >= capacity:
        return 0.0
    if monthly_growth <= 0 or peak <= 0:
        return None
    return math.log(capacity / peak) / math.log1p(monthly_growth)


def per_region_needed(peak: float, regions: int) -> float:
    """Capacity each surviving region needs to carry all traffic after losing one: peak / (regions - 1)."""
    return peak / (regions - 1)


def replicas_needed(peak: float, per_replica: float, target: float) -> int:
    """Replicas so that each runs at or below ``target`` utilization: ceil(peak / (per_replica x target))."""
    return math.ceil(peak / (per_replica * target) - 1e-9)


def littles_law(rate: float, latency_s: float) -> float:
    """Requests in flight: L = lambda x W."""
    return rate * latency_s


class Input(BaseModel):
    name: str
    value: float | int | str
    unit: str = ""
    source: str = Field(default="cli", description="cli, or the document id it was read from")
    measured: str | None = Field(default=None, description="date the figure was measured / stated")
    age_days: int | None = None
    note: str | None = None


class PlanInput(BaseModel):
    service: str | None = None
    peak_rps: float
    limit_rps: float
    monthly_growth: float | None = None
    growth_text: str | None = None
    target_utilization: float = 0.7
    regions: int | None = None
    survive_region_loss: bool = False
    latency_s: float | None = None
    replicas: int | None = None
    cost_usd_month: float | None = None
    customers: int | None = None
    average_rps: float | None = None
    horizon_months: float = 6.0


class Figure(BaseModel):
    name: str
    value: float | int | None
    unit: str
    formula: str


class PlanResult(BaseModel):
    service: str | None = None
    verdict: str = Field(description="ok | at risk | over capacity")
    reasons: list[str]
    figures: list[Figure]
    assumptions: list[str]
    inputs: list[Input] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def figure(self, name: str) -> float | int | None:
        return next(f.value for f in self.figures if f.name == name)


def validate(p: PlanInput) -> None:
    if p.limit_rps <= 0:
        raise BadInputError("--limit", "must be above zero")
    if p.peak_rps < 0:
        raise BadInputError("--peak", "must not be negative")
    if not 0 < p.target_utilization <= 1:
        raise BadInputError("--target-utilization", f"{p.target_utilization} is outside (0, 1]",
                            "a fraction such as 0.7")
    if p.survive_region_loss and (p.regions is None or p.regions < 2):
        raise BadInputError("--survive-region-loss", f"needs --regions 2 or more (got {p.regions or 1})",
                            "one region cannot survive losing itself")
    if p.regions is not None and p.regions < 1:
        raise BadInputError("--regions", "must be at least 1")
    if p.replicas is not None and p.replicas < 1:
        raise BadInputError("--replicas", "must be at least 1")
    if p.customers is not None and p.customers < 1:
        raise BadInputError("--customers", "must be at least 1")


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


def plan(p: PlanInput) -> PlanResult:
    validate(p)
    figs: list[Figure] = []
    reasons: list[str] = []
    assumptions = [
        "the limit is the fleet's tested maximum throughput, shared evenly by regions and replicas",
        "traffic grows at a constant compound rate" if p.monthly_growth is not None else "no growth given: time to exhaustion not computed",
    ]
    util = utilization(p.peak_rps, p.limit_rps)
    figs += [
        Figure(name="utilization", value=_r(util, 4), unit="fraction", formula="peak / limit"),
        Figure(name="headroom_rps", value=_r(p.limit_rps - p.peak_rps), unit="rps", formula="limit - peak"),
        Figure(name="headroom_pct", value=_r((1 - util) * 100), unit="%", formula="(1 - peak / limit) x 100"),
    ]
    target_cap = p.target_utilization * p.limit_rps
    figs.append(Figure(name="target_capacity_rps", value=_r(target_cap), unit="rps", formula="target utilization x limit"))
    if p.monthly_growth is not None:
        figs += [
            Figure(name="monthly_growth_pct", value=_r(p.monthly_growth * 100, 4), unit="%/month",
                   formula="(1 + periodic rate)^(1 / months in period) - 1"),
            Figure(name="months_to_target", value=_r(months_until(p.peak_rps, target_cap, p.monthly_growth)), unit="months",
                   formula="ln(target x limit / peak) / ln(1 + g)"),
            Figure(name="months_to_limit", value=_r(months_until(p.peak_rps, p.limit_rps, p.monthly_growth)), unit="months",
                   formula="ln(limit / peak) / ln(1 + g)"),
        ]
    if p.regions:
        per_region = p.limit_rps / p.regions
        figs.append(Figure(name="per_region_capacity_rps", value=_r(per_region), unit="rps", formula="limit / regions"))
        if p.regions >= 2:
            need = per_region_needed(p.peak_rps, p.regions)
            figs += [
                Figure(name="per_region_needed_after_loss_rps", value=_r(need), unit="rps", formula="peak / (regions - 1)"),
                Figure(name="survives_region_loss", value=int(per_region >= need), unit="bool",
                       formula="limit / regions >= peak / (regions - 1)"),
            ]
            if p.survive_region_loss and per_region < need:
                reasons.append(f"losing one of {p.regions} regions leaves {per_region:,.0f} rps per region against "
                               f"{need:,.0f} rps needed")
    if p.replicas:
        per_replica = p.limit_rps / p.replicas
        needed = replicas_needed(p.peak_rps, per_replica, p.target_utilization)
        figs += [
            Figure(name="per_replica_capacity_rps", value=_r(per_replica), unit="rps", formula="limit / replicas"),
            Figure(name="replicas_needed", value=needed, unit="replicas",
                   formula="ceil(peak / (per-replica capacity x target utilization))"),
        ]
    if p.latency_s is not None:
        figs.append(Figure(name="concurrency", value=_r(littles_law(p.peak_rps, p.latency_s), 1), unit="requests in flight",
                           formula="Little's law: peak x latency"))
    if p.cost_usd_month is not None:
        if p.customers:
            figs.append(Figure(name="cost_per_customer_usd_month", value=_r(p.cost_usd_month / p.customers), unit="usd/month",
                               formula="cost / customers"))
        rate = p.average_rps if p.average_rps is not None else p.peak_rps
        if p.average_rps is None:
            assumptions.append("requests per month from the peak rate all month (no --average): cost per million is a lower bound")
        monthly_requests = rate * SECONDS_PER_MONTH
        if monthly_requests > 0:
            figs.append(Figure(name="cost_per_million_requests_usd", value=_r(p.cost_usd_month / (monthly_requests / 1e6), 4),
                               unit="usd", formula="cost / (rate x seconds per month / 1e6)"))
    # verdict
    if util >= 1:
        reasons.insert(0, f"peak {p.peak_rps:,.0f} rps is at or above the limit {p.limit_rps:,.0f} rps")
        verdict = "over capacity"
    elif p.survive_region_loss and any(f.name == "survives_region_loss" and f.value == 0 for f in figs):
        verdict = "over capacity"
    elif util >= p.target_utilization:
        reasons.append(f"utilization {util:.0%} is above the {p.target_utilization:.0%} target")
        verdict = "at risk"
    else:
        m = months_until(p.peak_rps, target_cap, p.monthly_growth) if p.monthly_growth is not None else None
        if m is not None and m < p.horizon_months:
            reasons.append(f"growth reaches the {p.target_utilization:.0%} target in {m:.1f} months "
                           f"(under the {p.horizon_months:g}-month horizon)")
            verdict = "at risk"
        else:
            verdict = "ok"
            reasons.append(f"utilization {util:.0%} is below the {p.target_utilization:.0%} target")
    return PlanResult(service=p.service, verdict=verdict, reasons=reasons, figures=figs, assumptions=assumptions)


class CapacityAnswer(BaseModel):
    question: str
    text: str
    result: PlanResult | None = None
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list, description="sentences with numbers no tool or document gave")
    provider: str = "deterministic"
    fallback: str | None = None
