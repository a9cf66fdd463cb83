"""Parsing capacity quantities with pint: rates, durations, sizes, money per period, growth.

Every parser takes the flag (or field) it parses so a bad value becomes a one-line
``BadInputError`` naming it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pint

from assistant.errors import BadInputError


@lru_cache(maxsize=1)
def ureg() -> pint.UnitRegistry:
    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    reg.define("request = [request] = req = requests")
    reg.define("rps = request / second")
    reg.define("rpm = request / minute")
    reg.define("rph = request / hour")
    reg.define("usd = [currency] = dollar = dollars = USD = $")
    reg.define("eur = 1.0 usd = EUR = euro = euros")  # money is not converted: same unit, stated
    return reg


def _q(text: str, flag: str) -> Any:
    raw = str(text).strip().replace(",", "")
    if not raw:
        raise BadInputError(flag, "is empty")
    norm = re.sub(r"(?i)\breq/(s|sec|second)\b", "rps", raw)
    norm = re.sub(r"(?i)\breq/(min|minute)\b", "rpm", norm)
    norm = re.sub(r"(?i)\breq/(day|d)\b", "request/day", norm)
    norm = re.sub(r"(?i)\brequests? per (second|minute|hour|day)\b", r"request/\1", norm)
    norm = re.sub(r"(?i)\busd/(month|mo|year|yr)\b", r"usd/\1", norm)
    norm = re.sub(r"(?i)/mo\b", "/month", norm)
    norm = re.sub(r"(\d)([a-df-zA-DF-Z$]|[eE](?![-+]?\d))", r"\1 \2", norm)  # "1200rps", not "5e6"
    try:
        return ureg().Quantity(norm)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError, AttributeError, TypeError,
            AssertionError) as exc:
        raise BadInputError(flag, f"cannot read {text!r} as a quantity", "e.g. 1200rps, 80ms, 42000usd/month") from exc


def _positive(value: float, flag: str, text: str) -> float:
    if value < 0:
        raise BadInputError(flag, f"{text!r} is negative", "rates, sizes and costs are zero or more")
    return value


def _convert(text: str | float, flag: str, unit: str, bare_scale: float, what: str, hint: str) -> float:
    """``text`` in ``unit``; a bare number is taken as ``bare_scale`` x ``unit``."""
    if isinstance(text, int | float):
        return _positive(float(text) * bare_scale, flag, str(text))
    q = _q(str(text), flag)
    if q.unitless:  # a bare number (pint counts bytes as dimensionless, so test for "no unit at all")
        return _positive(float(q.magnitude) * bare_scale, flag, str(text))
    try:
        return _positive(float(q.to(unit).magnitude), flag, str(text))
    except pint.errors.DimensionalityError as exc:
        raise BadInputError(flag, f"{text!r} is not {what}", hint) from exc


def parse_rate(text: str | float, flag: str) -> float:
    """Requests per second from '1200rps', '72000 rpm', '5e6 req/day' or a bare number (rps)."""
    return _convert(text, flag, "rps", 1.0, "a request rate", "use rps, rpm or req/day")


def parse_duration(text: str | float, flag: str) -> float:
    """Seconds from '80ms', '1.5 s', '2 min' or a bare number (milliseconds)."""
    return _convert(text, flag, "second", 0.001, "a duration", "use ms, s or min")


def parse_size(text: str, flag: str) -> float:
    """Gigabytes from '500GB', '2 TB' or a bare number (GB)."""
    return _convert(text, flag, "gigabyte", 1.0, "a size", "use MB, GB or TB")


def parse_money_per_month(text: str | float, flag: str) -> float:
    """USD per month from '42000usd/month', '504000 usd/year' or a bare number (per month)."""
    return _convert(text, flag, "usd / month", 1.0, "money per period", "e.g. 42000usd/month")


_GROWTH = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*%\s*(?:/|per\s+)\s*(year|yr|y|quarter|q|month|mo|m|week|wk|w)\s*$", re.I)
_PERIOD_MONTHS = {"year": 12, "yr": 12, "y": 12, "quarter": 3, "q": 3, "month": 1, "mo": 1, "m": 1,
                  "week": 12 / 52, "wk": 12 / 52, "w": 12 / 52}


def parse_growth(text: str | float, flag: str) -> float:
    """Compound monthly growth rate from '40%/year', '3%/month' or a number (per year, as a fraction)."""
    if isinstance(text, int | float):
        rate, months = float(text), 12.0
    else:
        m = _GROWTH.match(str(text))
        if not m:
            raise BadInputError(flag, f"cannot read {text!r} as growth", "e.g. 40%/year or 3%/month")
        rate, months = float(m.group(1)) / 100, _PERIOD_MONTHS[m.group(2).lower()]
    if rate <= -1:
        raise BadInputError(flag, f"{text!r} shrinks below zero", "growth must be above -100%")
    # the period's compound rate, spread evenly over its months
    return float((1 + rate) ** (1 / months) - 1)
