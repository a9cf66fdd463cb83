"""`archie capacity ask` with a model: a LangChain tool-calling loop over the calculators.

The model may only phrase what the tools return: every number in its final text must appear
in a tool result, a cited document figure or the question; sentences with any other number
are removed by the guard and listed. Without a usable answer it falls back to the
deterministic path, and says so.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from assistant.capacity.calc import CapacityAnswer, PlanResult
from assistant.errors import ArchieError
from assistant.guard import check_numbers
from assistant.index.library import Library

SYSTEM = (
    "You answer capacity questions for an engineering organisation. Never do arithmetic yourself and never "
    "invent figures: call capacity_headroom to get a service's figures and verdict from its documents, or "
    "capacity_plan with figures the user gave. Then state the verdict and the key figures exactly as the tool "
    "returned them, naming the documents (e.g. DD-011, PM-036) they came from."
)
MAX_STEPS = 4


def _tools(lib: Library, today: dt.date | None, results: list[PlanResult]) -> list[Any]:
    from assistant.capacity import headroom
    from assistant.capacity.calc import PlanInput, plan
    from assistant.capacity.units import parse_growth

    @tool
    def capacity_headroom(service: str, multiplier: float = 1.0, event: str | None = None) -> str:
        """Capacity verdict and figures for a service, with every input read from (and citing) the
        indexed documents. multiplier scales the peak (3 for "3x"); event picks the peak of a named
        event such as "black friday"."""
        r = headroom(lib, service, today, multiplier=multiplier, peak_from=event, survive_region_loss=True)
        results.append(r)
        return r.model_dump_json()

    @tool
    def capacity_plan(peak_rps: float, limit_rps: float, growth: str | None = None, regions: int | None = None,
                      target_utilization: float = 0.7) -> str:
        """Capacity verdict and figures from numbers the user stated (rates in requests per second,
        growth like '40%/year')."""
        r = plan(PlanInput(peak_rps=peak_rps, limit_rps=limit_rps, regions=regions,
                           monthly_growth=parse_growth(growth, "growth") if growth else None,
                           target_utilization=target_utilization))
        results.append(r)
        return r.model_dump_json()

    return [capacity_headroom, capacity_plan]


def run(lib: Library, question: str, model: Any, today: dt.date | None = None) -> CapacityAnswer:
    results: list[PlanResult] = []
    tools = _tools(lib, today, results)
    by_name = {t.name: t for t in tools}
    bound = model.bind_tools(tools)
    messages: list[Any] = [SystemMessage(content=SYSTEM), HumanMessage(content=question)]
    calls: list[dict[str, Any]] = []
    tool_outputs: list[str] = []
    final = ""
    for _ in range(MAX_STEPS):
        reply: AIMessage = bound.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            final = str(reply.content or "")
            break
        for call in reply.tool_calls:
            calls.append({"name": call["name"], "args": call["args"]})
            try:
                out = by_name[call["name"]].invoke(call["args"]) if call["name"] in by_name else \
                    json.dumps({"error": f"no tool {call['name']}"})
            except (ArchieError, ValueError, TypeError) as exc:
                out = json.dumps({"error": str(exc)})
            tool_outputs.append(str(out))
            messages.append(ToolMessage(content=str(out), tool_call_id=call["id"]))
    text, rejected = check_numbers(final, [question, *tool_outputs])
    return CapacityAnswer(question=question, text=text, result=results[-1] if results else None, tool_calls=calls,
                          rejected=rejected, provider=lib.settings.llm)
