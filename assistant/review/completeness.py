"""Completeness: the sections a design doc needs, matched against the names real documents give
them (``data/review_sections.yaml``). What is required depends on what the doc proposes: a doc
that adds no service, datastore or traffic is not faulted for lacking SLOs or a capacity estimate.
A section that is empty or a placeholder counts as missing; ``TBD`` inside a written section is a
deferred decision."""

from __future__ import annotations

import re

from assistant.models import Section
from assistant.review.draft import Draft, Findings
from assistant.review.vocab import rubric

_NUMBER = re.compile(r"\d")


def matches(heading: str, names: list[str]) -> bool:
    h = re.sub(r"^[\d.\s]+", "", heading.strip().lower())  # "13. Capacity"
    return any(re.search(rf"(?:^|\b){n}(?:\b|$)", h) for n in names)


def is_placeholder(text: str) -> bool:
    body = re.sub(r"[*_`>#\s]+", " ", text).strip().lower().rstrip(".")
    if not body:
        return True
    return any(re.fullmatch(p, body) for p in rubric().placeholders)


_NONE = re.compile(r"[*_\s]*none[.*_\s]*", re.I)
_LINK_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+\s*$", re.M)  # "[alternatives]: #alternatives"


def own_text(draft: Draft, section: Section) -> str:
    """A section's text plus its subsections' (a heading whose body is all in subsections is not
    empty), without Markdown link definitions."""
    out = [section.text]
    for s in draft.doc.sections:
        if len(s.path) > len(section.path) and s.path[: len(section.path)] == section.path:
            out.append(s.text)
    return _LINK_DEF.sub("", "\n".join(out)).strip()


def scope(draft: Draft) -> dict[str, bool]:
    """What the doc does, which decides what it must contain."""
    r = rubric()
    rollout = any(s.heading and matches(s.heading, ["rollout", "roll-out", "deployment plan", "launch plan", "release plan"])
                  for s in draft.doc.sections)
    return {
        # a doc that plans a rollout changes a running system, whatever words it uses
        "changes-system": rollout or sum(1 for w in r.changes_system if re.search(rf"\b{w}\b", draft.low)) >= r.changes_system_min,
        "people-data": any(re.search(rf"\b{w}", draft.low) for w in r.people_data),
        "migrates-data": any(re.search(w, draft.low) for w in r.migrates_data),
        "always": True,
    }


def check(draft: Draft, out: Findings, applies: dict[str, bool]) -> None:
    r = rubric()
    headed = [s for s in draft.doc.sections if s.heading]
    reported: set[int] = set()
    for name, spec in r.sections.items():
        if not applies[spec.when]:
            continue
        found = [s for s in headed if matches(s.heading, spec.names)]
        label = {"slo": "SLOs"}.get(name, name.replace("_", " "))
        rule = f"completeness/{name}"
        if not found:
            shown = [n.replace("[- ]", "-").replace("?", "") for n in spec.names if "(" not in n][:4]
            out.add(spec.severity, "completeness", rule, 1, 1, f"No {label} section.",
                    f"Add a section on {label} (headings that count include: {', '.join(shown)}).")
            continue
        said_none = [s for s in found if _NONE.fullmatch(own_text(draft, s))]
        filled = [s for s in found if not is_placeholder(own_text(draft, s)) or (spec.none_ok and s in said_none)]
        if not filled and said_none and spec.none_problem:
            s = said_none[0]  # the section is there and answers "none": a finding about its content, not its absence
            reported.add(s.line_start)
            out.add("medium", "completeness", f"{rule}/none", s.line_start, s.line_end, spec.none_problem,
                    spec.none_hint, own_text(draft, s)[:80])
            continue
        if not filled:
            s = found[0]
            reported.add(s.line_start)
            out.add(spec.severity, "completeness", rule, s.line_start, s.line_end,
                    f"The {label} section ({s.heading!r}) is empty or a placeholder.",
                    f"Write the {label} section, or say why it does not apply.", (own_text(draft, s) or "(empty)")[:80])
            continue
        body = "\n".join(own_text(draft, s) for s in filled)
        if spec.needs_number and not _NUMBER.search(body):
            s = filled[0]
            reported.add(s.line_start)
            out.add("medium", "completeness", rule, s.line_start, s.line_end,
                    f"The {label} section ({s.heading!r}) states no number.",
                    spec.number_hint or "State the target as a number and a window.", body.strip()[:100])
        if spec.needs and not re.search(spec.needs, body, re.I):
            s = filled[0]
            out.add("low", "completeness", f"{rule}/{spec.needs_rule}", s.line_start, s.line_end,
                    spec.needs_problem, spec.needs_hint, body.strip()[:100])
    for s in draft.doc.sections:
        if s.heading and s.text and is_placeholder(s.text) and not _NONE.fullmatch(s.text) \
                and s.line_start not in reported \
                and not any(f.line_start == s.line_start for f in out.items):
            reported.add(s.line_start)
            out.add("medium", "completeness", "completeness/placeholder", s.line_start, s.line_end,
                    f"Section {s.heading!r} is a placeholder.", "Fill it in or remove it.", s.text[:80])
    # a TBD inside an otherwise written section: the decision or figure is deferred
    for s in headed:
        if s.line_start in reported:
            continue
        for i in range(s.line_start + 1, min(s.line_end, len(draft.lines)) + 1):
            m = re.search(r"\b(?:TBD|TODO|TBA)\b", draft.lines[i - 1])
            if m and i not in draft.code_lines and not draft.lines[i - 1].lstrip().startswith("#"):
                out.add("medium", "completeness", "completeness/deferred", i, i,
                        f"Section {s.heading!r} leaves something {m.group(0)}.",
                        "Decide it or state the figure before review, or list it under open questions with an owner.",
                        draft.lines[i - 1].strip()[:120])
                break
