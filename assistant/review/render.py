"""A review as Markdown (a pull-request comment) and as SARIF 2.1.0 (GitHub code scanning puts
each finding on its line of the doc)."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any

from assistant import __version__
from assistant.review.model import RANK, Finding, Review

_LEVEL = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
_SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "2.0", "info": "0.0"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _refs(f: Finding) -> str:
    return "; ".join(f"{r.doc_id} §{r.section} ({r.status if r.kind == 'adr' else r.kind}, {r.date or 'undated'})"
                     + (f" “{r.quote[:140]}”" if r.quote else "") for r in f.references)


def markdown(r: Review) -> str:
    c = r.counts
    out = [f"### archie review: {r.title or r.path}", "",
           f"**{r.verdict}** · {c['high']} high, {c['medium']} medium, {c['low']} low, {c['info']} info", ""]
    for note in r.notes:
        out += [f"> {note}", ""]
    if r.narrative:
        out += ["**Model critique** (guard-checked):", "", r.narrative, ""]
    for sev in ("high", "medium", "low", "info"):
        group = [f for f in r.findings if f.severity == sev]
        if not group:
            continue
        fold = sev in ("low", "info")
        out.append(f"<details><summary>{sev.capitalize()} ({len(group)})</summary>\n" if fold else f"#### {sev.capitalize()} ({len(group)})\n")
        for f in group:
            where = f"L{f.line_start}" + (f"–{f.line_end}" if f.line_end != f.line_start else "")
            tag = " · _model_" if f.source == "model" else ""
            out.append(f"- **{where}** · `{f.category}`{tag} · {f.problem} {f.suggestion}")
            if f.evidence:
                out.append(f"  > {f.evidence.strip()[:200]}")
            if f.references:
                out.append(f"  Precedent: {_refs(f)}")
        out.append("\n</details>\n" if fold else "")
    if not r.findings:
        out.append("No findings.")
    return "\n".join(out).rstrip() + "\n"


def _rule_name(rule: str) -> str:
    return "".join(p.capitalize() for part in rule.split("/") for p in part.replace("-", "_").split("_"))


def sarif(r: Review, uri: str | None = None) -> dict[str, Any]:
    """One run, one result per finding, rules deduplicated; ``uri`` is the doc's path relative to
    the repository root (defaults to the review's path)."""
    target = PurePosixPath(str(uri or r.path).replace("\\", "/")).as_posix().lstrip("./") or "draft.md"
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for f in r.findings:
        if f.rule not in rules:
            props: dict[str, Any] = {"tags": ["design-review", f.category], "precision": "medium"}
            if f.category == "security":
                props["security-severity"] = _SECURITY_SEVERITY[f.severity]
            rules[f.rule] = {
                "id": f.rule, "name": _rule_name(f.rule),
                "shortDescription": {"text": f"{f.category}: {f.rule.split('/', 1)[-1]}"},
                "fullDescription": {"text": f.problem},
                "help": {"text": f.suggestion},
                "defaultConfiguration": {"level": _LEVEL[f.severity]},
                "properties": props,
            }
        text = f"{f.problem} {f.suggestion}"
        if f.references:
            text += f" Precedent: {_refs(f)}"
        fp = hashlib.sha256(f"{f.rule}|{f.evidence or ''}".encode()).hexdigest()[:32]
        results.append({
            "ruleId": f.rule, "ruleIndex": list(rules).index(f.rule), "level": _LEVEL[f.severity],
            "message": {"text": text},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": target},
                "region": {"startLine": max(1, f.line_start), "endLine": max(1, f.line_end, f.line_start)},
            }}],
            "partialFingerprints": {"archieFinding/v1": fp},
            "properties": {"severity": f.severity, "category": f.category, "source": f.source,
                           "references": [x.model_dump(mode="json") for x in f.references]},
        })
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "archie", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://github.com/archie-review/archie",
                                "rules": list(rules.values())}},
            "automationDetails": {"id": "archie/review/"},
            "results": results,
            "properties": {"verdict": r.verdict, "precedentCoverage": r.precedent_coverage},
        }],
    }


def sort_key(f: Finding) -> tuple[int, int]:
    return (-RANK[f.severity], f.line_start)
