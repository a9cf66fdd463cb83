"""`incidents extract` and the model-written summary: parsed fields win, model fields are marked,
numbers not in the computed table are removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.incidents.extract import ModelFields, extract
from assistant.settings import Settings
from tests.conftest import CORPUS


class FakeStructured:
    """Stands in for a chat model's structured-output runnable (glue test only)."""

    def __init__(self, fields: ModelFields) -> None:
        self.fields = fields
        self.prompts: list[str] = []

    def with_structured_output(self, schema: Any, method: str = "") -> FakeStructured:
        assert schema is ModelFields and method == "json_schema"
        return self

    def invoke(self, prompt: str) -> ModelFields:
        self.prompts.append(prompt)
        return self.fields


def test_parser_fields_and_where_they_came_from() -> None:
    path = next(CORPUS.glob("postmortems/2024-04-29-*.md"))
    out = extract(Settings(), path, use_model=False)
    r = out.record
    assert (r.id, r.severity, r.trigger, r.cause_category) == ("PM-008", "SEV1", "config", "config-push")
    assert r.time_to_detect_min == 3 and out.sources["started"] == "timeline" and out.model_filled == []


def test_model_fills_only_what_the_text_leaves_unstated(tmp_path: Path) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text("# PM-901: Checkout slow\n\nDate: 2026-11-01\nThis was a SEV2.\nServices affected: checkout\n\n"
                     "## Root cause\n\nA pool ran out of connections.\n")
    model = FakeStructured(ModelFields(severity="SEV4", trigger="capacity", cause_category="made-up"))
    out = extract(Settings(), draft, model=model)
    assert out.record.severity == "SEV2" and out.sources["severity"] == "text"  # stated: the model cannot override
    assert out.record.trigger == "capacity" and out.sources["trigger"] == "model" and out.model_filled == ["trigger"]
    assert "cause_category" not in out.model_filled  # not an allowed value: rejected
    assert "pool ran out" in model.prompts[0]


def test_model_summary_drops_numbers_not_in_the_table(corpus_index: Path, corpus_lib) -> None:
    from langchain_core.messages import AIMessage

    from assistant.incidents import model_summary, trends
    from tests.capacity.test_chain import ScriptedChat

    t = trends(corpus_lib)
    q = t.periods[-2]
    model = ScriptedChat(script=[AIMessage(content=(
        f"In {q.period} there were {q.incidents} incidents ({', '.join(q.ids)}). "
        "MTTR improved by 97% thanks to heroic efforts."))])
    text, removed = model_summary(Settings(home=corpus_index, llm="openai"), t, model)
    assert q.period in text and "97%" not in text and removed and "97%" in removed[0]


@pytest.mark.parametrize("name", ["no-such-file.md"])
def test_missing_file_is_a_clear_error(name: str, tmp_path: Path) -> None:
    from assistant.errors import BadInputError

    with pytest.raises(BadInputError, match="no such file"):
        extract(Settings(), tmp_path / name)
