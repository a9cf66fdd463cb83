"""LangChain chains: the ask chain (prompt -> chat model -> text, streamed) and the
follow-up rewriter used by chat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableLambda

from assistant.llm.prompts import load_prompt
from assistant.llm.providers import chat_model, describe, translate_model_errors
from assistant.models import Evidence
from assistant.settings import Settings

MAX_EVIDENCE_CHARS = 900


def _messages(prompt_name: str, **values: object) -> list:
    system, user = load_prompt(prompt_name).render(**values)
    return [SystemMessage(content=system), HumanMessage(content=user)]


def run_ask_chain(settings: Settings, question: str, evidence: list[Evidence], as_of: dt.date | None,
                  on_token: Callable[[str], None] | None = None) -> str:
    packed = [
        {"doc_id": e.doc_id, "section": e.section, "status": e.status.value, "date": e.date or "undated",
         "superseded_by": ", ".join(e.superseded_by), "text": e.text[:MAX_EVIDENCE_CHARS]}
        for e in evidence
    ]
    chain = RunnableLambda(lambda v: _messages("ask", **v)) | chat_model(settings) | StrOutputParser()
    parts: list[str] = []
    with translate_model_errors(describe(settings)):
        for token in chain.stream({"question": question, "evidence": packed, "as_of": as_of.isoformat() if as_of else ""}):
            parts.append(token)
            if on_token:
                on_token(token)
    return "".join(parts)


def rewrite_followup(settings: Settings, history: list[dict[str, str]], question: str) -> str:
    """A standalone version of a follow-up question (model), or the question with the last
    user turn prepended when no model is configured."""
    if settings.llm == "extractive":
        last = next((t["text"] for t in reversed(history) if t["role"] == "user"), "")
        return f"{last} {question}".strip() if last and len(question.split()) < 8 else question
    chain = RunnableLambda(lambda v: _messages("rewrite", **v)) | chat_model(settings) | StrOutputParser()
    with translate_model_errors(describe(settings)):
        out = chain.invoke({"history": history, "question": question}).strip()
    return out.splitlines()[0].strip() if out else question
