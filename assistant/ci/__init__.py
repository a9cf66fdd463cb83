"""archie in continuous integration: talking to the CI host (GitHub) about a review."""

from assistant.ci.github import CommentResult, GitHubError, upsert_comment

__all__ = ["CommentResult", "GitHubError", "upsert_comment"]
