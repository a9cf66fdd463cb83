"""The document-only checks: pattern failure modes, trade-offs, STRIDE and secrets, hype. All the
vocabulary is data (``data/review_checks.yaml``); this module only applies it.

A mechanism's *stance* in a doc is one of: denied (the doc says it is not done, or states a belief
that makes it look unnecessary, such as "exactly once"), addressed, or absent. Denials are what
the precedent checks (ADR conflicts, incident repeats) build on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import vocab
from assistant.review.draft import Draft, Findings
from assistant.review.vocab import checklist
from assistant.text import sentence_at
from assistant.vocab import first_match

MAX_DENIALS_PER_MECHANISM = 3


@dataclass
class Denial:
    mechanism: str
    label: str
    line: int
    sentence: str
    pattern: str | None


@dataclass
class Stance:
    used: dict[str, int] = field(default_factory=dict)          # pattern -> first line it is used on
    denials: list[Denial] = field(default_factory=list)
    addressed: set[str] = field(default_factory=set)
    missing: list[tuple[str, str, int]] = field(default_factory=list)  # (pattern, mechanism, line)


_HISTORY = re.compile(r"\bPM-\d+\b|\bpostmortem\b|\bincident (?:was|in)\b", re.I)
_NEGATED = re.compile(r"\b(?:no|not|nothing|never|without|neither|nor|none)\b(?:\W+\w+){0,4}\W*$", re.I)


def negated(line: str, start: int) -> bool:
    """Whether the words just before ``start`` negate what follows ("nothing here introduces ...")."""
    return bool(_NEGATED.search(line[:start]))


def stance(draft: Draft) -> Stance:
    c = checklist()
    st = Stance()
    prose = draft.prose()
    title = draft.doc.title or ""
    # a pattern counts as used when the doc's proposal sections use it (a doc with no proposal
    # heading: anywhere outside alternatives); a mention elsewhere is context, not design
    proposing = [(i, line) for i, line in prose if not draft.in_context(i)] or prose
    for name, p in c.patterns.items():
        hits = [(i, m) for i, line in proposing for pat in p.uses for m in pat.finditer(line)]
        if first_match(p.uses, title) or len(hits) >= p.min_mentions:
            st.used[name] = min((i for i, _ in hits), default=1)
    mechs = c.mechanisms
    # denials count where the doc proposes; a doc's account of today's problems is not its design
    has_proposal = any(draft.in_proposal(i) for i, _ in prose)
    denial_lines = [(i, line) for i, line in prose if not (has_proposal and draft.in_context(i))]
    owner = {m: pn for pn, p in c.patterns.items() for m in p.modes}
    for mname, mech in mechs.items():
        only = mech.only_with or (None if mech.standalone else owner.get(mname))
        if only and only not in st.used:
            continue  # a denial only matters where the doc uses the pattern it belongs to
        deny_lines: set[int] = set()
        for i, line in denial_lines:
            m = first_match(mech.denied, line)
            if m:
                sent = sentence_at(line, m.start(), m.end())
                if _HISTORY.search(sent) or sent.rstrip().endswith("?") or first_match(mech.excused, line):
                    m = None  # a past incident, an open question, or a reasoned exception
            if m and len([d for d in st.denials if d.mechanism == mname]) < MAX_DENIALS_PER_MECHANISM:
                deny_lines.add(i)
                st.denials.append(Denial(mname, mech.label, i, sentence_at(line, m.start(), m.end()), owner.get(mname)))
        if any(first_match(mech.addressed, line) for i, line in prose if i not in deny_lines):
            st.addressed.add(mname)
    denied = {d.mechanism for d in st.denials}
    for pname, first in st.used.items():
        for mname in c.patterns[pname].modes:
            only = mechs[mname].only_with
            if only and only not in st.used:
                continue
            gate = mechs[mname].missing_only_if
            if gate and not re.search(gate, draft.low):
                continue
            if mname not in denied and mname not in st.addressed:
                st.missing.append((pname, mname, first))
    return st


def patterns(draft: Draft, st: Stance, out: Findings) -> None:
    c = checklist()
    for d in st.denials:
        mech = c.mechanisms[d.mechanism]
        cat = mech.category
        where = f" in {c.patterns[d.pattern].label}" if d.pattern else ""
        out.add("high", cat, f"{cat}/{d.pattern or 'any'}/{d.mechanism}", d.line, d.line,
                f"Missing {d.label}{where}: {mech.why or 'a known failure mode is left open'}.",
                f"Add {d.label}, or explain what handles this failure mode instead.", d.sentence)
    for pname, mname, line in st.missing:
        p, mech = c.patterns[pname], c.mechanisms[mname]
        cat = "security" if mech.category == "security" else "pattern"
        out.add("medium", cat, f"{cat}/{pname}/{mname}", line, line,
                f"The doc uses {p.label} but never says how it handles {mech.label}.",
                f"Say how {mech.label} is handled (or why it cannot go wrong here).", draft.lines[line - 1].strip()[:160])


def tradeoffs(draft: Draft, out: Findings) -> None:
    t = checklist().tradeoffs
    cost_sections = [s for s in draft.doc.sections if s.heading
                     and any(re.search(rf"\b{n}\b", s.heading, re.I) for n in t.cost_sections)
                     and len(s.text.strip()) > 40]
    for i, line in draft.prose(include_discussion=True):
        m = first_match(t.one_sided, line)
        if m and not negated(line, m.start()):
            out.add("medium", "tradeoff", "tradeoff/one-sided", i, i,
                    "The comparison names nothing the chosen option gives up.",
                    "Say what the choice costs (money, latency, operational load, lock-in) and which criteria another option wins.",
                    sentence_at(line, m.start(), m.end()))
            continue
        m = first_match(t.choice, line)
        if not m or cost_sections or draft.in_discussion(i):
            continue
        sec = draft.section_of[i - 1]
        body = sec.text if sec else line
        if first_match(t.given_up, body):
            continue
        big = bool(first_match(t.big_choice, sentence_at(line, m.start(), m.end())))
        out.add("high" if big else "medium", "tradeoff", "tradeoff/unstated-cost", i, i,
                "A choice is stated with only its benefits; nothing is named as given up.",
                "Name what this choice costs or gives up (time, money, risk, capability) and why that is acceptable.",
                sentence_at(line, m.start(), m.end()))


def security(draft: Draft, st: Stance, out: Findings, applies: dict[str, bool]) -> None:
    s = checklist().stride
    prose = draft.prose()
    text = "\n".join(line for _, line in prose)
    surface = next(((i, m) for i, line in prose for p in s.new_surface for m in p.finditer(line)
                    if not negated(line, m.start())), None)
    if surface and applies["changes-system"]:
        missing = [v.label for v in s.threats.values() if not first_match(v.addressed, text)]
        i, m = surface
        public = next(((j, line) for j, line in prose if first_match(s.public_surface, line) and not draft.in_context(j)), None)
        open_door = next(((j, line) for j, line in prose if first_match(s.unauthenticated, line)), None)
        if open_door:
            out.add("high", "security", "security/stride/unauthenticated", open_door[0], open_door[0],
                    "An interface is meant to be callable without authentication.",
                    "Say who may call it and how they prove it; add rate limits against enumeration.", open_door[1].strip()[:160])
        elif public and first_match(s.idor, public[1]) and not first_match(s.threats["spoofing"].addressed, public[1]):
            out.add("high", "security", "security/stride/idor", public[0], public[0],
                    "A public endpoint takes a person's id in its path, with nothing checking that the caller is that person.",
                    "Derive the person from the caller's session or token instead of the path, or check they match.",
                    public[1].strip()[:160])
        elif public and not first_match(s.threats["spoofing"].addressed, text):
            out.add("high", "security", "security/stride/unauthenticated", public[0], public[0],
                    "A new externally reachable interface, and its section says nothing about who may call it.",
                    "Say how callers authenticate and what each may do (authn and authz).", public[1].strip()[:160])
        if missing:
            out.add("medium" if len(missing) >= 3 else "low", "security", "security/stride", i, i,
                    f"The doc adds an interface or data store ({m.group(0).strip()!r}) but does not address: {'; '.join(missing)}.",
                    "Add a threat-model paragraph (STRIDE) for each new interface and data store.",
                    draft.lines[i - 1].strip()[:160])
    for i, line in prose:
        m = first_match(s.secrets_exposed, line)
        if m and not first_match(s.secrets_handled, sentence_at(line, m.start(), m.end())):
            out.add("high", "security", "security/secrets", i, i,
                    "Credentials are kept where people and logs can read them.",
                    "Keep secrets in a secrets manager with rotation; never in config, repos or environment files.",
                    sentence_at(line, m.start(), m.end()))
            break
    if "personal_data" in st.used and not any(d.mechanism == "pii_protection" for d in st.denials):
        protect = checklist().mechanisms["pii_protection"].addressed
        for i, line in prose:
            fields = {m.group(0).lower() for p in s.pii_fields for m in p.finditer(line)}
            sec = draft.section_of[i - 1]
            if len(fields) >= 3 and not first_match(protect, sec.text if sec else line):
                out.add("high", "security", "security/pii", i, i,
                        "Personal data is stored or copied with no word on pseudonymisation, encryption, access or retention.",
                        "Say how each personal field is protected, who can read it and how long it is kept.", line.strip()[:200])
                break


def hype(draft: Draft, out: Findings) -> None:
    lex = vocab.hype()
    mech = re.compile(r"\b(?:because|by|via|using|through|blue[- ]green|dual[- ]run|alias|canary|traffic shift|measured|load[- ]test|p\d\d)\b", re.I)
    for i, line in draft.prose(include_discussion=True):
        for group in ("superlatives", "buzzwords"):
            for pat in getattr(lex, group):
                m = pat.search(line)
                if m and any(ig.match(line, m.start()) for ig in checklist().hype_ignore):
                    continue
                if m:
                    sent = sentence_at(line, m.start(), m.end())
                    has_number = bool(re.search(r"\d", sent))
                    sev = "low" if (has_number and mech.search(sent)) else "medium"
                    out.add(sev, "hype", f"hype/{group}", i, i,
                            f"{m.group(0)!r} is a claim with no number or mechanism behind it.",
                            "Replace it with the measured figure or the mechanism that makes it true, or cut it.",
                            line[max(0, m.start() - 50) : m.end() + 60].strip())
