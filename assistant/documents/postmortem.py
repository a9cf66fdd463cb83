"""Postmortems: fields from front matter when present, else from sections, tables and prose.

A field that the text does not state stays ``None``. ``PostmortemFields.sources`` records
where each field was read (front matter, timeline, text, lexicon).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from assistant import vocab
from assistant.documents.common import as_list, key_values, parse_date, parse_datetime
from assistant.documents.markdown import ParsedMarkdown, list_items, tables
from assistant.models import ActionItem, PostmortemFields, Section

_SEV = re.compile(r"\bSEV[- ]?([0-5])\b", re.I)
_SEV_WORDS = re.compile(r"\bseverity\s*(?:level\s*)?[:=]?\s*\**\s*(?:SEV[- ]?)?([0-5])\b", re.I)
_TIME = re.compile(r"^\**\s*(\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}|\d{1,2}:\d{2})(?::\d{2})?\s*(?:UTC|Z)?\**")
_DURATION = re.compile(
    r"\b(?:duration|lasted|total (?:outage|impact)(?: time)?|outage of)\b[^.\n\d]{0,30}?"
    r"(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|m)\b(?:\s*(?:and\s*)?(\d+)\s*(minutes?|mins?|m)\b)?",
    re.I,
)
_PEAK = re.compile(
    r"\bpeak(?:ed|ing)?\s+(?:at|of)\s+(?:about\s+|around\s+|roughly\s+|~)?([\d][\d,.]*)\s*(k)?\s*"
    r"(?:rps|req/s|requests?/s(?:ec)?|requests per second)\b",
    re.I,
)
_TASK = re.compile(r"^\[( |x|X)\]\s*(.*)$")
_OWNER = re.compile(r"\((?:owner|owned by|assignee)\s*[:=]?\s*([^)]+)\)\s*$", re.I)
_REF = re.compile(r"\b(ADR-\d{4}|PM-\d{3,4})\b")
_SERVICE_KEYS = ("services affected", "affected services", "services", "service", "affected systems")


def _patterns(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")", re.I)


@lru_cache(maxsize=64)
def _compiled(group: str, label: str) -> re.Pattern[str]:
    return _patterns(getattr(vocab.postmortems(), group)[label])


def classify(group: str, text: str) -> str | None:
    """The lexicon label of ``group`` with the most matches in ``text``; None if none or tied."""
    if not text:
        return None
    scores = {label: len(_compiled(group, label).findall(text)) for label in getattr(vocab.postmortems(), group)}
    best = max(scores.values())
    if best == 0:
        return None
    winners = [k for k, v in scores.items() if v == best]
    return winners[0] if len(winners) == 1 else None


_TRIGGER_LABEL = re.compile(
    r"^\W*(?:(?:an?|the|classified as|trigger(?:ed)?(?: by)?|type)\s*:?\s+)*"
    r"(deploy|deployment|release|config(?:uration)?|capacity|load|dependency|third[- ]party|other)\b",
    re.I,
)
_TRIGGER_WORDS = {"deployment": "deploy", "release": "deploy", "configuration": "config", "load": "capacity",
                  "third-party": "dependency", "third party": "dependency"}


def trigger_from_text(text: str | None) -> tuple[str | None, str]:
    """The trigger type a sentence names ("A deploy: ...", "Dependency failure: ..."), else the lexicon's."""
    if not text:
        return None, ""
    m = _TRIGGER_LABEL.match(text)
    if m:
        word = m.group(1).lower()
        return _TRIGGER_WORDS.get(word, word), "text"
    label = classify("trigger", text)
    return label, "lexicon" if label else ""


def cause_from(trigger: str | None, title: str | None, root_cause: str | None, trigger_text: str | None) -> str | None:
    """Mechanism first (a retry storm or replica lag the text shows), else what the trigger implies."""
    lex = vocab.postmortems()
    mech = lex.cause_mechanisms
    weighted = " ".join([title or ""] * 3 + [root_cause or "", trigger_text or ""])
    neg = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in mech.negations) + r")\b[^.]{0,25}$", re.I)

    def count(name: str) -> int:
        pat = _patterns(mech.labels[name])
        return sum(1 for m in pat.finditer(weighted) if not neg.search(weighted[max(0, m.start() - 40) : m.start()]))

    hits = {name: count(name) for name in ("replica-lag", "retry-storm", "cert-expiry")}
    if trigger == "other" or trigger is None:
        if hits["cert-expiry"] >= mech.min_hits:
            return "cert-expiry"
        return "other" if trigger == "other" else None
    if hits["replica-lag"] >= mech.min_hits and hits["replica-lag"] >= hits["retry-storm"]:
        return "replica-lag"
    if hits["retry-storm"] >= mech.min_hits:
        return "retry-storm"
    return lex.cause_from_trigger.get(trigger)


def normalise_severity(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    m = re.search(r"(?:SEV|P|S)?[- ]?([0-5])\b", text, re.I)
    return f"SEV{m.group(1)}" if m else None


def normalise_item_status(value: Any) -> str | None:
    if value is None:
        return None
    v = str(value).strip().lower()
    if v in {"closed", "done", "complete", "completed", "fixed", "resolved", "x", "won't do", "wont do", "won't fix", "cancelled"}:
        return "closed"
    if v in {"open", "todo", "to do", "in progress", "in-progress", "planned", "blocked", "not started", " ", ""}:
        return "open"
    return None


def _find_section(sections: list[Section], *names: str) -> Section | None:
    wanted = [n.lower() for n in names]
    for s in sections:
        h = s.heading.strip().lower().rstrip(":")
        if any(h == w or h.startswith(w) for w in wanted):
            return s
    return None


def _first_sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def _timeline(sections: list[Section], on: date | None) -> dict[str, datetime]:
    sec = _find_section(sections, "timeline")
    if sec is None:
        return {}
    rows: list[tuple[datetime, str]] = []
    current = on
    last: datetime | None = None
    candidates: list[tuple[str, str]] = []
    for table in tables(sec.text):
        for row in table[1:]:
            if len(row) >= 2:
                candidates.append((row[0], " ".join(row[1:])))
    for item in list_items(sec.text) + [ln.strip() for ln in sec.text.splitlines()]:
        m = _TIME.match(item.lstrip("-*+ ").strip())
        if m and not item.lstrip().startswith("|"):
            rest = item.lstrip("-*+ ").strip()[m.end():].lstrip(" -–—:|*")
            candidates.append((m.group(1), rest))
    seen: set[tuple[str, str]] = set()
    for when, event in candidates:
        if (when, event) in seen:
            continue
        seen.add((when, event))
        m = _TIME.match(when.strip())
        if not m:
            continue
        stamp = m.group(1)
        if re.match(r"\d{4}-", stamp):
            dt = parse_datetime(stamp)
            if dt:
                current = dt.date()
        else:
            dt = parse_datetime(stamp, on=current)
            if dt and last and dt < last - timedelta(minutes=1) and current:
                current = current + timedelta(days=1)
                dt = parse_datetime(stamp, on=current)
        if dt is None:
            continue
        rows.append((dt, event))
        last = dt
    out: dict[str, datetime] = {}
    lex = vocab.postmortems().timeline
    for field in ("started", "detected", "mitigated", "resolved"):
        pat = _patterns(lex[field])
        hits = [dt for dt, ev in rows if pat.search(ev)]
        if hits:
            out[field] = hits[-1] if field == "resolved" else hits[0]
    return out


def _cell(row: list[str], i: int | None) -> str | None:
    return row[i].strip() if i is not None and i < len(row) and row[i].strip() else None


def _action_items(fm: dict[str, Any], sections: list[Section]) -> list[ActionItem]:
    items: list[ActionItem] = []
    raw = fm.get("action_items") or fm.get("action-items") or fm.get("actions")
    if isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict):
                items.append(
                    ActionItem(
                        id=str(entry["id"]) if entry.get("id") is not None else None,
                        text=str(entry.get("text") or entry.get("action") or entry.get("title") or ""),
                        owner=str(entry["owner"]) if entry.get("owner") else None,
                        status=normalise_item_status(entry.get("status")),
                    )
                )
            else:
                items.append(ActionItem(text=str(entry)))
        return items
    sec = _find_section(sections, "action items", "action-items", "actions", "follow-ups", "follow ups", "remediation")
    if sec is None:
        return items
    for table in tables(sec.text):
        header = [h.lower() for h in table[0]]
        col = {
            "text": next((i for i, h in enumerate(header) if re.search(r"action|item|task|what|description", h)), 0),
            "owner": next((i for i, h in enumerate(header) if re.search(r"owner|who|assignee", h)), None),
            "status": next((i for i, h in enumerate(header) if re.search(r"status|state|done", h)), None),
            "id": next((i for i, h in enumerate(header) if h in {"id", "#", "ticket"}), None),
        }
        for row in table[1:]:
            text = _cell(row, col["text"])
            if text:
                items.append(ActionItem(text=text, owner=_cell(row, col["owner"]),
                                        status=normalise_item_status(_cell(row, col["status"])), id=_cell(row, col["id"])))
    if items:
        return items
    for entry in list_items(sec.text):
        m = _TASK.match(entry)
        status = None
        if m:
            status = "closed" if m.group(1).lower() == "x" else "open"
            entry = m.group(2)
        owner = None
        om = _OWNER.search(entry)
        if om:
            owner = om.group(1).strip()
            entry = entry[: om.start()].strip()
        if entry:
            items.append(ActionItem(text=entry, owner=owner, status=status))
    return items


def parse_postmortem(md: ParsedMarkdown, title: str | None, doc_date: date | None) -> tuple[PostmortemFields, date | None, list[str]]:
    """Return (fields, date, services)."""
    fm = md.front_matter
    sections = md.sections
    full_text = "\n".join(s.text for s in sections)
    kv: dict[str, str] = {}
    for s in sections[:3]:
        kv.update({k: v for k, v in key_values(s.text).items() if k not in kv})
    f = PostmortemFields()
    src = f.sources

    # date
    d = doc_date or parse_date(fm.get("date")) or parse_date(kv.get("date"))
    if d is None:
        start = fm.get("start_time") or fm.get("started")
        d = parse_date(start) if start else None
        if d:
            src["date"] = "frontmatter:start_time"

    # severity
    sev = normalise_severity(fm.get("severity")) if fm.get("severity") is not None else None
    if sev:
        src["severity"] = "frontmatter"
    else:
        m = _SEV.search((title or "") + "\n" + full_text) or _SEV_WORDS.search(full_text)
        if m:
            sev = f"SEV{m.group(1)}"
            src["severity"] = "text"
    f.severity = sev

    # services
    services = as_list(fm.get("services") or fm.get("service"))
    if services:
        src["services"] = "frontmatter"
    else:
        for key in _SERVICE_KEYS:
            if kv.get(key):
                services = as_list(re.sub(r"[`*_]", "", kv[key]).rstrip("."))
                src["services"] = "text"
                break
        if not services:
            for line in full_text.splitlines():
                m = re.match(r"^\s*(?:[-*]\s*)?\**(?:services affected|affected services)\**\s*:\**\s*(.+)$", line, re.I)
                if m:
                    services = as_list(re.sub(r"[`*_]", "", m.group(1)).rstrip("."))
                    src["services"] = "text"
                    break
    services = [s.lower().split(" (")[0].strip() for s in services]

    # times
    for name, keys in {
        "started": ("started", "start_time", "start", "impact_start"),
        "detected": ("detected", "detected_at", "detection_time"),
        "mitigated": ("mitigated", "mitigated_at", "mitigation_time"),
        "resolved": ("resolved", "resolved_at", "end_time", "ended", "end"),
    }.items():
        for k in keys:
            if fm.get(k):
                value = parse_datetime(fm[k], on=d)
                if value:
                    setattr(f, name, value)
                    src[name] = f"frontmatter:{k}"
                    break
    timeline = _timeline(sections, d)
    for name, value in timeline.items():
        if getattr(f, name) is None:
            setattr(f, name, value)
            src[name] = "timeline"
    if f.detected is None:
        m = re.search(r"\bdetected at\s+(\d{1,2}:\d{2})", full_text, re.I)
        if m and d:
            f.detected = parse_datetime(m.group(1), on=d)
            src["detected"] = "text"
    if d is None and f.started:
        d = f.started.date()
        src.setdefault("date", "started")

    # duration: stated minutes, else front-matter start/end, else a stated duration, else timeline
    m = _DURATION.search(full_text)
    fm_span = src.get("started", "").startswith("frontmatter") and src.get("resolved", "").startswith("frontmatter")
    if fm.get("duration_minutes") is not None:
        f.duration_minutes = float(fm["duration_minutes"])
        src["duration_minutes"] = "frontmatter"
    elif fm_span and f.started and f.resolved and f.resolved >= f.started:
        f.duration_minutes = (f.resolved - f.started).total_seconds() / 60
        src["duration_minutes"] = "frontmatter:started-to-resolved"
    elif m:
        qty = float(m.group(1))
        mins = qty * 60 if m.group(2).lower().startswith("h") else qty
        if m.group(3):
            mins += float(m.group(3))
        f.duration_minutes = mins
        src["duration_minutes"] = "text"
    elif f.started and f.resolved and f.resolved >= f.started:
        f.duration_minutes = (f.resolved - f.started).total_seconds() / 60
        src["duration_minutes"] = "started-to-resolved"

    # trigger, root cause, category
    trig_sec = _find_section(sections, "trigger")
    f.trigger_text = str(fm.get("trigger_text") or "") or (
        _first_sentence(trig_sec.text) if trig_sec and trig_sec.text.strip() else None
    )
    rc_sec = _find_section(sections, "root cause", "root causes", "what happened and why", "cause")
    f.root_cause = str(fm["root_cause"]) if fm.get("root_cause") else (
        rc_sec.text.strip() if rc_sec and rc_sec.text.strip() else None
    )
    if fm.get("summary") and not f.root_cause:
        f.root_cause = str(fm["summary"])
    if fm.get("trigger"):
        f.trigger = str(fm["trigger"]).strip().lower()
        src["trigger"] = "frontmatter"
    else:
        f.trigger, how = trigger_from_text(f.trigger_text)
        if f.trigger:
            src["trigger"] = how
    if fm.get("cause_category"):
        f.cause_category = str(fm["cause_category"]).strip().lower()
        src["cause_category"] = "frontmatter"
    else:
        f.cause_category = cause_from(f.trigger, title, f.root_cause, f.trigger_text)
        if f.cause_category:
            src["cause_category"] = "derived"
    cf = _find_section(sections, "contributing factors", "contributing factor")
    if isinstance(fm.get("contributing_factors"), list):
        f.contributing_factors = [str(x) for x in fm["contributing_factors"]]
    elif cf:
        f.contributing_factors = list_items(cf.text) or ([cf.text.strip()] if cf.text.strip() else [])

    f.action_items = _action_items(fm, sections)
    f.categories = as_list(fm.get("categories"))
    m = _PEAK.search(full_text)
    if m:
        value = float(m.group(1).replace(",", ""))
        f.peak_rps = value * 1000 if m.group(2) else value
    refs = as_list(fm.get("related")) + _REF.findall(full_text)
    f.related = list(dict.fromkeys(r for r in refs if r))
    return f, d, services
