from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import Settings, get_settings


def test_defaults_are_offline() -> None:
    s = Settings()
    assert (s.llm, s.embeddings, s.chroma_host) == ("extractive", "minilm", None)


def test_environment_overrides_toml(archie_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (archie_env / "archie.toml").write_text('chunk_chars = 900\nllm = "openai"\n')
    assert Settings().chunk_chars == 900 and Settings().llm == "openai"
    monkeypatch.setenv("ARCHIE_CHUNK_CHARS", "700")
    assert Settings().chunk_chars == 700
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    assert Settings().chroma_host == "127.0.0.1"


def test_bad_value_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIE_CHUNK_CHARS", "12")
    get_settings.cache_clear()
    with pytest.raises(ConfigError) as exc:
        get_settings()
    assert "chunk_chars" in str(exc.value)


def test_overlap_must_be_below_chunk_size() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="chunk_overlap_chars"):
        Settings(chunk_chars=300, chunk_overlap_chars=300)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/some/dir", ["/some/dir"]),
        ("/a, /b", ["/a", "/b"]),
        (f"/a{os.pathsep}/b", ["/a", "/b"]),
        ('["/a", "/b c"]', ["/a", "/b c"]),
    ],
    ids=["plain", "commas", "pathsep", "json"],
)
def test_index_paths_from_environment(raw: str, expected: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIE_INDEX_PATHS", raw)
    assert Settings().index_paths == [Path(p) for p in expected]


def test_index_paths_bad_json_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIE_INDEX_PATHS", '["/a",')
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="index_paths"):
        get_settings()


def test_cors_origins_keep_their_colons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIE_API_CORS_ORIGINS", "http://a.test:8080,https://b.test")
    assert Settings().api_cors_origins == ["http://a.test:8080", "https://b.test"]
