"""The capacity tool-calling chain: glue with a scripted chat model, then a real server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from assistant.capacity.chain import check_numbers, run
from assistant.index.library import Library
from assistant.settings import Settings
from tests.conftest import llama_server

TODAY = dt.date(2026, 11, 24)


class ScriptedChat(BaseChatModel):
    """Replies from a script (unit tests of chain glue only; the real server is tested below)."""

    script: list[AIMessage]
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChat:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
        self.seen.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


def test_tools_run_and_invented_numbers_are_removed(corpus_index: Path) -> None:
    model = ScriptedChat(script=[
        AIMessage(content="", tool_calls=[{"name": "capacity_headroom", "args": {"service": "checkout", "multiplier": 3,
                                                                                "event": "black friday"}, "id": "c1"}]),
        AIMessage(content="Checkout is over capacity: 3x the Black Friday peak is 15,300 rps against a limit of 6,000 rps "
                          "(PM-036, DD-011). It would need about 37 more pods, each costing 999 dollars."),
    ])
    with Library(Settings(home=corpus_index, llm="openai")) as lib:
        out = run(lib, "Can checkout take 3x Black Friday?", model, TODAY)
    assert out.tool_calls == [{"name": "capacity_headroom", "args": {"service": "checkout", "multiplier": 3, "event": "black friday"}}]
    assert out.result is not None and out.result.verdict == "over capacity"
    assert "15,300 rps" in out.text and "6,000 rps" in out.text
    assert out.rejected and "999" in out.rejected[0] and "999" not in out.text
    tool_reply = model.seen[1][-1]
    assert tool_reply.type == "tool" and '"verdict":"over capacity"' in str(tool_reply.content)


def test_number_check_accepts_rounding_and_percent_forms() -> None:
    text, rejected = check_numbers("Utilization is 85% with 900 rps of headroom.", ['{"utilization": 0.85, "headroom_rps": 900.0}'])
    assert rejected == [] and text
    _, rejected = check_numbers("Utilization is 91%.", ['{"utilization": 0.85}'])
    assert rejected == ["Utilization is 91%."]


pytest.importorskip("llama_cpp", reason="the `local` extra is installed by `make test`")


@pytest.fixture(scope="module")
def tool_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with llama_server(tmp_path_factory.mktemp("llama-tools"), "--chat_format", "chatml-function-calling") as url:
        yield url


@pytest.mark.server
@pytest.mark.slow
def test_real_server_path_never_shows_an_unchecked_number(tool_server: str, corpus_index: Path) -> None:
    from assistant.capacity import answer

    s = Settings(home=corpus_index, llm="openai", openai_base_url=tool_server, model="smollm2", llm_max_tokens=200)
    with Library(s) as lib:
        out = answer(lib, "Can checkout take 3x Black Friday?", today=TODAY)
    assert out.result is not None and out.result.verdict == "over capacity"  # from a tool call, or the fallback
    if out.fallback is None:
        assert out.tool_calls and out.provider == "openai"
    sources = [out.question, out.result.model_dump_json()]
    assert check_numbers(out.text, sources)[1] == []  # every number shown came from a tool or document
