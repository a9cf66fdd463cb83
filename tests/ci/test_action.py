"""The GitHub Action's own steps, parsed from action.yml and run verbatim with bash against a local
git repository made by the test (no network): the base commit holds ADRs, a postmortem and a
design doc; the pull request adds a design doc, changes an ADR and changes code. Only the two docs
are reviewed, the SARIF is valid, the comment goes to a real HTTP server on 127.0.0.1 standing in
for the GitHub API (first run posts, the next push edits the same comment), and the index cache
key only moves when the indexed documents do."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from assistant.review.summary import MARKER
from tests.ci.action_runner import ActionRunner
from tests.ci.fake_github import TOKEN, FakeGitHub, fake_github
from tests.conftest import ROOT, VENV_BIN
from tests.gitrepo import Repo, sample_repo

ACTION = ROOT / "action.yml"
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
CHANGED_DOCS = {"docs/adr/0002-retry-budgets.md", "docs/design/inventory-cache.md"}
# steps the test does not run, and why; every other `run:` step runs exactly as action.yml has it
NOT_RUN = {"install": "pip install needs the package registry; the test uses the installed archie"}
USES = {"python": "actions/setup-python@v5", "cache": "actions/cache/restore@v4", "cache-save": "actions/cache/save@v4",
        "upload": "github/codeql-action/upload-sarif@v3"}


class FakeCache:
    """actions/cache/restore and /save on a local folder: an exact key hits, else the newest
    entry whose key starts with a restore key is restored (not a hit)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.saved: list[str] = []

    def restore(self, with_: dict[str, str]) -> dict[str, str]:
        key = with_["key"]
        prefixes = [p.strip() for p in with_.get("restore-keys", "").splitlines() if p.strip()]
        match = key if key in self.saved else next(
            (k for k in reversed(self.saved) for p in prefixes if k.startswith(p)), None)
        if match:
            shutil.copytree(self.root / match, Path(with_["path"]), dirs_exist_ok=True)
        return {"cache-hit": str(match == key).lower(), "cache-primary-key": key, "cache-matched-key": match or ""}

    def save(self, with_: dict[str, str]) -> dict[str, str]:
        assert with_["key"] and with_["key"] not in self.saved  # the cache refuses to overwrite a key
        shutil.copytree(Path(with_["path"]), self.root / with_["key"])
        self.saved.append(with_["key"])
        return {}


def _run(repo: Repo, base: str, temp: Path, gh: FakeGitHub, cache: FakeCache,
         inputs: dict[str, str] | None = None) -> ActionRunner:
    temp.mkdir(parents=True, exist_ok=True)
    runner = ActionRunner.load(
        ACTION, workspace=repo.root, temp=temp,
        inputs={"paths": "docs/adr docs/postmortems", "fail-on": "high", **(inputs or {})},
        github={"action_path": str(ROOT), "token": TOKEN, "repository": "acme/shop",
                "event": {"pull_request": {"number": 7, "base": {"sha": base}}}},
        env={"PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", "GITHUB_API_URL": gh.url,
             "COLUMNS": "200"},
        uses={"actions/cache/restore@v4": cache.restore, "actions/cache/save@v4": cache.save},
    )
    runner.run(skip=NOT_RUN)
    return runner


def _index_numbers(stdout: str) -> dict[str, int]:
    lines = [line.replace("│", " ").replace("┃", " ") for line in stdout.splitlines()]
    head = next(i for i, line in enumerate(lines) if "added" in line and "embedded" in line)
    cols = lines[head].split()
    values = next(line.split() for line in lines[head + 1 :] if line.split() and line.split()[0].isdigit())
    return {c: int(float(v)) for c, v in zip(cols, values, strict=True) if c != "seconds"}


@pytest.fixture
def pr(tmp_path: Path) -> tuple[Repo, str]:
    repo, base, _ = sample_repo(tmp_path / "shop")  # checked out on the pull request's branch
    return repo, base


def test_the_action_yml_is_what_the_test_runs() -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    steps = {s["id"]: s for s in action["runs"]["steps"]}
    assert {sid: s["uses"] for sid, s in steps.items() if "uses" in s} == USES
    runs = {sid for sid, s in steps.items() if "run" in s}
    assert runs == {"install", "prep", "history", "index", "review", "comment", "gate"}
    assert steps["install"]["run"].strip() == 'python -m pip install --quiet --disable-pip-version-check "$ACTION_PATH"'
    assert steps["install"]["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    for sid in runs:  # inputs reach scripts through env only: no ${{ }} inside a script
        assert "${{" not in steps[sid]["run"], sid
    assert set(action["inputs"]) >= {"paths", "fail-on", "llm", "openai-base-url", "model", "api-key", "python-version"}


def test_the_actions_steps_on_a_pull_request(pr: tuple[Repo, str], tmp_path: Path) -> None:
    repo, base = pr
    store = FakeCache(tmp_path / "cache")
    with fake_github() as gh:
        gh.add(7, "Nice design!")
        first = _run(repo, base, tmp_path / "run1", gh, store)
        r = first.results
        ran = {sid for sid, res in r.items() if res.ran}
        # every run: step but install, and the cache stand-ins
        assert ran == {"prep", "history", "cache", "index", "cache-save", "review", "comment", "gate"}
        for sid in ("prep", "history", "index", "review", "comment"):
            assert r[sid].returncode == 0, (sid, r[sid].stdout, r[sid].stderr)

        # the change and the cache
        prep = r["prep"].outputs
        assert prep["range"] == f"{base}...HEAD" and prep["globs"].splitlines() == ["docs/adr/**", "docs/postmortems/**"]
        cache = r["cache"].with_
        assert cache["path"] == prep["home"] == r["index"].env["ARCHIE_HOME"] == r["review"].env["ARCHIE_HOME"]
        assert cache["key"].startswith("archie-index-Linux-") and len(cache["key"]) > len("archie-index-Linux-")
        assert cache["restore-keys"] == "archie-index-Linux-"
        assert r["cache"].outputs["cache-hit"] == "false"
        assert r["cache-save"].with_ == {"path": prep["home"], "key": cache["key"]}  # saved before the gate fails
        assert store.saved == [cache["key"]]
        assert _index_numbers(r["index"].stdout)["added"] == 3  # 2 ADRs and the postmortem

        # the review: only the two changed docs, one valid SARIF run
        assert r["review"].outputs["failed"] == "true"
        sarif = json.loads(Path(prep["sarif"]).read_text())
        validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
        assert not [e.message for e in validator.iter_errors(sarif)]
        assert len(sarif["runs"]) == 1
        uris = {x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in sarif["runs"][0]["results"]}
        assert uris == CHANGED_DOCS
        assert r["upload"].with_ == {"sarif_file": prep["sarif"], "category": "archie-review"}

        # the comment: the summary, posted once, next to the other comment
        summary = Path(prep["summary"]).read_text()
        assert summary.startswith(MARKER) and "2 design docs / ADRs" in summary
        for doc in CHANGED_DOCS:
            assert f"| `{doc}` | needs work before review |" in summary
        assert "src/app.py" not in summary and "1 other changed file not design docs or ADRs" in summary
        assert gh.writes() == [("POST", "/repos/acme/shop/issues/7/comments")]
        mine = [c for c in gh.on(7) if MARKER in c["body"]]
        assert len(mine) == 1 and mine[0]["body"] == summary
        assert (tmp_path / "run1" / "step-summary.md").read_text() == summary

        # the gate fails the job last, after the upload and the comment
        assert r["gate"].returncode == 1 and "findings at or above 'high'" in r["gate"].stdout

        # the next push: the design doc gains a rollback plan; the indexed docs did not change
        doc = repo.root / "docs/design/inventory-cache.md"
        doc.write_text(doc.read_text() + "\n## Rollback\n\nSet the TTL to 0 and redeploy.\n")
        repo.commit("Rollback plan", date="2024-04-03T09:00:00+00:00")
        key = cache["key"]
        second = _run(repo, base, tmp_path / "run2", gh, store)
        assert second.results["cache"].with_["key"] == key  # same documents indexed: same cache entry
        assert second.results["cache"].outputs["cache-hit"] == "true" and not second.results["cache-save"].ran
        numbers = _index_numbers(second.results["index"].stdout)
        assert (numbers["added"], numbers["changed"], numbers["embedded"]) == (0, 0, 0)  # nothing re-embedded
        assert gh.writes()[1:] == [("PATCH", f"/repos/acme/shop/issues/comments/{mine[0]['id']}")]
        mine2 = [c for c in gh.on(7) if MARKER in c["body"]]
        assert len(mine2) == 1 and mine2[0]["id"] == mine[0]["id"]
        assert mine2[0]["body"] == Path(second.results["prep"].outputs["summary"]).read_text() != summary
        assert [c["body"] for c in gh.on(7) if MARKER not in c["body"]] == ["Nice design!"]

        # an ADR change moves the cache key; the last index is restored and only the ADR re-embedded
        adr = repo.root / "docs/adr/0001-use-postgres.md"
        adr.write_text(adr.read_text() + "\nAmended.\n")
        repo.commit("Amend ADR 1", date="2024-04-04T09:00:00+00:00")
        third = _run(repo, base, tmp_path / "run3", gh, store)
        assert third.results["cache"].with_["key"] != key and third.results["cache"].outputs["cache-matched-key"] == key
        numbers = _index_numbers(third.results["index"].stdout)
        assert (numbers["changed"], numbers["unchanged"]) == (1, 2) and 0 < numbers["embedded"] < 13
        assert store.saved == [key, third.results["cache"].with_["key"]]


def test_an_error_is_not_reported_as_findings(pr: tuple[Repo, str], tmp_path: Path) -> None:
    repo, _ = pr
    with fake_github() as gh:
        runner = _run(repo, "0123456789abcdef0123456789abcdef01234567", tmp_path / "bad", gh, FakeCache(tmp_path / "c"))
    r = runner.results
    assert r["history"].returncode != 0 and not r["review"].ran  # the base is unknown (and cannot be fetched)
    assert not r["comment"].ran and not r["gate"].ran and "failed" not in r["review"].outputs
    assert not r["upload"].with_ and not r["cache"].ran and gh.requests == []


def test_a_comment_the_token_may_not_write_does_not_fail_the_job(pr: tuple[Repo, str], tmp_path: Path) -> None:
    repo, base = pr
    with fake_github() as gh:
        gh.deny = 403  # a fork's pull request: read-only token
        r = _run(repo, base, tmp_path / "fork", gh, FakeCache(tmp_path / "c"),
                 inputs={"fail-on": ""}).results
    assert r["comment"].ran and r["comment"].returncode == 1 and "pull-requests: write" in r["comment"].stderr
    assert r["review"].outputs["failed"] == "false" and not r["gate"].ran  # fail-on '' never fails
    assert all(res.ok for res in r.values())
