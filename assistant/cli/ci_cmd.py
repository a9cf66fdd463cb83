"""``archie ci``: archie inside a CI job (the GitHub Action calls these)."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli.common import console, print_json, settings
from assistant.errors import BadInputError

app = typer.Typer(help="Run archie in CI: post the review where the team sees it.", no_args_is_help=True)


@app.command("comment")
def comment(
    body: Path = typer.Option(..., "--body", help="Markdown file to post (from `archie review --summary FILE`)."),
    pr: int = typer.Option(..., "--pr", help="Pull-request number."),
    repo: str = typer.Option(None, "--repo", help="owner/name (default: GITHUB_REPOSITORY)."),
    api_url: str = typer.Option(None, "--api-url", help="GitHub REST API root (default: GITHUB_API_URL or api.github.com)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was done as JSON."),
) -> None:
    """Post the review summary on a pull request, or update archie's earlier comment there.

    The comment is found by a hidden marker (`<!-- archie-review -->`), so each push edits the
    same comment instead of adding one. A summary saying no design docs changed updates an
    existing comment but never starts one. The token comes from GITHUB_TOKEN (never a flag).

    Example: `GITHUB_TOKEN=... archie ci comment --body review.md --repo acme/platform --pr 42`
    """
    from assistant.ci.github import upsert_comment

    s = settings()
    repo = repo or s.github_repository
    if not repo:
        raise BadInputError("--repo", "no repository given", "pass --repo owner/name or set GITHUB_REPOSITORY")
    if s.github_token is None or not s.github_token.get_secret_value():
        raise BadInputError("GITHUB_TOKEN", "not set", "set GITHUB_TOKEN (in a workflow: ${{ github.token }})")
    if not body.is_file():
        raise BadInputError(str(body), "no such file", "write it with `archie review ... --summary FILE`")
    result = upsert_comment(api_url=api_url or s.github_api_url, repo=repo, number=pr,
                            token=s.github_token.get_secret_value(), body=body.read_text(encoding="utf-8"))
    if as_json:
        print_json(result)
    else:
        console.print(f"{result.action} comment{f' {result.url}' if result.url else ''}", highlight=False)
