"""Capacity and cost: calculators (pint units), inputs cited from documents, headroom and ask."""

from __future__ import annotations

import datetime as dt
import re

from assistant.capacity.calc import CapacityAnswer, Input, PlanInput, PlanResult, plan
from assistant.capacity.inputs import Figure, collect, highest_recent, newest, services
from assistant.capacity.units import parse_growth
from assistant.errors import BadInputError
from assistant.index.library import Library
from assistant.llm.registry import with_model

__all__ = ["Input", "PlanInput", "PlanResult", "ask", "headroom", "plan"]


def _cite(f: Figure, name: str, unit: str = "") -> Input:
    return Input(name=name, value=f.value, unit=unit, source=f.source, measured=str(f.measured) if f.measured else None,
                 age_days=f.age_days, note=f.context)


def headroom(lib: Library, service: str, today: dt.date | None = None, max_age_days: int = 365,
             overrides: dict[str, float] | None = None, multiplier: float = 1.0, peak_from: str | None = None,
             target_utilization: float = 0.7, survive_region_loss: bool = False) -> PlanResult:
    """``plan`` with inputs from the documents: the highest peak recorded within ``max_age_days``
    (or the one whose source title matches ``peak_from``), the newest limit, growth, regions..."""
    today = today or dt.date.today()
    docs = lib.documents()
    figures = collect(docs, service, today, max_age_days)
    if not figures:
        known = ", ".join(sorted(services(docs))) or "none indexed"
        raise BadInputError("--service", f"no capacity figures for {service!r} in the indexed documents",
                            f"known services: {known}; or pass the numbers to `archie capacity plan`")
    overrides = overrides or {}
    inputs: list[Input] = []
    warnings: list[str] = []

    peak = None
    if peak_from:
        peak = next((f for f in figures if f.field == "peak_rps" and f.context and re.search(peak_from, f.context, re.I)), None)
    peak = peak or highest_recent(figures, "peak_rps") or newest(figures, "peak_rps")
    limit = newest(figures, "limit_rps")
    missing = [n for n, f in (("peak_rps", peak), ("limit_rps", limit)) if f is None and n not in overrides]
    if missing:
        raise BadInputError("--service", f"the documents state no {' or '.join(missing)} for {service!r}",
                            f"pass {' and '.join('--' + m.split('_')[0] for m in missing)} to `archie capacity plan`")

    def pick(field: str) -> Figure | None:
        return newest(figures, field)

    values: dict[str, float | None] = {}
    for name, fig in (("peak_rps", peak), ("limit_rps", limit)):
        if fig is not None:
            inputs.append(_cite(fig, name, "rps"))
            values[name] = float(fig.value)
    for field, unit in (("growth", ""), ("regions", ""), ("latency_ms", "ms"), ("replicas", ""),
                        ("cost_usd_month", "usd/month"), ("customers", "")):
        fig = pick(field)
        if fig is not None:
            inputs.append(_cite(fig, field, unit))
            values[field] = fig.value  # type: ignore[assignment]
    for f in inputs:
        if f.source != "cli" and f.age_days is not None and f.age_days > max_age_days:
            warnings.append(f"{f.name} from {f.source} is {f.age_days} days old (older than {max_age_days}): re-measure it")
    for name, value in overrides.items():
        doc = values.get(name)
        if doc is not None and name != "growth" and abs(float(value) - float(doc)) > 0.1 * max(abs(float(doc)), 1e-9):
            src = next(i.source for i in inputs if i.name == name)
            warnings.append(f"--{name.split('_')[0]} {value:g} contradicts {src} ({doc:g}); using the value you gave")
        values[name] = value
        inputs.append(Input(name=name, value=value, source="cli"))
    peak_value = float(values["peak_rps"]) * multiplier  # type: ignore[arg-type]
    if multiplier != 1.0:
        inputs.append(Input(name="multiplier", value=multiplier, source="question", note=f"peak x {multiplier:g}"))
    growth = values.get("growth")
    p = PlanInput(
        service=service, peak_rps=peak_value, limit_rps=float(values["limit_rps"]),  # type: ignore[arg-type]
        monthly_growth=parse_growth(str(growth), "growth") if growth is not None else None, growth_text=str(growth) if growth else None,
        target_utilization=target_utilization, regions=int(values["regions"]) if values.get("regions") else None,  # type: ignore[arg-type]
        survive_region_loss=survive_region_loss and bool(values.get("regions")) and int(values["regions"]) >= 2,  # type: ignore[arg-type]
        latency_s=float(values["latency_ms"]) / 1000 if values.get("latency_ms") else None,  # type: ignore[arg-type]
        replicas=int(values["replicas"]) if values.get("replicas") else None,  # type: ignore[arg-type]
        cost_usd_month=float(values["cost_usd_month"]) if values.get("cost_usd_month") else None,  # type: ignore[arg-type]
        customers=int(values["customers"]) if values.get("customers") else None,  # type: ignore[arg-type]
    )
    result = plan(p)
    result.inputs = inputs
    result.warnings = warnings
    if peak and peak.field == "peak_rps" and peak.kind.value == "postmortem":
        result.assumptions.append(f"peak taken from {peak.source} ({peak.context}), the highest recorded within {max_age_days} days")
    return result


_MULT = [
    (re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:x|×|times)\b", re.I), None),
    (re.compile(r"\bdouble[ds]?\b|\btwice\b", re.I), 2.0),
    (re.compile(r"\btriple[ds]?\b|\bthree times\b", re.I), 3.0),
    (re.compile(r"\bquadruple[ds]?\b", re.I), 4.0),
    (re.compile(r"([+-]?\d+(?:\.\d+)?)\s*%\s*(?:more|growth|increase|higher)", re.I), "pct"),
]


def parse_question(question: str, known: set[str]) -> tuple[str | None, float, str | None]:
    """(service, multiplier, event) from "can checkout take 3x Black Friday?"."""
    low = question.lower()
    service = next((s for s in sorted(known, key=len, reverse=True) if re.search(rf"\b{re.escape(s)}\b", low)), None)
    mult = 1.0
    for pat, val in _MULT:
        m = pat.search(question)
        if m:
            if val is None:
                mult = float(m.group(1))
            elif val == "pct":
                mult = 1 + float(m.group(1)) / 100
            else:
                mult = float(val)
            break
    event = None
    m = re.search(r"black friday|cyber monday|peak season|christmas", low)
    if m:
        event = m.group(0)
    return service, mult, event


def ask(lib: Library, question: str, today: dt.date | None = None, max_age_days: int = 365) -> PlanResult:
    """Answer a capacity question without a model: find the service and multiplier, run headroom,
    or say exactly which inputs are missing."""
    known = services(lib.documents())
    service, mult, event = parse_question(question, known)
    if service is None:
        raise BadInputError("QUESTION", "names no service the documents know",
                            f"name one of: {', '.join(sorted(known))}; or use `archie capacity plan --peak ... --limit ...`")
    result = headroom(lib, service, today, max_age_days, multiplier=mult, peak_from=event,
                      survive_region_loss=True)
    result.assumptions.insert(0, f"read from the question: service {service!r}, multiplier {mult:g}"
                              + (f", event {event!r}" if event else ""))
    return result


def summary_text(result: PlanResult) -> str:
    """A one-paragraph, template-made summary of a plan, citing where inputs came from."""
    cites = sorted({i.source for i in result.inputs if i.source not in ("cli", "question")})
    src = f" [{', '.join(cites)}]" if cites else ""
    head = f"{result.service or 'The service'} is {result.verdict.upper()}: " if result.service else f"{result.verdict.upper()}: "
    return head + "; ".join(result.reasons) + "." + src


def answer(lib: Library, question: str, today: dt.date | None = None, max_age_days: int = 365) -> CapacityAnswer:
    """``archie capacity ask``: the tool-calling chain when a model is configured (its numbers
    checked against the tools' results), else (or when it fails) the deterministic path."""

    def deterministic(note: str | None = None) -> CapacityAnswer:
        result = ask(lib, question, today, max_age_days)
        return CapacityAnswer(question=question, text=summary_text(result), result=result, fallback=note)

    def with_tools() -> CapacityAnswer:
        from assistant.capacity.chain import run  # LangChain only when a model runs
        from assistant.llm.providers import chat_model

        out = run(lib, question, chat_model(lib.settings), today)
        if out.result is not None and out.text.strip():
            return out
        return deterministic("the model answered without calling the calculators; answered deterministically")

    out, fallback = with_model(lib.settings, with_tools, deterministic, "answered deterministically")
    if fallback:
        out.fallback = fallback
    return out
