"""``archie incidents list | trends``: numbers computed by code, traceable to postmortems."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from assistant.cli.common import console, open_library, parse_day, print_json, settings
from assistant.errors import BadInputError

app = typer.Typer(help="Incident trends, repeat incidents and action items from postmortems.", no_args_is_help=True)


def _fmt(v: object) -> str:
    if v is None:
        return "[dim]missing[/]"
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    return str(v)


@app.command("list")
def list_cmd(
    since: str = typer.Option(None, "--since", help="YYYY-MM-DD"),
    until: str = typer.Option(None, "--until", help="YYYY-MM-DD"),
    service: str = typer.Option(None, "--service"),
    severity: str = typer.Option(None, "--severity", help="SEV1..SEV4"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """One row per postmortem with its parsed fields; what the text does not state shows as missing.

    Example: `archie incidents list --service checkout --since 2025-01-01`
    """
    from assistant.incidents import list_incidents

    with open_library() as lib:
        rows = list_incidents(lib, parse_day("--since", since), parse_day("--until", until), service, severity)
    if as_json:
        print_json(rows)
        return
    t = Table(show_edge=False)
    t.add_column("id", no_wrap=True)
    t.add_column("date", no_wrap=True)
    for col in ("sev", "services", "TTD min", "TTM min", "TTR min", "trigger", "cause", "actions open/closed"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.id, str(r.date or ""), r.severity or "[dim]missing[/]", ", ".join(r.services), _fmt(r.time_to_detect_min),
                  _fmt(r.time_to_mitigate_min), _fmt(r.time_to_resolve_min), r.trigger or "[dim]missing[/]",
                  r.cause_category or "[dim]missing[/]", f"{r.action_items_open}/{r.action_items_closed}")
    console.print(t)
    console.print(f"[dim]{len(rows)} incidents[/]")


@app.command("trends")
def trends_cmd(
    by: str = typer.Option("quarter", "--by", help="month | quarter"),
    mttr: str = typer.Option("started-to-resolved", "--mttr", help="started-to-resolved | detected-to-resolved | started-to-mitigated"),
    service: str = typer.Option(None, "--service"),
    since: str = typer.Option(None, "--since", help="YYYY-MM-DD"),
    until: str = typer.Option(None, "--until", help="YYYY-MM-DD"),
    window: int = typer.Option(90, "--repeat-window", help="Days within which the same cause and service is a repeat."),
    out: str = typer.Option(None, "--out", help="Write a self-contained HTML report (charts embedded) here; PNGs go beside it."),
    as_json: bool = typer.Option(False, "--json", help="Every figure with the postmortem ids behind it."),
) -> None:
    """Incidents per period by severity and service, MTTD / MTTR (median, mean, counts, change),
    repeat incidents, change-related share and action items.

    Example: `archie incidents trends --by quarter --mttr detected-to-resolved --json`
    """
    from assistant.incidents import trends

    if by not in ("month", "quarter"):
        raise BadInputError("--by", f"{by!r} is not month or quarter")
    if mttr not in ("started-to-resolved", "detected-to-resolved", "started-to-mitigated"):
        raise BadInputError("--mttr", f"unknown definition {mttr!r}",
                            "use started-to-resolved, detected-to-resolved or started-to-mitigated")
    with open_library() as lib:
        result = trends(lib, by, mttr, parse_day("--since", since), parse_day("--until", until), service, window)  # type: ignore[arg-type]
    for note in result.notes:
        console.print(f"[magenta]{note}[/]", highlight=False)
    if out:

        from assistant.incidents.charts import html_report, render_charts

        target = Path(out)
        pngs = render_charts(result, target.with_suffix("").parent / (target.stem + "-charts"))
        target.write_text(html_report(result, pngs), encoding="utf-8")
        console.print(f"[green]wrote[/] {target} and {len(pngs)} charts in {pngs[0].parent}")
    if as_json:
        print_json(result)
        return
    t = Table(title=f"Incidents per {by} (MTTR = {mttr}; MTTD = detected - started; minutes)", show_edge=False)
    for col in ("period", "incidents", "SEV1", "SEV2", "SEV3", "SEV4", "MTTD med", "MTTR med", "MTTR mean", "n", "missing", "Δ MTTR"):
        t.add_column(col, justify="right")
    for p in result.periods:
        s = p.by_severity
        t.add_row(p.period, str(p.incidents), *(str(s.get(k, 0)) for k in ("SEV1", "SEV2", "SEV3", "SEV4")),
                  _fmt(p.mttd.median), _fmt(p.mttr.median), _fmt(p.mttr.mean), str(p.mttr.count), str(len(p.mttr.missing)),
                  "" if p.mttr_median_change_pct is None else f"{p.mttr_median_change_pct:+.0f}%")
    console.print(t)
    share = "n/a" if result.change_related_share is None else f"{result.change_related_share:.0%}"
    console.print(f"Change-related (deploy or config): {result.change_related} of {result.with_known_trigger} ({share})")
    console.print(f"Repeat incidents (same cause and service within {result.repeat_window_days} days):")
    for r in result.repeats:
        console.print(f"  {r.earlier} -> {r.later}  {r.cause_category} on {', '.join(r.services)}, {r.days_apart} days apart")
    a = result.actions
    console.print(f"Action items: {a.open} open, {a.closed} closed" + (f", {a.unknown} without a status" if a.unknown else ""))
    for o in a.oldest_open:
        console.print(f"  oldest open: {o.incident} ({o.date}) {o.text} — {o.owner or 'no owner'}")
    for rec in a.recurrences:
        console.print(f"  [bold red]recurred[/]: {rec.later} matches {rec.earlier}'s open item “{rec.action_item}”")
    console.print("Recurring causes:")
    for c in result.clusters[:6]:
        console.print(f"  {c.name}: {', '.join(c.incidents)}")
    console.print()
    console.print(result.summary)


@app.command("similar")
def similar_cmd(
    description: str = typer.Argument(None, help="What happened, in a sentence or two."),
    file: str = typer.Option(None, "--file", help="A draft postmortem (Markdown) instead of a description."),
    k: int = typer.Option(5, "-k", help="How many incidents."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The past incidents most like this one, and why (shared cause, service, mechanism), cited.

    Example: `archie incidents similar "checkout errors after a feature flag was pushed to all pods"`
    """

    exclude = None
    services: list[str] = []
    if file:
        path = Path(file)
        if not path.is_file():
            raise BadInputError("--file", f"{file} is not a file")
        from assistant.documents import load_document

        doc, src = load_document(path, path.parent, settings())
        text = f"{doc.title}. {(doc.postmortem.root_cause if doc.postmortem else '') or src.text[:2000]}"
        services, exclude = doc.services, doc.id
    elif description and description.strip():
        text = description
    else:
        raise BadInputError("DESCRIPTION", "give a description or --file", "e.g. archie incidents similar \"cert expired on payments\"")
    from assistant.incidents import find_similar

    with open_library() as lib:
        matches = find_similar(lib, text, k, services, exclude)
    if as_json:
        print_json(matches)
        return
    for m in matches:
        console.print(f"[bold cyan]{m.id}[/] {m.title} [dim]({m.date}, similarity {m.similarity:.2f})[/]")
        console.print(f"   why: {m.why}")


@app.command("extract")
def extract_cmd(
    file: str = typer.Argument(..., help="A postmortem (Markdown or text)."),
    no_model: bool = typer.Option(False, "--no-model", help="Only what the parser reads."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """What archie reads from one postmortem, field by field, and where each came from.

    With a model configured, structured-output extraction fills fields the text leaves unstated
    (never overriding a stated one); those are marked "model".

    Example: `archie incidents extract corpus/postmortems/2024-04-29-global-timeout-push-checkout-outage.md`
    """

    from assistant.incidents.extract import extract

    out = extract(settings(), Path(file), use_model=not no_model)
    if as_json:
        print_json(out)
        return
    r = out.record
    t = Table(show_edge=False, title=f"{r.id}: {r.title}", title_justify="left")
    t.add_column("field")
    t.add_column("value")
    t.add_column("read from")
    for name in ("date", "severity", "services", "started", "detected", "mitigated", "resolved", "time_to_detect_min",
                 "time_to_mitigate_min", "time_to_resolve_min", "trigger", "cause_category"):
        value = getattr(r, name)
        shown = ", ".join(value) if isinstance(value, list) else value
        t.add_row(name, _fmt(shown) if shown not in ("", []) else "[dim]missing[/]", out.sources.get(name, ""))
    t.add_row("action items", f"{r.action_items_open} open, {r.action_items_closed} closed", "")
    console.print(t)
    if out.model_note:
        console.print(f"[yellow]{out.model_note}[/]")
