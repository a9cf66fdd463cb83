"""``archie capacity plan | headroom | ask``: computed, cited capacity and cost figures."""

from __future__ import annotations

import typer
from rich.table import Table
from rich.text import Text

from assistant.cli.common import console, open_library, print_json

app = typer.Typer(help="Capacity and cost: headroom, time to exhaustion, region loss, cost per customer.",
                  no_args_is_help=True)
_STYLE = {"ok": "bold green", "at risk": "bold yellow", "over capacity": "bold red"}


def render(result) -> None:
    title = f"Capacity{' of ' + result.service if result.service else ''}: "
    console.print(Text(title, style="bold") + Text(result.verdict.upper(), style=_STYLE[result.verdict]))
    for r in result.reasons:
        console.print(f"  - {r}")
    if result.inputs:
        t = Table(title="Inputs", show_edge=False, title_justify="left")
        for col in ("input", "value", "source", "measured", "age (days)"):
            t.add_column(col)
        for i in result.inputs:
            src = i.source if i.source in ("cli", "question") else f"[{i.source}]"
            t.add_row(i.name, f"{i.value} {i.unit}".strip(), src, i.measured or "", "" if i.age_days is None else str(i.age_days))
        console.print(t)
    t = Table(title="Figures", show_edge=False, title_justify="left")
    for col in ("figure", "value", "unit", "formula"):
        t.add_column(col)
    for f in result.figures:
        value = "n/a" if f.value is None else (f"{f.value:,}" if isinstance(f.value, int | float) else str(f.value))
        t.add_row(f.name, value, f.unit, f.formula)
    console.print(t)
    console.print(Text("Assumptions:", style="bold"))
    for a in result.assumptions:
        console.print(f"  - {a}")
    for w in result.warnings:
        console.print(Text(f"warning: {w}", style="yellow"))


@app.command("plan")
def plan_cmd(
    peak: str = typer.Option(..., "--peak", help="Peak rate, e.g. 1200rps, 72000rpm, 5e6req/day."),
    limit: str = typer.Option(..., "--limit", help="Tested limit of the whole fleet, e.g. 5000rps."),
    growth: str = typer.Option(None, "--growth", help="Compound growth, e.g. 40%/year or 3%/month."),
    target: float = typer.Option(0.7, "--target-utilization", help="Utilization to plan for (0-1]."),
    regions: int = typer.Option(None, "--regions", help="Regions the limit is spread over."),
    survive: bool = typer.Option(False, "--survive-region-loss", help="Require N+1 across regions."),
    latency: str = typer.Option(None, "--latency", help="Latency per request, e.g. 80ms (Little's law)."),
    replicas: int = typer.Option(None, "--replicas", help="Replicas sharing the limit."),
    cost: str = typer.Option(None, "--cost", help="Running cost, e.g. 42000usd/month."),
    customers: int = typer.Option(None, "--customers", help="Paying customers, for cost per customer."),
    average: str = typer.Option(None, "--average", help="Average rate, for cost per million requests."),
    horizon: float = typer.Option(6.0, "--horizon", help="Months ahead that count as 'at risk'."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Headroom, time to the target and to the limit, N+1 across regions, replicas, concurrency, cost.

    Example: `archie capacity plan --peak 1200rps --limit 5000rps --growth 40%/year --regions 3 --survive-region-loss --latency 80ms --replicas 6 --cost 42000usd/month --customers 1800`
    """
    from assistant.capacity.calc import Input, PlanInput, plan
    from assistant.capacity.units import (
        parse_duration,
        parse_growth,
        parse_money_per_month,
        parse_rate,
    )

    p = PlanInput(
        peak_rps=parse_rate(peak, "--peak"), limit_rps=parse_rate(limit, "--limit"),
        monthly_growth=parse_growth(growth, "--growth") if growth else None, growth_text=growth,
        target_utilization=target, regions=regions, survive_region_loss=survive,
        latency_s=parse_duration(latency, "--latency") if latency else None, replicas=replicas,
        cost_usd_month=parse_money_per_month(cost, "--cost") if cost else None, customers=customers,
        average_rps=parse_rate(average, "--average") if average else None, horizon_months=horizon,
    )
    result = plan(p)
    result.inputs = [Input(name=k, value=v, source="cli") for k, v in (
        ("peak", peak), ("limit", limit), ("growth", growth), ("target_utilization", target), ("regions", regions),
        ("latency", latency), ("replicas", replicas), ("cost", cost), ("customers", customers), ("average", average))
        if v is not None]
    print_json(result) if as_json else render(result)
    if result.verdict == "over capacity":
        raise typer.Exit(2)


@app.command("headroom")
def headroom_cmd(
    service: str = typer.Option(..., "--service", help="A service named in the documents' capacity figures."),
    peak: str = typer.Option(None, "--peak", help="Override the documents' peak (flagged if it contradicts them)."),
    limit: str = typer.Option(None, "--limit", help="Override the documents' limit."),
    target: float = typer.Option(0.7, "--target-utilization"),
    survive: bool = typer.Option(False, "--survive-region-loss"),
    max_age: int = typer.Option(365, "--max-age", help="Days after which a figure is stale."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """The same as `plan`, with every input read from the indexed documents and cited.

    Example: `archie capacity headroom --service checkout --survive-region-loss`
    """
    from assistant.capacity import headroom
    from assistant.capacity.units import parse_rate

    overrides = {}
    if peak:
        overrides["peak_rps"] = parse_rate(peak, "--peak")
    if limit:
        overrides["limit_rps"] = parse_rate(limit, "--limit")
    with open_library() as lib:
        result = headroom(lib, service, max_age_days=max_age, overrides=overrides, target_utilization=target,
                          survive_region_loss=survive)
    print_json(result) if as_json else render(result)


@app.command("ask")
def ask_cmd(
    question: str = typer.Argument(..., help='e.g. "can checkout take 3x Black Friday?"'),
    max_age: int = typer.Option(365, "--max-age", help="Days after which a figure is stale."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """A capacity question in words: finds the service and multiplier, then runs the numbers.

    With a model configured (ARCHIE_LLM), a tool-calling chain over the calculators phrases the
    answer; any number it states that no tool or document gave is removed.

    Example: `archie capacity ask "can checkout take 3x Black Friday?"`
    """
    from assistant.capacity import answer

    with open_library() as lib:
        out = answer(lib, question, max_age_days=max_age)
    if as_json:
        print_json(out)
        return
    if out.fallback:
        console.print(Text(f"Note: {out.fallback}.", style="magenta"))
    console.print(Text(out.text, style="bold"))
    for r in out.rejected:
        console.print(Text(f"removed (numbers no tool or document gave): {r}", style="dim red"))
    if out.result is not None:
        render(out.result)
