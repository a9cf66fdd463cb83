"""The full review against the sample corpus's index: every planted defect in the corpus design
docs is caught (conflicts cite the ADR in force, incidents the postmortem), clean docs get no
high finding, superseded and rejected ADRs never raise conflicts, and the SARIF output validates
against the official 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.documents import read_file
from assistant.evaluation.review_eval import corpus_cases, eval_cases, score
from assistant.review import review, review_text
from assistant.review.render import markdown, sarif
from assistant.settings import Settings, get_settings
from tests.conftest import CORPUS, ROOT

SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
EVAL_REVIEW = ROOT / "evals" / "review"


@pytest.fixture(scope="module")
def reviewed(corpus_lib) -> dict[str, tuple[Path, dict, object]]:
    return {case["id"]: (p, case, review(p, corpus_lib)) for p, case in corpus_cases(CORPUS)}


def test_every_planted_corpus_defect_is_caught_and_clean_docs_get_no_high(reviewed: dict) -> None:
    missed, false_high, total = [], [], 0
    for doc_id, (p, case, r) in reviewed.items():
        res = score(doc_id, read_file(p, get_settings()).text, r, case)
        total += res.expected
        missed += [(doc_id, m.category, m.what) for m in res.missed]
        false_high += res.false_high
    assert total >= 30
    assert not missed, missed
    assert not false_high, false_high


def test_conflicts_cite_only_decisions_in_force(reviewed: dict, corpus_lib) -> None:
    status = {d.id: d for d in corpus_lib.list_documents()}
    conflicts = [f for _, _, r in reviewed.values() for f in r.findings if f.category == "conflict"]
    assert len(conflicts) >= 8
    for f in conflicts:
        for ref in f.references:
            d = status[ref.doc_id]
            assert d.kind.value == "adr" and d.status.value == "accepted" and not d.superseded_by, (f.problem, ref.doc_id)
            assert ref.doc_id in f.problem and ref.quote  # names the decision and quotes its rule


def test_a_rejected_adr_raises_precedent_not_conflict(reviewed: dict) -> None:
    _, _, r = reviewed["DD-002"]
    prec = [f for f in r.findings if f.category == "precedent"]
    assert prec and prec[0].references[0].doc_id == "ADR-0014" and prec[0].references[0].status == "rejected"
    assert not any(ref.doc_id == "ADR-0014" for f in r.findings if f.category == "conflict" for ref in f.references)
    assert "MongoDB" in prec[0].evidence  # on the line that re-proposes it, not the top of the file


def test_incident_repeats_cite_postmortems_and_their_lines(reviewed: dict) -> None:
    p, _, r = reviewed["DD-009"]
    incidents = [f for f in r.findings if f.category == "incident"]
    cited = {ref.doc_id for f in incidents for ref in f.references}
    assert {"PM-005", "PM-008", "PM-050"} <= cited
    lines = p.read_text().splitlines()
    for f in incidents:
        assert f.evidence and f.evidence[:40] in lines[f.line_start - 1]


def test_precedent_coverage_is_reported(reviewed: dict) -> None:
    _, _, r = reviewed["DD-004"]
    backed = sum(1 for f in r.findings if f.references) / len(r.findings)
    assert r.precedent_checked and r.precedent_coverage == pytest.approx(backed, abs=0.001) and backed > 0.3
    assert f"{backed:.0%} of findings backed by your own ADRs or postmortems" in r.verdict


def test_without_an_index_the_review_says_what_it_skipped(tmp_path: Path) -> None:
    r = review(CORPUS / "design" / "009-checkout-config-fast-path.md", None, settings=Settings(home=tmp_path))
    assert not r.precedent_checked and "No index" in r.notes[0]
    assert not any(f.category in ("conflict", "incident") for f in r.findings)
    assert any(f.rule.endswith("/canary") and f.severity == "high" for f in r.findings)  # the doc-only check still fires


def test_mentioning_a_pattern_is_not_using_it() -> None:
    doc = ("# Tidy the checkout logs\n\n## Context\n\nPayments runs a strangler (ADR-0022) and a saga (ADR-0013); neither changes.\n\n"
           "## Proposal\n\nDrop two noisy log lines from the checkout request path.\n\n## Alternatives\n\nKeep them: costs 2 TB a month.\n")
    r = review_text(doc)
    assert r.patterns == [] and not any(f.category == "pattern" for f in r.findings)


def test_sarif_validates_against_the_official_schema(reviewed: dict) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for doc_id in ("DD-004", "DD-009", "DD-005"):
        p, _, r = reviewed[doc_id]
        log = sarif(r, "corpus/design/" + p.name)
        errors = [e.message for e in validator.iter_errors(log)]
        assert not errors, errors
        results = log["runs"][0]["results"]
        assert len(results) == len(r.findings)
        rules = log["runs"][0]["tool"]["driver"]["rules"]
        for res, f in zip(results, r.findings, strict=True):
            assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == f.rule
            region = res["locations"][0]["physicalLocation"]["region"]
            assert region["startLine"] == f.line_start and res["level"] == {"high": "error", "medium": "warning"}.get(f.severity, "note")
    bad = sarif(reviewed["DD-004"][2])
    bad["runs"][0]["results"][0]["level"] = "fatal"  # the validator does reject a bad log
    assert list(validator.iter_errors(bad))


def test_markdown_groups_by_severity_and_quotes_precedent(reviewed: dict) -> None:
    md = markdown(reviewed["DD-001"][2])
    assert md.startswith("### archie review: Checkout payment saga v2")
    assert md.index("#### High") < md.index("#### Medium")
    assert "Precedent: ADR-0013" in md and "<details><summary>Low" in md


def test_cli_formats_no_model_and_exit_codes(corpus_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIE_HOME", str(corpus_index))
    runner = CliRunner(env={"COLUMNS": "200"})
    doc = str(CORPUS / "design" / "012-inventory-client-retries.md")
    out = runner.invoke(app, ["review", doc, "--format", "sarif", "-o", str(tmp_path / "r.sarif"), "--no-model"])
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"
    md = runner.invoke(app, ["review", doc, "--format", "markdown"])
    assert "ADR-0009" in md.output and "PM-004" in md.output
    assert runner.invoke(app, ["review", doc, "--fail-on", "high"]).exit_code == 1
    bad = runner.invoke(app, ["review", doc, "--format", "pdf"])
    assert bad.exit_code != 0 and "unknown format" in str(bad.exception)


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "b.md").write_bytes(b"\x00\x01binary")
    (tmp_path / "e.md").write_text("   \n")
    runner = CliRunner()
    for name, expect in (("b.md", "binary"), ("e.md", "empty"), ("missing.md", "no such file")):
        out = runner.invoke(app, ["review", str(tmp_path / name)])
        assert out.exit_code != 0
        assert expect in str(out.exception) or expect in out.output


@pytest.mark.skipif(not (EVAL_REVIEW / "expected.yaml").exists(), reason="evals/review is not in this checkout")
def test_planted_defect_eval_docs_recall_and_clean(corpus_lib) -> None:
    cases = eval_cases(EVAL_REVIEW)
    assert len([c for _, c in cases if not c.get("clean")]) >= 15
    missed, false_high = [], []
    for p, case in cases:
        res = score(case["id"], read_file(p, get_settings()).text, review(p, corpus_lib), case)
        missed += [(case["id"], m.category, m.what) for m in res.missed]
        false_high += res.false_high
    assert not missed, missed
    assert not false_high, false_high
