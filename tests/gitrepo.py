"""Real git repositories made by tests: commits isolated from the user's git config, with fixed
authors and dates, and a sample repository whose head commit changes docs and code."""

from __future__ import annotations

import subprocess
from pathlib import Path

ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.com",
}


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str | None = None, author: str | None = None) -> str:
        env = {"PATH": "/usr/bin:/bin:/usr/local/bin", **ENV}
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        if author:
            env["GIT_AUTHOR_NAME"] = author
        out = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def write(self, rel: str, text: str) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        return p

    def commit(self, message: str, date: str = "2024-03-01T10:00:00+00:00", author: str | None = None) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date, author=author)
        return self.git("rev-parse", "HEAD")


ADR_1 = """# 1. Use PostgreSQL for orders

## Status

Accepted

## Context

Orders need transactions across the order and payment tables.

## Decision

Every service that stores orders must use PostgreSQL with synchronous replication.

## Consequences

We run one more database cluster.
"""

ADR_2 = """# 2. Retry budgets for service calls

## Status

Accepted

## Context

Retry storms took checkout down twice.

## Decision

All calls between services must have a timeout and a retry budget of at most 10% extra load.

## Consequences

Clients need a shared retry library.
"""

POSTMORTEM = """# PM-001: Checkout outage from a retry storm

Date: 2024-02-10
Severity: SEV1
Services: checkout

## Impact

Checkout failed for 40 minutes.

## Timeline

- 10:00 deploy
- 10:40 resolved

## Root cause

Clients retried without a budget and overloaded inventory.

## Action items

- Add retry budgets (owner: ada, open)
"""

OLD_DESIGN = """# Search indexing v1

## Context

We index products nightly.

## Goals

Fresh search results within a day.

## Proposal

A nightly batch job rebuilds the index.

## Alternatives

Streaming updates: more moving parts for little gain at our size.
"""

NEW_DESIGN = """# Cache inventory counts in checkout

## Context

Checkout calls inventory on every page view; inventory is our busiest service.

## Goals

Cut inventory calls from checkout by 80%.

## Proposal

Checkout keeps inventory counts in a Redis cache for 30 seconds. Retries have no cap, and calls
to inventory have no timeout. This revolutionary, world-class cache will scale infinitely.

## Rollout

The cache TTL is a runtime config push. An urgent push skips the canary stage and goes to every
checkout pod in one step.

## Alternatives

None.
"""


def sample_repo(root: Path) -> tuple[Repo, str, str]:
    """A repository whose base commit holds two ADRs, a postmortem, a design doc and code, and
    whose head commit (on a branch) adds a design doc, changes an ADR and changes the code.
    Returns (repo, base sha, head sha)."""
    repo = Repo(root)
    repo.write("docs/adr/0001-use-postgres.md", ADR_1)
    repo.write("docs/adr/0002-retry-budgets.md", ADR_2)
    repo.write("docs/postmortems/2024-02-10-checkout-retry-storm.md", POSTMORTEM)
    repo.write("docs/design/search-indexing.md", OLD_DESIGN)
    repo.write("src/app.py", "print('hello')\n")
    repo.write("README.md", "# Shop\n\nThe shop's code and docs.\n")
    base = repo.commit("Docs and code", date="2024-03-01T10:00:00+00:00")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("docs/design/inventory-cache.md", NEW_DESIGN)
    repo.write("docs/adr/0002-retry-budgets.md", ADR_2.replace("at most 10%", "at most 5%"))
    repo.write("src/app.py", "print('hello, world')\n")
    head = repo.commit("Inventory cache design; tighter retry budget", date="2024-04-02T09:30:00+00:00",
                       author="Grace Hopper")
    return repo, base, head
