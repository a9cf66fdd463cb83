"""Charts (matplotlib, PNG) and the self-contained HTML report of incident trends."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.incidents import Trends

SEV_COLOURS = {"SEV1": "#b2182b", "SEV2": "#ef8a62", "SEV3": "#67a9cf", "SEV4": "#d1e5f0", "unknown": "#bbbbbb"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")  # no display, ever
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def _figure(width: float, height: float) -> Iterator[tuple[Any, Any]]:
    """A figure and its axes, closed however drawing ends: pyplot keeps every open figure
    alive, so one that failed half-way would leak for the life of the process."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    try:
        yield fig, ax
    finally:
        plt.close(fig)


def _save(fig, ax, path: Path, rotate: bool = True) -> Path:
    if rotate:
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    return path


def _nothing_to_draw(fig, ax, path: Path, title: str, why: str) -> Path:
    """An honest chart for a range with no data: the title and a sentence, no empty axes."""
    ax.set_title(title)
    ax.text(0.5, 0.5, why, transform=ax.transAxes, ha="center", va="center", fontsize=11, color="#555")
    ax.set_xticks([])
    ax.set_yticks([])
    return _save(fig, ax, path, rotate=False)


def _headroom(ax, top: float) -> None:
    # 0..0 is a matplotlib warning (identical limits); a zero-only chart still needs a y range
    ax.set_ylim(0, top * 1.25 if top > 0 else 1)


NO_INCIDENTS = "no incidents in this range"


def incidents_by_severity(t: Trends, path: Path) -> Path:
    periods = [p.period for p in t.periods]
    title = f"Incidents per {t.by}, by severity"
    with _figure(max(6, 0.55 * len(periods) + 2), 4) as (fig, ax):
        if not any(p.incidents for p in t.periods):
            return _nothing_to_draw(fig, ax, path, title, NO_INCIDENTS)
        bottom = [0] * len(periods)
        for sev in ("SEV1", "SEV2", "SEV3", "SEV4", "unknown"):
            vals = [p.by_severity.get(sev, 0) for p in t.periods]
            if any(vals):
                ax.bar(periods, vals, bottom=bottom, label=sev, color=SEV_COLOURS[sev], edgecolor="white", linewidth=0.5)
                bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        ax.set_title(title)
        ax.set_ylabel("incidents")
        if ax.get_legend_handles_labels()[0]:  # a legend with no entries is a matplotlib warning
            ax.legend(frameon=False, ncols=5, loc="upper left", fontsize=8)
        _headroom(ax, max(bottom))
        return _save(fig, ax, path)


def mttr_per_period(t: Trends, path: Path) -> Path:
    pts = [(p.period, p.mttr.median, p.mttr.count) for p in t.periods]
    title = f"MTTR per {t.by} (median, {t.mttr_definition}, minutes)"
    with _figure(max(6, 0.55 * len(pts) + 2), 4) as (fig, ax):
        if not pts:
            return _nothing_to_draw(fig, ax, path, title, NO_INCIDENTS)
        if all(y is None for _, y, _ in pts):
            return _nothing_to_draw(fig, ax, path, title, "no incident in this range states the times MTTR needs")
        xs = [x for x, _, _ in pts]
        ys = [y if y is not None else float("nan") for _, y, _ in pts]
        ax.plot(xs, ys, marker="o", color="#2166ac")
        for x, y, n in pts:
            if y is not None:
                ax.annotate(f"n={n}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7, color="#555")
        ax.set_title(title)
        ax.set_ylabel("minutes")
        _headroom(ax, max(y for _, y, _ in pts if y is not None))
        return _save(fig, ax, path)


def top_causes(t: Trends, path: Path, top: int = 8) -> Path:
    cl = t.clusters[:top][::-1]
    title = "Top recurring causes (clusters of root causes)"
    with _figure(8, 0.45 * max(len(cl), 1) + 1.5) as (fig, ax):
        if not cl:
            why = NO_INCIDENTS if not t.incidents else "no recurring causes in this range"
            return _nothing_to_draw(fig, ax, path, title, why)
        ax.barh([c.name for c in cl], [len(c.incidents) for c in cl], color="#4393c3")
        ax.set_title(title)
        ax.set_xlabel("incidents")
        ax.tick_params(axis="y", labelsize=8)
        return _save(fig, ax, path, rotate=False)


def render_charts(t: Trends, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [incidents_by_severity(t, out_dir / "incidents-by-severity.png"),
            mttr_per_period(t, out_dir / "mttr.png"), top_causes(t, out_dir / "top-causes.png")]


def html_report(t: Trends, pngs: list[Path]) -> str:
    def img(p: Path) -> str:
        data = base64.b64encode(p.read_bytes()).decode()
        return f'<img alt="{html.escape(p.stem)}" src="data:image/png;base64,{data}">'

    rows = "".join(
        f"<tr><td>{p.period}</td><td>{p.incidents}</td><td>{p.mttd.median if p.mttd.median is not None else '—'}</td>"
        f"<td>{p.mttr.median if p.mttr.median is not None else '—'}</td><td>{p.mttr.count}</td>"
        f"<td>{html.escape(', '.join(p.ids))}</td></tr>" for p in t.periods)
    clusters = "".join(f"<li><b>{html.escape(c.name)}</b>: {html.escape(', '.join(c.incidents))}</li>" for c in t.clusters)
    repeats = "".join(f"<li>{r.earlier} → {r.later} ({r.cause_category}, {', '.join(r.services)}, {r.days_apart} days)</li>"
                      for r in t.repeats)
    recur = "".join(f"<li>{r.later} matches {r.earlier}'s open item “{html.escape(r.action_item)}”</li>"
                    for r in t.actions.recurrences)
    return f"""<!doctype html><html lang="en"><meta charset="utf-8"><title>Incident trends</title>
<style>body{{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}}img{{max-width:100%}}</style>
<h1>Incident trends</h1><p>{html.escape(t.summary)}</p>
{''.join(img(p) for p in pngs)}
<h2>Per {t.by}</h2><p>MTTR = {t.mttr_definition}; MTTD = {t.mttd_definition}; minutes.</p>
<table><tr><th>period</th><th>incidents</th><th>MTTD median</th><th>MTTR median</th><th>n</th><th>postmortems</th></tr>{rows}</table>
<h2>Recurring causes</h2><ul>{clusters}</ul><h2>Repeat incidents</h2><ul>{repeats or '<li>none</li>'}</ul>
<h2>Open action items that recurred</h2><ul>{recur or '<li>none</li>'}</ul>
<p>Change-related incidents: {t.change_related} of {t.with_known_trigger}. Action items: {t.actions.open} open, {t.actions.closed} closed.</p>
</html>"""
