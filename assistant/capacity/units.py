"""Parsing capacity quantities with pint: rates, durations, sizes, money per period, growth.

Every parser takes the flag (or field) it parses so a bad value becomes a one-line
``BadInputError`` naming it.
"""

from __future__ import annotations

import math
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


# What the parsers accept: a number, then optionally unit names joined by "/" or "*". pint's own
# parser would evaluate arithmetic ("9**9**9 rps" never returns, "1/0" divides by zero), so
# only this shape reaches it.
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_UNIT = r"[A-Za-z_µ][A-Za-z0-9_µ]*"
_QUANTITY = re.compile(rf"({_NUMBER})\s*({_UNIT}(?:\s*[/*]\s*{_UNIT})*)?")

# What pint (and float()) raise on input they cannot read; anything else is a bug in archie.
_UNREADABLE = (pint.errors.PintError, ValueError, TypeError, AttributeError, ArithmeticError, AssertionError)


def _finite(value: float, flag: str, text: str, hint: str) -> float:
    if not math.isfinite(value):
        raise BadInputError(flag, f"{text!r} is not a finite number", hint)
    return value


def _q(text: str, flag: str, hint: str) -> Any:
    raw = str(text).strip().replace(",", "")
    if not raw:
        raise BadInputError(flag, "is empty", hint)
    norm = re.sub(r"(?i)\breq/(s|sec|second)\b", "rps", raw)
    norm = re.sub(r"(?i)\breq/(min|minute)\b", "rpm", norm)
    norm = re.sub(r"(?i)\breq/(day|d)\b", "request/day", norm)
    norm = re.sub(r"(?i)\brequests? per (second|minute|hour|day)\b", r"request/\1", norm)
    norm = re.sub(r"(?i)\busd/(month|mo|year|yr)\b", r"usd/\1", norm)
    norm = re.sub(r"(?i)/mo\b", "/month", norm)
    norm = re.sub(rf"^\$\s*({_NUMBER})", r"\1 usd", norm).replace("$", " usd")  # "$42000/month", "42000$/month"
    m = _QUANTITY.fullmatch(norm.strip())
    if not m:
        raise BadInputError(flag, f"cannot read {text!r} as a quantity", hint)
    number, unit = m.groups()
    magnitude = _finite(float(number), flag, str(text), hint)
    try:
        return ureg().Quantity(magnitude, ureg().parse_units(unit) if unit else None)
    except _UNREADABLE as exc:
        raise BadInputError(flag, f"cannot read {text!r} as a quantity", hint) from exc


def _checked(value: float, flag: str, text: str, hint: str) -> float:
    _finite(value, flag, text, hint)
    if value < 0:
        raise BadInputError(flag, f"{text!r} is negative", "rates, sizes and costs are zero or more")
    return value


def _convert(text: str | float, flag: str, unit: str, bare_scale: float, what: str, hint: str) -> float:
    """``text`` in ``unit``; a bare number is taken as ``bare_scale`` x ``unit``."""
    if isinstance(text, bool):  # YAML reads "yes" as True; it is not 1
        raise BadInputError(flag, f"{text!r} is not {what}", hint)
    if isinstance(text, int | float):
        try:
            return _checked(float(text) * bare_scale, flag, str(text), hint)
        except OverflowError as exc:  # an int too large for a float
            raise BadInputError(flag, f"{text!r} is not a finite number", hint) from exc
    q = _q(str(text), flag, hint)
    if q.unitless:  # a bare number (pint counts bytes as dimensionless, so test for "no unit at all")
        return _checked(float(q.magnitude) * bare_scale, flag, str(text), hint)
    try:
        return _checked(float(q.to(unit).magnitude), flag, str(text), hint)
    except pint.errors.DimensionalityError as exc:
        raise BadInputError(flag, f"{text!r} is not {what}", hint) from exc
    except _UNREADABLE as exc:  # offset units (degC), overflow while converting
        raise BadInputError(flag, f"cannot read {text!r} as {what}", hint) from exc


def parse_rate(text: str | float, flag: str) -> float:
    """Requests per second from '1200rps', '72000 rpm', '5e6 req/day' or a bare number (rps)."""
    return _convert(text, flag, "rps", 1.0, "a request rate", "write e.g. 1200rps, 72000rpm or 5e6req/day")


def parse_duration(text: str | float, flag: str) -> float:
    """Seconds from '80ms', '1.5 s', '2 min' or a bare number (milliseconds)."""
    return _convert(text, flag, "second", 0.001, "a duration", "write e.g. 80ms, 1.5s or 2min")


def parse_size(text: str, flag: str) -> float:
    """Gigabytes from '500GB', '2 TB' or a bare number (GB)."""
    return _convert(text, flag, "gigabyte", 1.0, "a size", "write e.g. 500GB or 2TB")


def parse_money_per_month(text: str | float, flag: str) -> float:
    """USD per month from '42000usd/month', '504000 usd/year' or a bare number (per month)."""
    return _convert(text, flag, "usd / month", 1.0, "money per period", "write e.g. 42000usd/month or 504000usd/year")


_GROWTH = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*%\s*(?:/|per\s+)\s*(year|yr|y|quarter|q|month|mo|m|week|wk|w)\s*$", re.I)
_PERIOD_MONTHS = {"year": 12, "yr": 12, "y": 12, "quarter": 3, "q": 3, "month": 1, "mo": 1, "m": 1,
                  "week": 12 / 52, "wk": 12 / 52, "w": 12 / 52}


def parse_growth(text: str | float, flag: str) -> float:
    """Compound monthly growth rate from '40%/year', '3%/month' or a number (per year, as a fraction)."""
    hint = "write e.g. 40%/year or 3%/month"
    if isinstance(text, bool):
        raise BadInputError(flag, f"{text!r} is not growth", hint)
    if isinstance(text, int | float):
        rate, months = float(text), 12.0
    else:
        m = _GROWTH.match(str(text))
        if not m:
            raise BadInputError(flag, f"cannot read {text!r} as growth", hint)
        rate, months = float(m.group(1)) / 100, _PERIOD_MONTHS[m.group(2).lower()]
    _finite(rate, flag, str(text), hint)
    if rate <= -1:
        raise BadInputError(flag, f"{text!r} shrinks below zero", "growth must be above -100%")
    # the period's compound rate, spread evenly over its months
    try:
        return _finite(float((1 + rate) ** (1 / months) - 1), flag, str(text), hint)
    except OverflowError as exc:
        raise BadInputError(flag, f"{text!r} is too large to compound", hint) from exc
