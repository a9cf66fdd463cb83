"""Shared fixtures: an isolated ARCHIE_HOME per test, loopback-only networking, indexes."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared" / "corpora"
VENV_BIN = Path(sys.executable).parent


def pytest_configure(config: pytest.Config) -> None:
    # Offline means offline: only loopback connections are allowed in-process.
    config.option.allow_hosts = "127.0.0.1,::1,localhost"


@pytest.fixture(autouse=True)
def archie_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point ARCHIE_HOME at a fresh temp dir and clear other ARCHIE_* / CHROMA_* / OPENAI_* settings."""
    for key in list(os.environ):
        if key.startswith(("ARCHIE_", "CHROMA_", "OPENAI_")):
            monkeypatch.delenv(key, raising=False)
    home = tmp_path_factory.mktemp("archie-home")
    monkeypatch.setenv("ARCHIE_HOME", str(home))
    monkeypatch.setenv("ARCHIE_CONFIG", str(home / "archie.toml"))
    from assistant.settings import get_settings

    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now, never the same one twice in this process. Another process
    may still take it before a server binds it: ``launched`` retries on another port then."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


@contextlib.contextmanager
def launched(command: Callable[[int], list[str]], log_path: Callable[[int], Path], timeout: float = 60.0,
             attempts: int = 3, **popen: Any) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Start the server ``command(port)`` on a free loopback port and wait until it listens; if it
    exits first (most likely: the port was taken between choosing and binding it), try another
    port. The server is always stopped."""
    for attempt in range(1, attempts + 1):
        port = free_port()
        path = log_path(port)
        path.parent.mkdir(parents=True, exist_ok=True)
        log = path.open("wb")
        proc = subprocess.Popen(command(port), stdout=log, stderr=subprocess.STDOUT, **popen)
        try:
            try:
                wait_for_port(port, proc, timeout=timeout)
            except RuntimeError as exc:
                if attempt == attempts:
                    raise RuntimeError(f"{exc}; its log:\n{path.read_text(errors='replace')[-3000:]}") from exc
                continue
            yield proc, port
            return
        finally:
            stop(proc)
            log.close()


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _build_index(tmp_path_factory: pytest.TempPathFactory, name: str, root: Path) -> Path:
    from assistant.index.indexer import Indexer
    from assistant.settings import Settings

    home = tmp_path_factory.mktemp(name)
    Indexer(Settings(home=home)).run([root])
    return home


@pytest.fixture(scope="session")
def mini_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of tests/fixtures/mini built once per session; tests copy it before changing it."""
    return _build_index(tmp_path_factory, "mini-index", MINI)


@pytest.fixture
def mini_home(mini_index: Path, archie_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the mini index, set as ARCHIE_HOME."""
    home = archie_env / "idx"
    shutil.copytree(mini_index, home)
    monkeypatch.setenv("ARCHIE_HOME", str(home))
    from assistant.settings import get_settings

    get_settings.cache_clear()
    return home


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus indexed once per session (read-only for tests)."""
    return _build_index(tmp_path_factory, "corpus-index", CORPUS)


@pytest.fixture(scope="session")
def corpus_lib(corpus_index: Path) -> Iterator[Any]:
    """The sample corpus index opened once per session (read-only for tests)."""
    from assistant.index.library import Library
    from assistant.settings import Settings

    lib = Library(Settings(home=corpus_index))
    yield lib
    lib.close()


@contextlib.contextmanager
def llama_server(log_dir: Path, *extra: str) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server with SmolLM2 on a free loopback port."""
    from assistant.llm.registry import gguf_path
    from assistant.settings import Settings

    model = str(gguf_path(Settings()))
    with launched(lambda port: [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1",
                                "--port", str(port), "--n_ctx", "4096", "--verbose", "false", *extra],
                  lambda port: log_dir / f"server-{port}.log", timeout=120) as (_, port):
        yield f"http://127.0.0.1:{port}/v1"
