"""Real postmortems nobody here wrote: durations feed MTTR, and similar incidents agree with the
collector's own categories."""

from __future__ import annotations

import pytest

from benchmarks.icco import SHARED, run

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="../shared/corpora is not beside this checkout")


def test_icco_similarity_agrees_with_the_collectors_labels() -> None:
    r = run()
    assert r["postmortems"] >= 180 and r["with_duration"] >= 130  # start_time / end_time -> time to resolve
    assert r["similar_first_shares_a_category"] >= 0.8
    assert r["purity"] > r["majority_label_share"]  # clusters are purer than always guessing the top label
