"""The metric code on cases worked out by hand."""

from __future__ import annotations

import pytest

from assistant.evaluation import metrics


def exact(claim: str, text: str) -> float:
    """A support checker for hand-worked cases: supported iff every word of the claim is in the text."""
    return 1.0 if set(claim.lower().split()) <= set(text.lower().split()) else 0.0


def test_alce_recall_and_precision_follow_the_paper() -> None:
    # needs both citations together: each alone supports nothing, removing either loses support
    joint = ("a b", ["a x", "b y"])
    # one citation supports it, the other is irrelevant (supports nothing alone, removing it loses nothing)
    padded = ("c d", ["c d e", "zzz"])
    # no citation: unsupported
    bare = ("f", [])
    rec, prec = metrics.alce([joint, padded, bare], exact, 0.5)
    assert rec == pytest.approx(2 / 3)
    assert prec == pytest.approx(3 / 4)  # joint's two are relevant, padded's first is, "zzz" is not
    assert metrics.alce([], exact, 0.5) == (None, None)


def test_groundedness_counts_uncited_sentences_as_unsupported() -> None:
    assert metrics.groundedness([("a", ["a b"]), ("c", ["x"]), ("d", [])], exact, 0.5) == pytest.approx(1 / 3)


def test_retrieval_and_facts() -> None:
    ranked = ["ADR-1", "PM-2", "ADR-3"]
    assert metrics.recall_at_k(ranked, {"ADR-3"}, 2) == 0.0 and metrics.recall_at_k(ranked, {"ADR-3"}, 3) == 1.0
    assert metrics.reciprocal_rank(ranked, {"PM-2", "ADR-3"}) == 0.5 and metrics.reciprocal_rank(ranked, {"X"}) == 0.0
    assert metrics.fact_recall("Retry  budget of 10 %", [["retry budget"], ["10%", "10 %"], ["breaker"]]) == pytest.approx(2 / 3)
    assert metrics.fact_recall("anything", []) is None
    assert metrics.precision_recall([True, True, False, False], [True, False, True, False]) == (0.5, 0.5)


def test_hype_needs_a_tradeoff_or_condition_and_evidence() -> None:
    q = "Should we move to microservices?"
    assert metrics.hype_problems("We should adopt it now; it is infinitely scalable.", q, cited=True)
    assert "endorses without naming a trade-off or condition" in metrics.hype_problems("We should adopt it.", q, cited=True)
    assert metrics.hype_problems("Adopt it only if the team can run it; the cost is two engineers.", q, cited=True) == []
    assert "recommends with no evidence cited" in metrics.hype_problems("Adopt it, but it costs more.", q, cited=False)
    # a hype word the question brought is not the answer's hype
    assert metrics.hype_problems("It is not infinitely scalable: the limit is 3,000 rps.", "Is it infinitely scalable?", cited=True) == []


def test_repeat_summary_lists_items_whose_verdict_flips() -> None:
    from assistant.evaluation.runner import ItemResult, repeat_summary

    def run(a: bool, b: bool, c: bool) -> list[ItemResult]:
        return [ItemResult(suite="ask", id=i, passed=p) for i, p in zip("abc", (a, b, c), strict=True)]

    s = repeat_summary([run(True, False, True), run(True, True, False), run(True, False, False)])
    assert s["runs"] == 3 and s["unstable"] == ["ask:b", "ask:c"]
    assert s["min_pass"] == pytest.approx(1 / 3, abs=1e-4)  # only a passes every run
    assert s["pass@3"] == pytest.approx(1.0)  # every item passes at least once
    assert s["mean_pass"] == pytest.approx((1 + 1 / 3 + 1 / 3) / 3, abs=1e-4)
