"""Property-based tests of the calculators and unit parsing (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.capacity.calc import (
    PlanInput,
    months_until,
    per_region_needed,
    plan,
    replicas_needed,
    utilization,
)
from assistant.capacity.units import (
    parse_duration,
    parse_growth,
    parse_money_per_month,
    parse_rate,
    parse_size,
)
from assistant.errors import BadInputError

rates = st.floats(min_value=1, max_value=1e6, allow_nan=False, allow_infinity=False)
growths = st.floats(min_value=0.001, max_value=0.5)


@given(rates, st.floats(min_value=1.001, max_value=1000), growths)
def test_months_to_limit_closed_form(peak: float, factor: float, g: float) -> None:
    limit = peak * factor
    m = months_until(peak, limit, g)
    assert m is not None
    assert math.isclose(m, math.log(limit / peak) / math.log(1 + g), rel_tol=1e-9)
    assert math.isclose(peak * (1 + g) ** m, limit, rel_tol=1e-6)


@given(rates, st.floats(min_value=1.01, max_value=100), growths, st.floats(min_value=1.01, max_value=10))
def test_faster_growth_exhausts_sooner(peak: float, factor: float, g1: float, faster: float) -> None:
    limit, g2 = peak * factor, g1 * faster
    assert months_until(peak, limit, g2) < months_until(peak, limit, g1)  # type: ignore[operator]


def test_no_growth_never_exhausts_and_over_limit_is_now() -> None:
    assert months_until(100, 200, 0.0) is None
    assert months_until(300, 200, 0.02) == 0.0


@given(rates, st.integers(min_value=2, max_value=12))
def test_n_plus_one_per_region_closed_form(peak: float, regions: int) -> None:
    assert math.isclose(per_region_needed(peak, regions), peak / (regions - 1))
    result = plan(PlanInput(peak_rps=peak, limit_rps=peak * regions / (regions - 1) * 1.01, regions=regions,
                            survive_region_loss=True))
    assert result.figure("survives_region_loss") == 1


@given(rates, rates, st.floats(min_value=0.1, max_value=1.0))
def test_replicas_are_enough_and_minimal(peak: float, per_replica: float, target: float) -> None:
    n = replicas_needed(peak, per_replica, target)
    assert n * per_replica * target >= peak * (1 - 1e-9)
    assert (n - 1) * per_replica * target < peak * (1 + 1e-9)


@given(rates, st.floats(min_value=1.0001, max_value=100), rates)
def test_utilization_is_monotonic_in_peak(p1: float, factor: float, limit: float) -> None:
    p2 = p1 * factor
    assert utilization(p2, limit) > utilization(p1, limit)


@given(st.floats(min_value=0.01, max_value=1e5))
def test_rate_units_round_trip(x: float) -> None:
    assert math.isclose(parse_rate(f"{x}rps", "--peak"), x, rel_tol=1e-9)
    assert math.isclose(parse_rate(f"{x * 60}rpm", "--peak"), x, rel_tol=1e-9)
    assert math.isclose(parse_rate(f"{x * 86400} req/day", "--peak"), x, rel_tol=1e-9)
    assert math.isclose(parse_duration(f"{x}ms", "--latency"), x / 1000, rel_tol=1e-9)
    assert math.isclose(parse_duration(f"{x}s", "--latency"), x, rel_tol=1e-9)
    assert math.isclose(parse_money_per_month(f"{x * 12}usd/year", "--cost"), x, rel_tol=1e-9)
    assert math.isclose(parse_size(f"{x}TB", "--storage"), x * 1000, rel_tol=1e-9)
    assert math.isclose(parse_size(f"{x}GB", "--storage"), x, rel_tol=1e-9)


@given(st.floats(min_value=-0.9, max_value=5).map(lambda x: round(x, 4)))
def test_growth_compounds(yearly: float) -> None:
    g = parse_growth(f"{yearly * 100}%/year", "--growth")
    assert math.isclose((1 + g) ** 12, 1 + yearly, rel_tol=1e-9)
    assert math.isclose(parse_growth(f"{yearly * 100}%/month", "--growth"), yearly, rel_tol=1e-9)


def test_worked_example_from_the_issue() -> None:
    r = plan(PlanInput(peak_rps=1200, limit_rps=5000, monthly_growth=parse_growth("40%/year", "g"), regions=3,
                       survive_region_loss=True, latency_s=0.08, replicas=6, cost_usd_month=42000, customers=1800))
    assert r.verdict == "ok"
    assert r.figure("utilization") == 0.24 and r.figure("headroom_rps") == 3800
    assert r.figure("months_to_limit") == round(12 * math.log(5000 / 1200) / math.log(1.4), 2)
    assert r.figure("per_region_needed_after_loss_rps") == 600 and r.figure("survives_region_loss") == 1
    assert r.figure("replicas_needed") == 3 and r.figure("concurrency") == 96.0
    assert r.figure("cost_per_customer_usd_month") == round(42000 / 1800, 2)


@pytest.mark.parametrize(("fn", "arg", "flag", "words"), [
    (parse_rate, "-5rps", "--peak", "negative"),
    (parse_rate, "12 furlongs", "--peak", "not a request rate"),
    (parse_rate, "lots", "--limit", "cannot read"),
    (parse_duration, "5rps", "--latency", "not a duration"),
    (parse_growth, "fast", "--growth", "cannot read"),
])
def test_bad_units_name_the_flag(fn, arg: str, flag: str, words: str) -> None:
    with pytest.raises(BadInputError) as exc:
        fn(arg, flag)
    assert str(exc.value).startswith(flag) and words in str(exc.value)


@pytest.mark.parametrize(("kwargs", "flag"), [
    ({"target_utilization": 1.5}, "--target-utilization"),
    ({"regions": 1, "survive_region_loss": True}, "--survive-region-loss"),
    ({"limit_rps": 0}, "--limit"),
    ({"replicas": 0}, "--replicas"),
])
def test_bad_plans_name_the_flag(kwargs: dict, flag: str) -> None:
    base = {"peak_rps": 100.0, "limit_rps": 1000.0}
    with pytest.raises(BadInputError) as exc:
        plan(PlanInput(**{**base, **kwargs}))
    assert str(exc.value).startswith(flag)


def test_verdicts() -> None:
    assert plan(PlanInput(peak_rps=1100, limit_rps=1000)).verdict == "over capacity"
    assert plan(PlanInput(peak_rps=800, limit_rps=1000)).verdict == "at risk"
    assert plan(PlanInput(peak_rps=600, limit_rps=1000, monthly_growth=0.05)).verdict == "at risk"  # ~3 months to 70%
    assert plan(PlanInput(peak_rps=300, limit_rps=1000, monthly_growth=0.01)).verdict == "ok"
