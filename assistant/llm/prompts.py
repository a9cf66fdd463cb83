"""Prompt templates as files in ``assistant/prompts/`` (package data, shipped in the wheel), loaded by name.

Each file has a YAML header validated by ``PromptMeta`` (unknown keys are an error) and a
Jinja body rendered in a sandbox with ``StrictUndefined``: a missing variable is an error,
never an empty string. System and user parts are separated by a line ``--- user ---``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.errors import ConfigError

SPLIT = "--- user ---"


class PromptMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: int
    description: str
    variables: list[str]


class Prompt(BaseModel):
    meta: PromptMeta
    system: str
    user: str

    def render(self, **values: Any) -> tuple[str, str]:
        missing = set(self.meta.variables) - set(values)
        if missing:
            raise ConfigError(f"prompt {self.meta.name!r} needs {', '.join(sorted(missing))}")
        env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
        try:
            return env.from_string(self.system).render(**values).strip(), env.from_string(self.user).render(**values).strip()
        except UndefinedError as exc:
            raise ConfigError(f"prompt {self.meta.name!r}: {exc}") from exc


def prompts_dir() -> Path:
    """The package's ``prompts/`` folder (the same in a checkout and in an installed wheel)."""
    return Path(str(resources.files("assistant").joinpath("prompts")))


def prompt_names() -> list[str]:
    """Every prompt the package ships."""
    return sorted(p.stem for p in prompts_dir().glob("*.md"))


@lru_cache(maxsize=32)
def load_prompt(name: str) -> Prompt:
    path = prompts_dir() / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"no prompt named {name!r} in {prompts_dir()}")
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ConfigError(f"{path}: a prompt starts with a YAML header between --- lines")
    _, header, body = text.split("---\n", 2)
    try:
        meta = PromptMeta.model_validate(yaml.safe_load(header))
    except (ValidationError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: bad prompt header ({exc})") from exc
    if meta.name != name:
        raise ConfigError(f"{path}: header name {meta.name!r} does not match the file name")
    system, _, user = body.partition(SPLIT)
    if not user:
        raise ConfigError(f"{path}: no '{SPLIT}' line separating system and user parts")
    return Prompt(meta=meta, system=system, user=user)
