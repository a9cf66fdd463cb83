"""Chat models behind one LangChain interface: any OpenAI-compatible server (langchain-openai's
``ChatOpenAI``) or llama.cpp in-process (``LlamaCppChat``). Created lazily, never at import.

Errors from openai / llama_cpp are translated here, once, into ``ModelUnavailable``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, PrivateAttr

from assistant.errors import ArchieError, ConfigError, ModelUnavailable
from assistant.llm.registry import describe, gguf_path, provider
from assistant.settings import Settings


@contextmanager
def translate_model_errors(where: str) -> Iterator[None]:
    try:
        yield
    except ArchieError:
        raise
    except Exception as exc:
        mod = type(exc).__module__
        if mod.startswith(("openai", "httpx", "httpcore", "llama_cpp", "langchain_openai")) or isinstance(exc, (ConnectionError, TimeoutError)):
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ModelUnavailable(f"the model ({where}) did not answer: {first}") from exc
        raise


def _role(m: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(m.type, "user")


class LlamaCppChat(BaseChatModel):
    """llama-cpp-python in-process as a LangChain chat model (streaming included)."""

    model_path: str
    n_ctx: int = 8192
    max_tokens: int = 400
    temperature: float = 0.0
    _llm: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _client(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ConfigError("llama-cpp-python is not installed", "pip install 'archie[local]'") from exc
            with translate_model_errors(f"llamacpp:{Path(self.model_path).name}"):
                self._llm = Llama(model_path=self.model_path, n_ctx=self.n_ctx, verbose=False)
        return self._llm

    def _kwargs(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {"messages": [{"role": _role(m), "content": str(m.content)} for m in messages],
                "max_tokens": self.max_tokens, "temperature": self.temperature, "stop": stop or []}

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        with translate_model_errors("llamacpp"):
            out = self._client().create_chat_completion(**self._kwargs(messages, stop))
        text = out["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with translate_model_errors("llamacpp"):
            for part in self._client().create_chat_completion(stream=True, **self._kwargs(messages, stop)):
                token = part["choices"][0]["delta"].get("content") or ""
                if token:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                    if run_manager:
                        run_manager.on_llm_new_token(token, chunk=chunk)
                    yield chunk


_models: dict[tuple[Any, ...], BaseChatModel] = {}


def _openai(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    # OpenAI takes max_completion_tokens; compatible servers (llama.cpp, vLLM, Ollama) still
    # read max_tokens and ignore the newer name, so a local model could ramble unbounded
    limit: dict[str, Any] = (
        {"extra_body": {"max_tokens": settings.llm_max_tokens}} if settings.openai_base_url
        else {"max_completion_tokens": settings.llm_max_tokens}
    )
    return ChatOpenAI(
        model=settings.model, base_url=settings.openai_base_url,
        api_key=settings.openai_api_key or "not-needed",  # local servers ignore it
        timeout=settings.llm_timeout, max_retries=settings.llm_retries, temperature=0, **limit,
    )


def _llamacpp(settings: Settings) -> BaseChatModel:
    path = gguf_path(settings)
    if not path.is_file():
        raise ConfigError(f"GGUF model not found: {path}", "set ARCHIE_GGUF_PATH to a .gguf file")
    return LlamaCppChat(model_path=str(path), max_tokens=settings.llm_max_tokens)


# provider name -> (what identifies one configured model, how to make it)
FACTORIES: dict[str, tuple[Callable[[Settings], tuple[Any, ...]], Callable[[Settings], BaseChatModel]]] = {
    "openai": (lambda s: (s.model, s.openai_base_url, s.llm_timeout, s.llm_retries, s.llm_max_tokens), _openai),
    "llamacpp": (lambda s: (str(gguf_path(s)), s.llm_max_tokens), _llamacpp),
}


def chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model (cached per configuration: llama.cpp loads weights once)."""
    p = provider(settings)
    if p.name not in FACTORIES:
        raise ConfigError("no language model configured (ARCHIE_LLM=extractive)", "set ARCHIE_LLM=openai or llamacpp")
    ident, make = FACTORIES[p.name]
    key = (p.name, *ident(settings))
    if key not in _models:
        _models[key] = make(settings)
    return _models[key]


class ModelCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: str
    description: str
    ok: bool
    latency_ms: float | None = None
    reply: str | None = None
    error: str | None = None


def check(settings: Settings) -> ModelCheck:
    """Does the configured model answer, and how fast?"""
    p = provider(settings)
    if not p.generative:
        return ModelCheck(provider=p.name, description=p.summary, ok=True)
    desc = describe(settings)
    try:
        model = chat_model(settings)
        start = time.perf_counter()
        with translate_model_errors(desc):
            reply = model.invoke("Reply with the single word OK.")
        return ModelCheck(provider=settings.llm, description=desc, ok=True,
                          latency_ms=round((time.perf_counter() - start) * 1000, 1), reply=str(reply.content)[:80])
    except ArchieError as exc:
        return ModelCheck(provider=settings.llm, description=desc, ok=False, error=exc.message)
