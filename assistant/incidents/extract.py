"""`archie incidents extract`: what the parser reads from one postmortem and, with a model
configured, what structured-output extraction adds. The model only fills fields the text does
not state; it never overrides a parsed field, and every field it fills is marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.documents import load_document, parse_text
from assistant.errors import ArchieError
from assistant.incidents.records import IncidentRecord, record
from assistant.llm.registry import describe, generative
from assistant.models import Kind
from assistant.settings import Settings

FILLABLE = ("severity", "trigger", "cause_category")


class ModelFields(BaseModel):
    """What the model is asked for (validated by pydantic)."""

    severity: str | None = Field(default=None, description="SEV1 (worst) to SEV4, only if the text says")
    trigger: str | None = Field(default=None, description="one of: deploy, config, capacity, dependency, other")
    cause_category: str | None = Field(default=None, description="one of: config-push, cert-expiry, replica-lag, "
                                       "capacity, retry-storm, bad-deploy, dependency, other")


class Extraction(BaseModel):
    record: IncidentRecord
    sources: dict[str, str] = Field(description="field -> where it was read: frontmatter, timeline, text, derived, model")
    model_filled: list[str] = Field(default_factory=list)
    model_note: str | None = None


_ALLOWED = {
    "severity": {"SEV1", "SEV2", "SEV3", "SEV4"},
    "trigger": {"deploy", "config", "capacity", "dependency", "other"},
    "cause_category": {"config-push", "cert-expiry", "replica-lag", "capacity", "retry-storm", "bad-deploy", "dependency", "other"},
}


def extract(settings: Settings, path: Path, use_model: bool = True, model: Any = None) -> Extraction:
    doc, src = load_document(path, path.parent, settings)
    if doc.kind is not Kind.postmortem or doc.postmortem is None:
        # whatever its folder or headings suggest, the user says it is a postmortem
        doc = parse_text(src.text, doc.path, src.digest, kind=Kind.postmortem)
    rec = record(doc)
    out = Extraction(record=rec, sources=dict(doc.postmortem.sources))  # type: ignore[union-attr]
    missing = [f for f in FILLABLE if getattr(rec, f) is None]
    if not (use_model and missing and (model is not None or generative(settings))):
        return out
    from assistant.llm.providers import (  # only when a model reads it
        chat_model,
        translate_model_errors,
    )

    try:
        llm = model or chat_model(settings)
        with translate_model_errors(describe(settings)):
            got: ModelFields = llm.with_structured_output(ModelFields, method="json_schema").invoke(
                "Read this postmortem and fill only what it states.\n\n" + src.text[:6000])
    except (ArchieError, ValueError) as exc:
        out.model_note = f"model extraction failed: {exc}"
        return out
    for field in missing:  # the model never overrides what the text states
        value = getattr(got, field, None)
        if value is not None and str(value) in _ALLOWED[field]:
            setattr(out.record, field, str(value))
            out.sources[field] = "model"
            out.model_filled.append(field)
    return out
