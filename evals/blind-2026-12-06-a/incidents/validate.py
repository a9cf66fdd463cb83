#!/usr/bin/env python3
"""Validate expected.yaml against the documents in this set.

Checks: YAML parses; required fields; zone and cause valid; every non-null
event is ISO 8601 with a +00:00 offset and has a quote; every quote and every
action-item text is an exact substring of a single line of its document;
event ordering; action-item counts and statuses; closed_by references a later
document that names the earlier postmortem.
"""
import os, re, sys, datetime as dt
from zoneinfo import ZoneInfo
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CAUSES = {"config-change", "deploy", "capacity", "dependency", "certificate-expiry",
          "data-migration", "hardware", "time", "security", "retry-storm", "cache", "other"}
DURS = {"impact", "time to detect", "time to mitigate", "time to resolve", "outage", "degraded"}
STATUSES = {"open", "done", "in progress"}
EVENTS = ("started", "detected", "mitigated", "resolved")
# documents that explicitly say detection came before customer impact
DETECTED_BEFORE_START_OK = set(sys.argv[1:])

errors, warnings = [], []
def err(m): errors.append(m)
def warn(m): warnings.append(m)

with open(os.path.join(HERE, "expected.yaml")) as f:
    key = yaml.safe_load(f)
assert isinstance(key, list), "expected.yaml must be a list"

def load(rel):
    with open(os.path.join(HERE, rel), encoding="utf-8") as f:
        return f.read()

# ids of every document in the set (postmortems + followups)
doc_ids = {}
for sub in ("postmortems", "followups"):
    for name in sorted(os.listdir(os.path.join(HERE, sub))):
        text = load(f"{sub}/{name}")
        head = "\n".join(text.splitlines()[:12])
        m = re.search(r"\b((?:PIR|ADR|IR|AMT|NB)[-/][0-9A-Z/-]*[0-9])\b", head)
        if m:
            doc_ids[m.group(1)] = (f"{sub}/{name}", text)

def closer_date(text):
    """First date in the opening lines of a document, in any of the forms used."""
    head = "\n".join(text.splitlines()[:12])
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", head)
    if m:
        return dt.date(*map(int, m.groups()))
    m = re.search(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", head)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.search(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})", head)
    if m:
        return dt.datetime.strptime(" ".join(m.groups()), "%d %B %Y").date()
    return None

seen_docs = set()
for e in key:
    d = e.get("doc", "?")
    where = f"[{d}]"
    for k in ("doc", "id", "date", "zone", "cause", "events", "quotes", "durations_stated", "action_items"):
        if k not in e:
            err(f"{where} missing field {k}")
    if d in seen_docs:
        err(f"{where} duplicate entry")
    seen_docs.add(d)
    try:
        text = load(d)
    except FileNotFoundError:
        err(f"{where} document not found"); continue
    lines = text.splitlines()
    head = "\n".join(lines[:15])
    if str(e["id"]) not in head:
        err(f"{where} id {e['id']} not in the first lines")
    try:
        date = dt.date.fromisoformat(str(e["date"]))
    except ValueError:
        err(f"{where} bad date {e['date']}"); date = None
    if date and str(date.year) not in head:
        err(f"{where} year of date not in the first lines")
    try:
        if e["zone"] != "UTC":
            ZoneInfo(e["zone"])
    except Exception:
        err(f"{where} bad zone {e['zone']}")
    if e["cause"] not in CAUSES:
        err(f"{where} bad cause {e['cause']}")

    ev, qs = e["events"] or {}, e["quotes"] or {}
    if set(ev) != set(EVENTS):
        err(f"{where} events must have exactly {EVENTS}")
    parsed = {}
    for k in EVENTS:
        v = ev.get(k)
        if v is None:
            if k in qs:
                err(f"{where} quote given for null event {k}")
            continue
        if not isinstance(v, str) or not v.endswith("+00:00"):
            err(f"{where} {k} not an ISO string ending +00:00: {v!r}")
            continue
        try:
            t = dt.datetime.fromisoformat(v)
            assert t.utcoffset() == dt.timedelta(0)
            parsed[k] = t
        except Exception:
            err(f"{where} {k} unparsable: {v}")
        q = qs.get(k)
        if not q:
            err(f"{where} no quote for {k}")
            continue
        hits = [i for i, ln in enumerate(lines) if q in ln]
        if not hits:
            err(f"{where} quote for {k} not found in a single line: {q!r}")
        elif len(hits) > 1:
            warn(f"{where} quote for {k} occurs on {len(hits)} lines")
        if date and k == "started" and abs((parsed.get(k, dt.datetime.combine(date, dt.time(), dt.timezone.utc)).date() - date).days) > 1:
            warn(f"{where} started is more than a day from the document date")
    for extra in set(qs) - set(EVENTS):
        err(f"{where} unknown quote key {extra}")

    def le(a, b):
        if a in parsed and b in parsed and parsed[a] > parsed[b]:
            if (a, b) == ("started", "detected") and d in DETECTED_BEFORE_START_OK:
                return
            err(f"{where} {a} {parsed[a]} is after {b} {parsed[b]}")
    for a, b in (("started", "detected"), ("started", "mitigated"), ("started", "resolved"),
                 ("detected", "mitigated"), ("detected", "resolved"), ("mitigated", "resolved")):
        le(a, b)

    for du in e["durations_stated"] or []:
        if du.get("what") not in DURS:
            err(f"{where} bad duration kind {du.get('what')}")
        if not isinstance(du.get("minutes"), int) or du["minutes"] <= 0:
            err(f"{where} bad minutes {du.get('minutes')}")
        if not isinstance(du.get("approximate"), bool):
            err(f"{where} approximate must be a bool")

    ais = e["action_items"] or []
    if d.startswith("postmortems/") and not 2 <= len(ais) <= 5:
        err(f"{where} {len(ais)} action items (want 2-5)")
    for idx, ai in enumerate(ais, 1):
        t = ai.get("text", "")
        hit = [ln for ln in lines if t and t in ln]
        if len(hit) != 1:
            err(f"{where} action item text found on {len(hit)} lines: {t!r}")
            continue
        if ai.get("status") not in STATUSES:
            err(f"{where} bad status {ai.get('status')}")
        elif ai["status"] not in hit[0].lower():
            err(f"{where} status {ai['status']!r} not on the action item's line: {hit[0]!r}")
        cb = ai.get("closed_by")
        if cb is not None:
            if cb not in doc_ids:
                err(f"{where} closed_by {cb} is not a document in this set")
            else:
                cpath, ctext = doc_ids[cb]
                if cpath == d:
                    err(f"{where} closed_by points at itself")
                if str(e["id"]) not in ctext:
                    err(f"{where} closer {cb} does not mention {e['id']}")
                pat = rf"(action item|measure)\s+{idx}\s+(of|from)\s+{re.escape(str(e['id']))}"
                if not re.search(pat, ctext, re.I):
                    err(f"{where} closer {cb} does not name item {idx} of {e['id']}")
                cdate = closer_date(ctext)
                if cdate is None:
                    warn(f"{where} could not read the date of closer {cb}")
                elif date and cdate <= date:
                    err(f"{where} closer {cb} dated {cdate}, not after {date}")

for w in warnings:
    print("WARN ", w)
for m in errors:
    print("ERROR", m)
n_pm = sum(1 for e in key if e["doc"].startswith("postmortems/"))
print(f"{len(key)} entries ({n_pm} in postmortems/), {len(errors)} errors, {len(warnings)} warnings")
sys.exit(1 if errors else 0)
