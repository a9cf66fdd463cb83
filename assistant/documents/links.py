"""Resolve ADR supersession / amendment links to document ids, in both directions."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from assistant.models import Document, Kind, Status

_ADR_ID = re.compile(r"^ADR-(\d{1,5})$", re.I)


def _resolve_one(target: str, doc: Document, by_path: dict[str, str], by_stem: dict[str, list[str]],
                 ids: set[str]) -> str | None:
    target = target.strip().split("#")[0]
    if not target:
        return None
    m = _ADR_ID.match(target)
    if m:
        cand = f"ADR-{int(m.group(1)):04d}"
        if cand in ids:
            return cand
    if target in ids:
        return target
    base = PurePosixPath(doc.path).parent
    joined = (base / target).as_posix()
    parts: list[str] = []
    for p in joined.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    norm = "/".join(parts)
    if norm in by_path:
        return by_path[norm]
    stem = PurePosixPath(target).stem
    cands = by_stem.get(stem, [])
    if not cands:
        cands = [i for s, v in by_stem.items() if s.endswith("__" + stem) for i in v]
    if len(cands) == 1:
        return cands[0]
    if cands:
        same_dir = [c for c in cands if c in {by_path.get(p) for p in by_path if PurePosixPath(p).parent == base}]
        return same_dir[0] if len(same_dir) == 1 else None
    return None


def resolve_links(docs: list[Document]) -> list[Document]:
    """Rewrite each ADR's link targets to document ids and fill in the reverse direction.

    An ADR that another ADR says it supersedes is marked superseded; unresolvable targets
    are dropped (they are kept, as written, in ``adr.links``).
    """
    ids = {d.id for d in docs}
    by_path = {d.path: d.id for d in docs}
    by_stem: dict[str, list[str]] = {}
    for d in docs:
        by_stem.setdefault(PurePosixPath(d.path).stem, []).append(d.id)
    by_id = {d.id: d for d in docs}
    for d in docs:
        if d.adr is None:
            continue
        for attr in ("supersedes", "superseded_by", "amends", "amended_by"):
            resolved = []
            for t in getattr(d.adr, attr):
                r = _resolve_one(t, d, by_path, by_stem, ids)
                if r and r != d.id and r not in resolved:
                    resolved.append(r)
            setattr(d.adr, attr, resolved)
    for d in docs:
        if d.adr is None:
            continue
        for old in d.adr.supersedes:
            o = by_id[old]
            if o.adr is not None and d.id not in o.adr.superseded_by:
                o.adr.superseded_by.append(d.id)
        for new in d.adr.superseded_by:
            n = by_id[new]
            if n.adr is not None and d.id not in n.adr.supersedes:
                n.adr.supersedes.append(d.id)
        for old in d.adr.amends:
            o = by_id[old]
            if o.adr is not None and d.id not in o.adr.amended_by:
                o.adr.amended_by.append(d.id)
    for d in docs:
        if d.kind is Kind.adr and d.adr and d.adr.superseded_by and d.status in (Status.unknown, Status.accepted):
            # Another ADR says it replaces this one: that is the organisation's current state.
            d.status = Status.superseded
    return docs
