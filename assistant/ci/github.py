"""One review comment per pull request, kept up to date: find archie's comment by its hidden
marker among the PR's issue comments and edit it, or post it if there is none yet. Talks to the
GitHub REST API (``GITHUB_API_URL``) with httpx; every httpx error becomes a ``GitHubError``
here, in one place.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any, Literal

import httpx
from pydantic import BaseModel

from assistant import __version__
from assistant.errors import ArchieError, BadInputError
from assistant.review.summary import MARKER, NOTHING_REVIEWED

MAX_BODY = 65_536  # GitHub rejects longer comment bodies
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')

__all__ = ["MAX_BODY", "CommentResult", "GitHubError", "upsert_comment"]


class GitHubError(ArchieError):
    """The GitHub API refused or could not be reached."""

    hint = "check GITHUB_API_URL and that the token may write pull-request comments (pull-requests: write)"


class CommentResult(BaseModel):
    """What ``upsert_comment`` did."""

    action: Literal["created", "updated", "unchanged", "skipped"]
    id: int | None = None
    url: str | None = None


def _hint(status: int, repo: str) -> str:
    if status == 401:
        return "the token is missing or invalid: pass the workflow's token as GITHUB_TOKEN"
    if status in (403, 404):
        return (f"the token cannot comment on {repo}: grant `pull-requests: write` in the workflow's permissions "
                "(pull requests from forks get a read-only token)")
    if status == 422:
        return "GitHub rejected the comment body"
    return GitHubError.hint


@contextlib.contextmanager
def _translate(method: str, url: str, repo: str) -> Iterator[None]:
    try:
        yield
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        try:
            why = str(exc.response.json().get("message", ""))
        except ValueError:
            why = exc.response.text[:200]
        raise GitHubError(f"GitHub API {method} {url}: {status} {why}".rstrip(), _hint(status, repo)) from exc
    except httpx.TransportError as exc:
        raise GitHubError(f"cannot reach the GitHub API at {url} ({type(exc).__name__})") from exc


def prepare_body(body: str, marker: str = MARKER) -> str:
    """The marker first (so the next run finds this comment), cut to GitHub's size limit."""
    if marker not in body:
        body = f"{marker}\n{body}"
    if len(body) > MAX_BODY:
        note = "\n\n_…cut to fit a comment; the full report is in the code scanning results._\n"
        body = body[: MAX_BODY - len(note)].rsplit("\n", 1)[0] + note
    return body


def _request(client: httpx.Client, method: str, url: str, repo: str, **kw: Any) -> httpx.Response:
    with _translate(method, url, repo):
        resp = client.request(method, url, **kw)
        resp.raise_for_status()
    return resp


def find_comment(client: httpx.Client, repo: str, number: int, marker: str = MARKER) -> dict[str, Any] | None:
    """The PR's oldest issue comment that holds ``marker``, following pagination."""
    url: str | None = f"/repos/{repo}/issues/{number}/comments"
    params: dict[str, Any] | None = {"per_page": 100}
    while url:
        resp = _request(client, "GET", url, repo, params=params)
        for c in resp.json():
            if marker in (c.get("body") or ""):
                return c
        m = _NEXT.search(resp.headers.get("link", ""))
        # follow only links to the same API: the token goes wherever the request goes
        url = m.group(1) if m and m.group(1).startswith(str(client.base_url).rstrip("/") + "/") else None
        params = None
    return None


def upsert_comment(*, api_url: str, repo: str, number: int, token: str, body: str, marker: str = MARKER,
                   transport: httpx.BaseTransport | None = None, timeout: float = 30.0) -> CommentResult:
    """Edit the PR's archie comment to ``body``, or post it if there is none. A body saying
    nothing was reviewed edits an existing comment but never starts a new one."""
    if not _REPO.match(repo):
        raise BadInputError("--repo", f"{repo!r} is not owner/name", "e.g. --repo acme/platform")
    if number < 1:
        raise BadInputError("--pr", f"{number} is not a pull-request number")
    body = prepare_body(body, marker)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28", "User-Agent": f"archie/{__version__}"}
    with httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport) as client:
        existing = find_comment(client, repo, number, marker)
        if existing is not None:
            if existing.get("body") == body:
                return CommentResult(action="unchanged", id=existing["id"], url=existing.get("html_url"))
            resp = _request(client, "PATCH", f"/repos/{repo}/issues/comments/{existing['id']}", repo, json={"body": body})
            return CommentResult(action="updated", id=resp.json()["id"], url=resp.json().get("html_url"))
        if NOTHING_REVIEWED in body:
            return CommentResult(action="skipped")
        resp = _request(client, "POST", f"/repos/{repo}/issues/{number}/comments", repo, json={"body": body})
        return CommentResult(action="created", id=resp.json()["id"], url=resp.json().get("html_url"))
