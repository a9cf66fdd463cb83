"""The layering docs/ARCHITECTURE.md describes, checked on the code's own imports."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "assistant"
JOBS = ("assistant.ask", "assistant.review", "assistant.incidents", "assistant.capacity", "assistant.evaluation")


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_library_never_imports_the_service() -> None:
    for path in PACKAGE.rglob("*.py"):
        bad = {m for m in _imports(path) if m == "api" or m.startswith("api.")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_jobs_depend_on_neither_the_cli_nor_the_api() -> None:
    for path in PACKAGE.rglob("*.py"):
        if not _module(path).startswith(JOBS):
            continue
        bad = {m for m in _imports(path) if m.startswith(("assistant.cli", "api"))}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_only_the_settings_read_the_environment() -> None:
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "api").rglob("*.py")]:
        if path == PACKAGE / "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "os.getenv" not in text, path.relative_to(ROOT)
