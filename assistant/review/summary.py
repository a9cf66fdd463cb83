"""Several reviews as one report: a Markdown summary (the pull-request comment) and one SARIF
2.1.0 log with a single run covering every file (what GitHub code scanning wants per upload).

The summary starts with ``MARKER``, a hidden HTML comment by which ``archie ci comment`` finds
and updates its own comment instead of adding one per push.
"""

from __future__ import annotations

import re
from typing import Any

from assistant import __version__
from assistant.review.batch import ReviewSet
from assistant.review.render import markdown, sarif

MARKER = "<!-- archie-review -->"
NOTHING_REVIEWED = "<!-- archie-review: nothing reviewed -->"
_SHA = re.compile(r"\b([0-9a-f]{12})[0-9a-f]{28}\b")  # full commit hashes are shown as 12 characters

__all__ = ["MARKER", "NOTHING_REVIEWED", "sarif_set", "summary_markdown"]


def _counts(c: dict[str, int]) -> str:
    return f"{c['high']} high, {c['medium']} medium, {c['low']} low, {c['info']} info"


def _demote(md: str) -> str:
    """A single review's Markdown one heading level down, under the summary's heading."""
    return "\n".join("#" + line if line.startswith("###") else line for line in md.splitlines())


def summary_markdown(rs: ReviewSet) -> str:
    """One Markdown summary: totals, a table of files with their verdicts, each file's findings,
    and what was not reviewed and why."""
    change = _SHA.sub(lambda m: m.group(1), rs.change or "")
    what = f" in `{change}`" if change else ""
    n = len(rs.reviews)
    out = [MARKER]
    if not n:
        out += [NOTHING_REVIEWED, f"### archie review: no design docs or ADRs changed{what}", ""]
    else:
        out += [f"### archie review: {n} design doc{'s' * (n != 1)} / ADR{'s' * (n != 1)}{what}", "",
                f"**{rs.verdict}** · {_counts(rs.counts)}", ""]
        out += ["| file | verdict | high | medium | low | info |", "|---|---|--:|--:|--:|--:|"]
        for r in rs.reviews:
            c = r.counts
            out.append(f"| `{r.path}` | {r.verdict.split(';')[0]} | {c['high']} | {c['medium']} | {c['low']} | {c['info']} |")
        out.append("")
        for r in rs.reviews:
            body = _demote(markdown(r)).replace(f"#### archie review: {r.title or r.path}",
                                                f"#### `{r.path}`: {r.title or r.path}", 1)
            out += [body, ""]
    notable = [s for s in rs.skipped if s.why in ("ignored", "unreadable")]
    if notable:
        out += ["<details><summary>Not reviewed</summary>", ""]
        out += [f"- `{s.path}`: {s.reason}" for s in notable]
        out += ["", "</details>", ""]
    others = len(rs.skipped) - len(notable)
    foot = [f"archie {__version__}"]
    if others:
        foot.append(f"{others} other changed file{'s' * (others != 1)} not design docs or ADRs")
    hidden = sum(r.hidden for r in rs.reviews)
    if hidden:
        foot.append(f"{hidden} low-confidence finding{'s' * (hidden != 1)} hidden")
    if rs.config:
        foot.append(f"config `{rs.config}`")
    out.append(f"<sub>{' · '.join(foot)}</sub>")
    return "\n".join(out).rstrip() + "\n"


def sarif_set(rs: ReviewSet) -> dict[str, Any]:
    """One SARIF log, one run, every file's results; rules deduplicated across files."""
    logs = [sarif(r, r.path) for r in rs.reviews]
    base = sarif(_empty(rs)) if not logs else logs[0]
    run = base["runs"][0]
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for log in logs:
        own = log["runs"][0]["tool"]["driver"]["rules"]
        for res in log["runs"][0]["results"]:
            rule = own[res["ruleIndex"]]
            rules.setdefault(rule["id"], rule)
            results.append({**res, "ruleIndex": list(rules).index(rule["id"])})
    run["tool"]["driver"]["rules"] = list(rules.values())
    run["results"] = results
    run["properties"] = {
        "verdict": rs.verdict, "change": rs.change or "",
        "files": [{"uri": r.path, "verdict": r.verdict, "counts": r.counts} for r in rs.reviews],
    }
    return base


def _empty(rs: ReviewSet) -> Any:
    from assistant.review.model import Review

    return Review(path="", title="", verdict=rs.verdict, counts={}, findings=[], changes_system=False, people_data=False)
