"""One archie comment per pull request, against a real HTTP server on 127.0.0.1 standing in for
the GitHub API: the first run posts, later runs edit the same comment (found past the first page),
an unchanged body writes nothing, and refusals are one-line errors with a hint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.ci.github import MAX_BODY, GitHubError, upsert_comment
from assistant.cli import app
from assistant.errors import BadInputError
from assistant.review.summary import MARKER, NOTHING_REVIEWED
from tests.ci.fake_github import TOKEN, FakeGitHub, fake_github
from tests.conftest import free_port

REPO = "acme/shop"


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with fake_github() as server:
        for n in range(3):  # other people's comments fill the first page
            server.add(7, f"looks good {n}")
        server.add(8, f"{MARKER}\nanother PR's review")
        yield server


def _upsert(gh: FakeGitHub, body: str, number: int = 7, **kw):
    return upsert_comment(api_url=gh.url, repo=REPO, number=number, token=TOKEN, body=body, **kw)


def test_first_run_posts_then_later_runs_edit_the_same_comment(gh: FakeGitHub) -> None:
    first = _upsert(gh, f"{MARKER}\n### archie review: 1 design doc\n")
    assert first.action == "created" and gh.writes() == [("POST", f"/repos/{REPO}/issues/7/comments")]
    second = _upsert(gh, f"{MARKER}\n### archie review: 2 design docs\n")
    assert second.action == "updated" and second.id == first.id
    assert gh.writes()[-1] == ("PATCH", f"/repos/{REPO}/issues/comments/{first.id}")
    mine = [c for c in gh.on(7) if MARKER in c["body"]]
    assert len(mine) == 1 and "2 design docs" in mine[0]["body"]  # found on page 2, never duplicated
    assert [c["body"] for c in gh.on(8)] == [f"{MARKER}\nanother PR's review"]  # other PRs untouched
    n = len(gh.writes())
    assert _upsert(gh, f"{MARKER}\n### archie review: 2 design docs\n").action == "unchanged"
    assert len(gh.writes()) == n


def test_the_marker_is_added_and_long_bodies_are_cut(gh: FakeGitHub) -> None:
    res = _upsert(gh, "plain body\n" + "x" * 80 + "\n" + ("line\n" * 20_000))
    body = gh.comments[res.id]["body"]
    assert body.startswith(MARKER) and len(body) <= MAX_BODY and "cut to fit a comment" in body


def test_nothing_reviewed_edits_an_existing_comment_but_never_starts_one(gh: FakeGitHub) -> None:
    empty = f"{MARKER}\n{NOTHING_REVIEWED}\n### archie review: no design docs or ADRs changed\n"
    assert _upsert(gh, empty).action == "skipped" and gh.writes() == []
    _upsert(gh, f"{MARKER}\nfindings\n")
    assert _upsert(gh, empty).action == "updated"


def test_refusals_and_unreachable_api_are_github_errors(gh: FakeGitHub) -> None:
    gh.deny = 403
    with pytest.raises(GitHubError, match="403 Resource not accessible") as exc:
        _upsert(gh, "x")
    assert "pull-requests: write" in (exc.value.hint or "")
    with pytest.raises(GitHubError, match="cannot reach the GitHub API"):
        upsert_comment(api_url=f"http://127.0.0.1:{free_port()}", repo=REPO, number=7, token=TOKEN, body="x")
    with pytest.raises(BadInputError, match="not owner/name"):
        upsert_comment(api_url=gh.url, repo="acme", number=7, token=TOKEN, body="x")


def test_wrong_token_is_a_401_with_a_hint(gh: FakeGitHub) -> None:
    with pytest.raises(GitHubError) as exc:
        upsert_comment(api_url=gh.url, repo=REPO, number=7, token="wrong", body="x")
    assert "401" in exc.value.message and "GITHUB_TOKEN" in (exc.value.hint or "")


def test_cli_comment_reads_the_token_from_the_environment(gh: FakeGitHub, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import get_settings

    body = tmp_path / "summary.md"
    body.write_text(f"{MARKER}\n### archie review\n")
    args = ["ci", "comment", "--body", str(body), "--repo", REPO, "--pr", "7", "--api-url", gh.url]
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    get_settings.cache_clear()
    missing = CliRunner().invoke(app, args)
    assert missing.exit_code != 0 and "GITHUB_TOKEN" in str(missing.exception)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    get_settings.cache_clear()
    ok = CliRunner().invoke(app, [*args, "--json"])
    assert ok.exit_code == 0, ok.output
    assert '"action": "created"' in ok.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and again.output.startswith("unchanged comment")
