"""The model's part of a review: a short critique and at most three further findings. Nothing a
model writes reaches the user unchecked: the critique goes through the same guard as answers
(citations must resolve to the doc or a retrieved ADR/postmortem and support the sentence), and
each proposed finding is kept only if the doc section it names supports it. Kept findings are
labelled ``source="model"``."""

from __future__ import annotations

import re

from assistant.guard import Guard, GuardConfig, render_claims
from assistant.index.embeddings import get_embedder
from assistant.index.library import Library
from assistant.llm.prompts import load_prompt
from assistant.llm.registry import describe
from assistant.models import Evidence, Kind, Status
from assistant.review.draft import Draft, Findings
from assistant.review.model import CATEGORIES
from assistant.settings import Settings

MAX_SECTION_CHARS = 1200
MAX_DRAFT_CHARS = 6000  # what the prompt carries of the doc (small local models have 4k-token contexts)
MAX_MODEL_FINDINGS = 3
_FINDING = re.compile(r"^\s*[-*]?\s*FINDING:\s*(high|medium|low)\s*\|\s*([a-z]+)\s*\|\s*([^|]+?)\s*\|\s*(.+)$", re.I | re.M)


def draft_evidence(draft: Draft) -> list[Evidence]:
    out = []
    for s in draft.doc.sections:
        if s.text.strip():
            out.append(Evidence(chunk_id=f"DRAFT:{s.line_start}", doc_id="DRAFT", title=draft.doc.title, kind=Kind.design,
                                status=Status.draft, date=None,
                                section=s.heading or "Preamble", path=draft.path, line_start=s.line_start,
                                line_end=s.line_end, text=s.text[:MAX_SECTION_CHARS]))
    return out


def precedent_evidence(lib: Library | None, draft: Draft, k: int = 6) -> list[Evidence]:
    if lib is None:
        return []
    hits = lib.search(f"{draft.doc.title} {draft.text[:400]}", k=k).hits
    return [Evidence(chunk_id=h.chunk_id, doc_id=h.doc_id, title=h.title, kind=h.kind, status=h.status, date=h.date,
                     section=h.section, path=h.path, line_start=h.line_start, line_end=h.line_end, location=h.location,
                     text=h.text, superseded_by=h.superseded_by) for h in hits]


def _fit(sections: list[dict[str, str]], budget: int) -> list[dict[str, str]]:
    out, used = [], 0
    for s in sections:
        if used + len(s["text"]) > budget:
            break
        out.append(s)
        used += len(s["text"])
    return out


def run(settings: Settings, lib: Library | None, draft: Draft, out: Findings,
        notes: list[str]) -> tuple[str | None, str | None]:
    """Ask the model, guard what it says, add surviving findings to ``out``; returns (critique, model)."""
    from langchain_core.messages import (  # LangChain loads only when a model runs
        HumanMessage,
        SystemMessage,
    )
    from langchain_core.output_parsers import StrOutputParser

    from assistant.llm.providers import chat_model, translate_model_errors

    model_name = describe(settings)
    mine = draft_evidence(draft)
    theirs = precedent_evidence(lib, draft)
    system, user = load_prompt("review").render(
        title=draft.doc.title,
        sections=_fit([{"section": e.section, "text": e.text} for e in mine], MAX_DRAFT_CHARS),
        findings=[f"L{f.line_start} {f.category}: {f.problem}" for f in out.items[:15]],
        precedent=[{"doc_id": e.doc_id, "section": e.section, "text": e.text[:600]} for e in theirs[:4]],
    )
    chain = chat_model(settings) | StrOutputParser()
    with translate_model_errors(model_name):
        text = chain.invoke([SystemMessage(content=system), HumanMessage(content=user)])
    guard = Guard(lib.embed if lib is not None else get_embedder(settings).embed,
                  GuardConfig(settings.guard_support_threshold, "drop"))
    proposed = _FINDING.findall(text)
    prose = _FINDING.sub("", text).strip()
    claims, verdict = guard.check(prose, mine + theirs)
    kept = [c for c in claims if c.supported]
    critique = render_claims(kept) if kept else None
    notes.append(f"Model critique ({model_name}): {verdict.claims_kept} of {verdict.claims_total} sentences kept by the guard, "
                 f"{verdict.claims_dropped} dropped as unsupported.")
    for sev, category, heading, problem in proposed[:MAX_MODEL_FINDINGS]:
        category = category.lower() if category.lower() in CATEGORIES else "completeness"
        sec = next((e for e in mine if e.section.lower() == heading.strip().lower()), None)
        if sec is None:
            notes.append(f"Model finding dropped (names no section of the doc): {problem[:120]}")
            continue
        support = guard.support(problem, sec.text)
        if support < guard.config.support_threshold:
            notes.append(f"Model finding dropped (support {support:.2f} from §{sec.section}): {problem[:120]}")
            continue
        out.add(sev.lower(), category, f"model/{category}", sec.line_start, sec.line_end, problem.strip(),
                "Check this against the doc; it was proposed by the model and passed the guard.",
                sec.text[:160], source="model", support=support)
    return critique, model_name
