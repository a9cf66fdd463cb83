"""Just enough of a GitHub Actions runner to run a composite ``action.yml``'s ``run:`` steps
locally, verbatim, with bash: ``${{ }}`` expressions (context lookups, ``||``, ``&&``, ``!``,
``==``, ``!=``, ``cancelled()``, ``hashFiles()``), ``if:`` conditions, per-step ``env:``,
``continue-on-error``, ``$GITHUB_OUTPUT`` (including ``name<<DELIM`` blocks) and
``$GITHUB_STEP_SUMMARY``. ``uses:``
steps are recorded with their evaluated ``with:``, and run only when the test gives a stand-in."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\)|,)|([A-Za-z_][\w.-]*)|(\d+))")


@dataclass
class StepResult:
    id: str
    ran: bool
    returncode: int = 0
    outputs: dict[str, str] = field(default_factory=dict)
    with_: dict[str, str] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    env: dict[str, str] = field(default_factory=dict)
    continue_on_error: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 or self.continue_on_error


@dataclass
class ActionRunner:
    action: dict[str, Any]
    workspace: Path
    temp: Path
    inputs: dict[str, str]
    github: dict[str, Any]
    env: dict[str, str]
    uses: dict[str, Callable[[dict[str, str]], dict[str, str]]] = field(default_factory=dict)
    results: dict[str, StepResult] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, **kw: Any) -> ActionRunner:
        action = yaml.safe_load(path.read_text())
        defaults = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
        given = kw.pop("inputs", {})
        unknown = set(given) - set(defaults)
        assert not unknown, f"inputs not declared in action.yml: {unknown}"
        runner = cls(action=action, inputs={**defaults, **given}, **kw)
        # defaults may themselves be expressions (github-token: ${{ github.token }})
        runner.inputs = {k: runner.render(v) for k, v in runner.inputs.items()}
        return runner

    # --- expressions -------------------------------------------------------------------------
    def lookup(self, name: str) -> Any:
        head, *rest = name.split(".")
        value: Any = {"inputs": self.inputs, "github": self.github, "runner": {"os": "Linux", "temp": str(self.temp)},
                      "steps": {k: {"outputs": r.outputs} for k, r in self.results.items()}}[head]
        for part in rest:
            value = value.get(part, "") if isinstance(value, dict) else ""
        return value

    def hash_files(self, patterns: str) -> str:
        # as @actions/glob: a trailing ** matches every file below (Path.glob's ** matches folders)
        pats = [p.strip() + ("/*" if p.strip().endswith("**") else "") for p in patterns.splitlines() if p.strip()]
        files = sorted({p for pat in pats for p in self.workspace.glob(pat) if p.is_file()})
        if not files:
            return ""
        h = hashlib.sha256()
        for p in files:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        return h.hexdigest()

    def evaluate(self, expr: str) -> Any:
        py, pos = [], 0
        while pos < len(expr):
            m = _TOKEN.match(expr, pos)
            assert m and m.end() > pos, f"cannot parse expression {expr!r} at {expr[pos:]!r}"
            pos = m.end()
            string, op, name, number = m.groups()
            if string is not None:
                py.append(repr(string[1:-1].replace("''", "'")))
            elif op is not None:
                py.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, op))
            elif number is not None:
                py.append(number)
            elif expr[pos:].lstrip().startswith("("):
                assert name in ("cancelled", "always", "success", "failure", "hashFiles"), f"function {name}"
                py.append(name)
            else:
                py.append(f"_ctx({name!r})")
        ok = all(r.ok for r in self.results.values())
        scope = {"_ctx": self.lookup, "cancelled": lambda: False, "always": lambda: True,
                 "success": lambda: ok, "failure": lambda: not ok, "hashFiles": self.hash_files}
        return eval("".join(py), {"__builtins__": {}}, scope)

    def render(self, text: str) -> str:
        return _EXPR.sub(lambda m: str(self.evaluate(m.group(1))), str(text))

    def condition(self, text: str | None) -> bool:
        ok = all(r.ok for r in self.results.values())
        if text is None:
            return ok
        m = _EXPR.fullmatch(str(text).strip())
        expr = m.group(1) if m else str(text)
        # as GitHub: without a status function, success() && is implied
        if not re.search(r"\b(?:success|failure|always|cancelled)\(", expr):
            return ok and bool(self.evaluate(expr))
        return bool(self.evaluate(expr))

    # --- steps -------------------------------------------------------------------------------
    def run(self, skip: dict[str, str] | None = None) -> dict[str, StepResult]:
        """Run every step; ``skip`` maps step ids not to run (e.g. ones needing the network) to why."""
        skip = skip or {}
        for step in self.action["runs"]["steps"]:
            sid = step["id"]
            if sid in skip or not self.condition(step.get("if")):
                self.results[sid] = StepResult(id=sid, ran=False)
                continue
            if "uses" in step:
                with_ = {k: self.render(v) for k, v in step.get("with", {}).items()}
                fake = self.uses.get(step["uses"])
                self.results[sid] = StepResult(id=sid, ran=fake is not None, with_=with_,
                                               outputs=fake(with_) if fake else {})
                continue
            self.results[sid] = self._bash(sid, step)
            self.results[sid].continue_on_error = bool(step.get("continue-on-error", False))
        return self.results

    def _bash(self, sid: str, step: dict[str, Any]) -> StepResult:
        assert step.get("shell") == "bash", f"step {sid} must say shell: bash"
        out_file = self.temp / f"output-{sid}"
        out_file.write_text("")
        step_env = {k: self.render(v) for k, v in step.get("env", {}).items()}
        env = {**os.environ, **self.env, **step_env, "GITHUB_OUTPUT": str(out_file),
               "GITHUB_STEP_SUMMARY": str(self.temp / "step-summary.md"), "RUNNER_TEMP": str(self.temp)}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
                              cwd=self.workspace, env=env, capture_output=True, text=True, timeout=300)
        return StepResult(id=sid, ran=True, returncode=proc.returncode, outputs=_outputs(out_file.read_text()),
                          stdout=proc.stdout, stderr=proc.stderr, env=step_env)


def _outputs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            name, delim = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delim:
                    break
                block.append(inner)
            out[name] = "\n".join(block)
        elif "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out
