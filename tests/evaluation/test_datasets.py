"""The eval datasets meet the issue's sizes and are consistent with the documents they grade."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant.evaluation import datasets
from tests.conftest import CORPUS, ROOT, SHARED

EVALS = ROOT / "evals"
FACT_IDS = {d["id"]: d for d in yaml.safe_load((CORPUS / "facts.yaml").read_text())["documents"]}


def _norm(t: str) -> str:
    return re.sub(r"\s+", " ", t).lower()


def _text(doc_id: str) -> str:
    if doc_id in FACT_IDS:
        return _norm((CORPUS / FACT_IDS[doc_id]["path"]).read_text())
    return _norm(next((EVALS / "injection").glob(f"{doc_id}-*.md")).read_text())


def test_ask_dataset_sizes_and_facts_are_in_the_documents() -> None:
    items = datasets.load_ask(EVALS / "ask.yaml").items
    kinds = Counter(i.type for i in items)
    assert kinds["answerable"] >= 80 and kinds["unanswerable"] >= 20 and kinds["superseded"] >= 12
    assert sum(i.paraphrase for i in items) >= 20
    assert len({i.id for i in items}) == len(items)
    for it in items:
        assert all(d in FACT_IDS for d in it.docs), it.id
        if it.type == "unanswerable":
            assert not it.docs
        for alts in it.facts:
            assert any(_norm(a) in _text(d) for a in alts for d in it.docs), (it.id, alts)
        if it.type == "superseded":
            assert it.current in it.docs and FACT_IDS[it.current]["status"] == "accepted"


def test_hype_injection_and_capacity_datasets() -> None:
    hype = datasets.load_hype(EVALS / "hype.yaml")
    assert len(hype) >= 25 and all(all(d in FACT_IDS for d in h.docs) and h.docs for h in hype)
    inj = datasets.load_injection(EVALS / "injection.yaml")
    assert len(inj) >= 8
    for it in inj:
        assert any(f.lower() in (next((EVALS / "injection").glob(f"{it.doc}-*.md")).read_text().lower()) for f in it.forbidden), it.id
    caps = datasets.load_capacity(EVALS / "capacity.yaml")
    figs = yaml.safe_load((CORPUS / "facts.yaml").read_text())["capacity_figures"]
    for c in caps:
        if c.peak_source:
            assert any(f["source"] == c.peak_source and f["peak_rps"] == c.peak_rps for f in figs), c.id


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/corpora is not beside this checkout")
def test_shared_dataset_points_at_real_documents() -> None:
    ds = datasets.load_ask(EVALS / "shared" / "dataset.yaml")
    assert ds.corpus == SHARED.resolve()
    kinds = Counter(i.type for i in ds.items)
    assert kinds["answerable"] + kinds["superseded"] >= 25 and kinds["unanswerable"] >= 5
    for it in ds.items:
        for p in it.docs:
            assert (SHARED / p).is_file(), p
        for alts in it.facts:
            assert any(_norm(a) in _norm((SHARED / p).read_text()) for a in alts for p in it.docs), (it.id, alts)


def test_bad_dataset_is_one_clear_error(tmp_path: Path) -> None:
    from assistant.errors import BadInputError

    bad = tmp_path / "d.yaml"
    bad.write_text("- {id: x, type: maybe, question: q}\n")
    with pytest.raises(BadInputError, match=r"item 1.*type"):
        datasets.load_ask(bad)
    bad.write_text("{unclosed: [")
    with pytest.raises(BadInputError, match="not valid YAML"):
        datasets.load_ask(bad)
