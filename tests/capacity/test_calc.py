"""Property-based tests of the calculators and unit parsing (hypothesis)."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assistant.capacity.calc import (
    PlanInput,
    months_until,
    per_region_needed,
    plan,
    replicas_needed,
    utilization,
)
from assistant.capacity.inputs import FIELDS, figure_value
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


PARSERS = {"rate": parse_rate, "duration": parse_duration, "size": parse_size, "money": parse_money_per_month,
           "growth": parse_growth}
# pieces of real quantities, so the text is often close to valid (and to pint's expression syntax)
_PIECES = st.sampled_from(["5", "1200", ".5", "1e999", "e", "-", "+", "/", "*", "**", "^", "(", ")", " ", ",", "%", "$",
                           "rps", "rpm", "req", "ms", "s", "min", "GB", "TB", "usd", "month", "year", "degC",
                           "furlongs", "per", "nan", "inf", "0", "9", "_"])
_ODD = ["5 rps/", "", "1e999 rps", "rps 5", "5 furlongs", "9**9**9 rps", "1/0", "5 degC", "(", "1e308 TB", "nan",
        "40%/week" + "0" * 400]


@settings(deadline=None, max_examples=300)
@given(st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=8).map("".join)), st.sampled_from(sorted(PARSERS)))
@example("5 rps/", "rate")
@example("", "duration")
@example("1e999 rps", "rate")
@example("rps 5", "rate")
@example("5 furlongs", "rate")
@example("9**9**9", "size")
@example("1/0 usd/month", "money")
@example("1e999%/week", "growth")
def test_parsing_any_text_returns_a_number_or_bad_input(text: str, kind: str) -> None:
    try:
        value = PARSERS[kind](text, "--flag")
    except BadInputError as exc:
        assert str(exc).startswith("--flag: ") and "\n" not in str(exc) and exc.hint
    else:
        assert math.isfinite(value)


@settings(deadline=None, max_examples=300)
@given(st.one_of(st.text(max_size=30), st.lists(_PIECES, max_size=8).map("".join), st.integers(), st.booleans(),
                 st.floats(allow_nan=True, allow_infinity=True)),
       st.sampled_from(FIELDS))
def test_document_figures_are_numbers_or_bad_input_naming_the_document(value: object, field: str) -> None:
    where = f"DES-001 capacity.{field}"
    try:
        figure_value(field, value, where)
    except BadInputError as exc:
        assert str(exc).startswith(where)


@pytest.mark.parametrize("text", _ODD)
def test_odd_quantities_say_what_to_write(text: str) -> None:
    with pytest.raises(BadInputError) as exc:
        parse_rate(text, "--peak")
    assert str(exc.value).startswith("--peak: ") and exc.value.hint.startswith("write e.g.")


def test_document_figures_in_units_are_read() -> None:
    assert figure_value("peak_rps", "5,000 rps", "x") == 5000
    assert figure_value("peak_rps", 4200, "x") == 4200
    assert figure_value("latency_ms", "0.12s", "x") == pytest.approx(120)
    assert figure_value("cost_usd_month", "504000 usd/year", "x") == 42000
    assert figure_value("growth", 0.35, "x") == "35%/year" and figure_value("growth", "30%/year", "x") == "30%/year"
    assert figure_value("regions", "2", "x") == 2
    with pytest.raises(BadInputError, match=r"^DES-011 capacity\.peak_rps: cannot read 'lots'"):
        figure_value("peak_rps", "lots", "DES-011 capacity.peak_rps")


def test_cli_plan_prints_one_line_for_a_bad_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from typer.testing import CliRunner

    from assistant.cli import app, main

    args = ["capacity", "plan", "--peak", "5 rps/", "--limit", "5000rps"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and isinstance(result.exception, BadInputError)
    # main() is what the `archie` script runs: it prints ArchieErrors as one line (+ a hint)
    monkeypatch.setattr(sys, "argv", ["archie", *args])
    with CliRunner().isolation() as (_, stderr, _), pytest.raises(SystemExit) as exit:
        try:
            main()
        finally:
            lines = stderr.getvalue().decode().splitlines()
    assert exit.value.code == 1
    assert lines == ["error: --peak: cannot read '5 rps/' as a quantity", "hint: write e.g. 1200rps, 72000rpm or 5e6req/day"]
