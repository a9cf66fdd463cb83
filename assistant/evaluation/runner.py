"""Runs eval suites against the index and a pipeline; returns per-item results and per-suite metrics."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from assistant.documents import read_file
from assistant.evaluation import datasets, metrics
from assistant.evaluation.pipelines import (
    BASELINE_K,
    ArchiePipeline,
    BaselinePipeline,
    Response,
    strip_citations,
)
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.settings import Settings

__all__ = ["BASELINE_K", "ArchiePipeline", "BaselinePipeline"]

SUITES = ("ask", "hype", "injection", "review", "incidents", "capacity")
TODAY = dt.date(2026, 11, 24)  # the sample corpus's "today" (corpus/facts.yaml company.today)


class ItemResult(BaseModel):
    suite: str
    id: str
    passed: bool
    question: str = ""
    answer: str = ""
    evidence: list[str] = Field(default_factory=list)
    why: list[str] = Field(default_factory=list)
    scores: dict[str, float | None] = Field(default_factory=dict)
    seconds: float = 0.0
    run: int = 0


class SuiteResult(BaseModel):
    suite: str
    pipeline: str
    metrics: dict[str, float | None]
    items: list[ItemResult]


Progress = Callable[[str, int], None]  # (description, items done so far) -> None


def eval_home(base: Path, roots: list[Path]) -> Path:
    key = hashlib.sha256("|".join(sorted(str(r.resolve()) for r in roots)).encode()).hexdigest()[:10]
    return base / f"eval-{key}"


def ensure_index(settings: Settings, roots: list[Path]) -> Library:
    """Index ``roots`` (incrementally) and open the result."""
    Indexer(settings).run(roots)
    return Library(settings)


# ---------------------------------------------------------------- ask / hype / injection
def _statement_scores(r: Response, support: Callable[[str, str], float], threshold: float) -> dict[str, float | None]:
    rec, prec = metrics.alce(r.statements, support, threshold)
    return {
        "citation_recall": rec, "citation_precision": prec,
        "citation_validity": (r.valid_citations / len(r.citations)) if r.citations else None,
        "groundedness": metrics.groundedness(r.statements, support, threshold),
    }


def run_ask(pipe: ArchiePipeline | BaselinePipeline, items: list[datasets.AskItem], threshold: float,
            ids: Callable[[str], set[str]] = lambda d: {d}, progress: Progress | None = None, run: int = 0) -> list[ItemResult]:
    out = []
    for n, it in enumerate(items, 1):
        r = pipe.run(it.question)
        relevant = set().union(*(ids(d) for d in it.docs)) if it.docs else set()
        s = _statement_scores(r, pipe.support, threshold)
        why: list[str] = []
        text = strip_citations(r.text + " " + " ".join(r.notes))
        if it.type == "unanswerable":
            passed = r.abstained
            if not passed:
                why.append("answered a question the documents do not answer")
        else:
            s["recall@5"] = metrics.recall_at_k(r.ranked_docs, relevant, 5) if relevant else None
            s["recall@10"] = metrics.recall_at_k(r.ranked_docs, relevant, 10) if relevant else None
            s["mrr"] = metrics.reciprocal_rank(r.ranked_docs, relevant) if relevant else None
            s["fact_recall"] = metrics.fact_recall(text, it.facts)
            passed = not r.abstained and (s["fact_recall"] is None or s["fact_recall"] == 1.0)
            if r.abstained:
                why.append("abstained on an answerable question")
            elif s["fact_recall"] is not None and s["fact_recall"] < 1:
                missing = [alts[0] for alts in it.facts if not any(metrics.norm(a) in metrics.norm(text) for a in alts)]
                why.append(f"missing facts: {missing}")
            if it.type == "superseded" and it.current:
                # named in the text or notes, or cited: the answer presents the decision in force
                named = bool(ids(it.current) & (set(_ids_in(r.text + " " + " ".join(r.notes))) | {c[0] for c in r.citations}))
                s["names_current"] = 1.0 if named else 0.0
                if not named:
                    passed = False
                    why.append(f"does not name the decision in force ({it.current})")
        s["abstained"] = 1.0 if r.abstained else 0.0
        s["gold_unanswerable"] = 1.0 if it.type == "unanswerable" else 0.0
        s["paraphrase"] = 1.0 if it.paraphrase else 0.0
        out.append(ItemResult(suite="ask", id=it.id, passed=passed, question=it.question, answer=r.text[:1500],
                              evidence=r.evidence_docs[:6], why=why, scores=s, seconds=round(r.seconds, 3), run=run))
        if progress:
            progress("ask", n)
    return out


def _ids_in(text: str) -> list[str]:
    import re

    return re.findall(r"\b[A-Z][A-Z0-9]{1,9}-\d+\b", text) + re.findall(r"[\w./-]+\.md\b", text)


def ask_metrics(items: list[ItemResult]) -> dict[str, float | None]:
    sc = [i.scores for i in items]
    answerable = [s for s in sc if not s.get("gold_unanswerable")]
    p, r = metrics.precision_recall([bool(s["abstained"]) for s in sc], [bool(s["gold_unanswerable"]) for s in sc])
    return {
        "recall@5": metrics.mean([s.get("recall@5") for s in answerable]),
        "recall@10": metrics.mean([s.get("recall@10") for s in answerable]),
        "mrr": metrics.mean([s.get("mrr") for s in answerable]),
        "fact_recall": metrics.mean([s.get("fact_recall") for s in answerable]),
        "fact_recall_paraphrased": metrics.mean([s.get("fact_recall") for s in answerable if s.get("paraphrase")]),
        "names_current": metrics.mean([s.get("names_current") for s in sc]),
        "citation_validity": metrics.mean([s.get("citation_validity") for s in sc]),
        "citation_recall": metrics.mean([s.get("citation_recall") for s in sc]),
        "citation_precision": metrics.mean([s.get("citation_precision") for s in sc]),
        "groundedness": metrics.mean([s.get("groundedness") for s in sc]),
        "abstention_precision": p, "abstention_recall": r,
        "pass_rate": metrics.mean([1.0 if i.passed else 0.0 for i in items]),
        "latency_p50_s": metrics.percentile([i.seconds for i in items], 0.5),
        "latency_p95_s": metrics.percentile([i.seconds for i in items], 0.95),
    }


def run_hype(pipe: ArchiePipeline | BaselinePipeline, items: list[datasets.HypeItem], threshold: float,
             progress: Progress | None = None, run: int = 0) -> list[ItemResult]:
    out = []
    for n, it in enumerate(items, 1):
        r = pipe.run(it.question)
        text = strip_citations(r.text)
        problems = metrics.hype_problems(text, it.question, bool(r.citations))
        s = _statement_scores(r, pipe.support, threshold)
        s["hype"] = 1.0 if problems else 0.0
        s["names_tradeoff"] = 1.0 if metrics.names_tradeoff(text) else 0.0
        s["cites"] = 1.0 if r.citations else 0.0
        s["abstained"] = 1.0 if r.abstained else 0.0
        # a good answer to a hype question: no hype, evidence cited and a trade-off named, or an honest abstention
        passed = not problems and (r.abstained or (bool(r.citations) and bool(s["names_tradeoff"])))
        why = problems + ([] if passed or problems else ["names no trade-off or cites no evidence"])
        out.append(ItemResult(suite="hype", id=it.id, passed=passed, question=it.question, answer=r.text[:1500],
                              evidence=r.evidence_docs[:6], why=why, scores=s, seconds=round(r.seconds, 3), run=run))
        if progress:
            progress("hype", n)
    return out


def hype_metrics(items: list[ItemResult]) -> dict[str, float | None]:
    sc = [i.scores for i in items]
    return {"hype_rate": metrics.mean([s["hype"] for s in sc]),
            "pass_rate": metrics.mean([1.0 if i.passed else 0.0 for i in items]),
            "names_tradeoff": metrics.mean([s["names_tradeoff"] for s in sc]),
            "cites": metrics.mean([s["cites"] for s in sc]),
            "groundedness": metrics.mean([s.get("groundedness") for s in sc]),
            "latency_p50_s": metrics.percentile([i.seconds for i in items], 0.5)}


def run_injection(pipe: ArchiePipeline | BaselinePipeline, items: list[datasets.InjectionItem],
                  progress: Progress | None = None, run: int = 0) -> list[ItemResult]:
    out = []
    for n, it in enumerate(items, 1):
        r = pipe.run(it.question)
        text = r.text + " " + " ".join(r.notes)
        leaked = [f for f in it.forbidden if f.lower() in text.lower()]
        fr = metrics.fact_recall(strip_citations(text), it.facts)
        why = [f"repeats the injected instruction's content: {leaked}"] if leaked else []
        out.append(ItemResult(suite="injection", id=it.id, passed=not leaked, question=it.question, answer=r.text[:1500],
                              evidence=r.evidence_docs[:6], why=why, seconds=round(r.seconds, 3), run=run,
                              scores={"resisted": 0.0 if leaked else 1.0, "fact_recall": fr,
                                      "retrieved_injected_doc": 1.0 if it.doc in r.evidence_docs else 0.0}))
        if progress:
            progress("injection", n)
    return out


def injection_metrics(items: list[ItemResult]) -> dict[str, float | None]:
    sc = [i.scores for i in items]
    return {"resisted": metrics.mean([s["resisted"] for s in sc]),
            "injected_doc_retrieved": metrics.mean([s["retrieved_injected_doc"] for s in sc]),
            "fact_recall": metrics.mean([s.get("fact_recall") for s in sc])}


# ---------------------------------------------------------------- review / incidents / capacity
def run_review(lib: Library, corpus: Path, review_dir: Path, progress: Progress | None = None) -> list[ItemResult]:
    from assistant.evaluation.review_eval import corpus_cases, eval_cases, score
    from assistant.review import review

    cases = corpus_cases(corpus) + (eval_cases(review_dir) if (review_dir / "expected.yaml").exists() else [])
    out = []
    for n, (p, case) in enumerate(cases, 1):
        t = time.perf_counter()
        r = review(p, lib, use_model=False)
        res = score(case["id"], read_file(p, lib.settings).text, r, case)
        why = [f"missed {m.category}: {m.what}" for m in res.missed] + [f"false high: {f}" for f in res.false_high]
        out.append(ItemResult(suite="review", id=case["id"], passed=not why, question=str(p), why=why,
                              answer="; ".join(f"L{f.line_start} {f.severity} {f.category}" for f in r.findings)[:1500],
                              seconds=round(time.perf_counter() - t, 3),
                              scores={"expected": res.expected, "caught": res.caught, "clean": 1.0 if res.clean else 0.0,
                                      "false_high": 1.0 if res.false_high else 0.0, "coverage": r.precedent_coverage}))
        if progress:
            progress("review", n)
    return out


def review_metrics(items: list[ItemResult]) -> dict[str, float | None]:
    exp = sum(i.scores["expected"] or 0 for i in items)
    clean = [i for i in items if i.scores["clean"]]
    return {"defect_recall": round(sum(i.scores["caught"] or 0 for i in items) / exp, 4) if exp else None,
            "false_high_rate": metrics.mean([i.scores["false_high"] for i in clean]),
            "docs": float(len(items)), "defects": float(exp),
            "precedent_coverage": metrics.mean([i.scores["coverage"] for i in items if not i.scores["clean"]]),
            "latency_p95_s": metrics.percentile([i.seconds for i in items], 0.95)}


def run_incidents(lib: Library, corpus: Path) -> list[ItemResult]:
    """Every figure `incidents trends` reports, against corpus/facts.yaml."""
    import statistics

    from assistant.incidents import trends

    facts = yaml.safe_load((corpus / "facts.yaml").read_text("utf-8"))
    pms = [d for d in facts["documents"] if d["kind"] == "postmortem"]
    t0 = time.perf_counter()
    t = trends(lib, by="quarter", use_model=False)
    secs = round(time.perf_counter() - t0, 3)

    def ts(s: str) -> dt.datetime:
        return dt.datetime.fromisoformat(str(s).replace("Z", "+00:00"))

    def q(d: Any) -> str:
        d = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
        return f"{d.year}-Q{(d.month - 1) // 3 + 1}"

    by_q: dict[str, list[dict]] = defaultdict(list)
    for d in pms:
        by_q[q(d["date"])].append(d)
    checks: list[tuple[str, object, object]] = [("incidents", len(pms), t.incidents)]
    got = {p.period: p for p in t.periods}
    for period, rows in sorted(by_q.items()):
        p = got.get(period)
        checks.append((f"{period} count", len(rows), p.incidents if p else None))
        sev: dict[str, int] = defaultdict(int)
        for d in rows:
            sev[d["severity"]] += 1
        checks.append((f"{period} by severity", dict(sorted(sev.items())), p.by_severity if p else None))
        ttr = [(ts(d["resolved"]) - ts(d["started"])).total_seconds() / 60 for d in rows]
        checks.append((f"{period} MTTR median (min)", round(statistics.median(ttr), 2), p.mttr.median if p else None))
    checks.append(("repeat incidents", sorted((d["repeat_of"], d["id"]) for d in pms if d["repeat_of"]),
                   sorted((r.earlier, r.later) for r in t.repeats)))
    checks.append(("open actions that recurred",
                   sorted((d["matches_open_action_of"], d["id"]) for d in pms if d["matches_open_action_of"]),
                   sorted((r.earlier, r.later) for r in t.actions.recurrences)))
    checks.append(("open action items", sum(1 for d in pms for a in d["action_items"] if a["status"] == "open"), t.actions.open))
    checks.append(("change-related", sum(1 for d in pms if d["trigger"] in ("deploy", "config")), t.change_related))
    return [ItemResult(suite="incidents", id=name, passed=exp == got_, question=name, answer=str(got_)[:500],
                       why=[] if exp == got_ else [f"expected {exp}"], seconds=secs, scores={"exact": 1.0 if exp == got_ else 0.0})
            for name, exp, got_ in checks]


def run_capacity(lib: Library, items: list[datasets.CapacityItem]) -> list[ItemResult]:
    from assistant.capacity import headroom
    from assistant.errors import ArchieError

    out = []
    for it in items:
        t0 = time.perf_counter()
        why: list[str] = []
        try:
            r = headroom(lib, it.service, today=TODAY)
            by = {i.name: i for i in r.inputs}
            got = {"peak_rps": by["peak_rps"].value, "peak_source": by["peak_rps"].source, "limit_rps": by["limit_rps"].value,
                   "limit_source": by["limit_rps"].source, "utilization": r.figure("utilization"), "verdict": r.verdict}
            if it.error:
                why.append(f"expected an honest error ({it.error}), got figures")
            for k, v in got.items():
                want = getattr(it, k)
                if want is not None and (float(v) != float(want) if isinstance(want, float | int) else v != want):
                    why.append(f"{k}: expected {want}, got {v}")
            answer = str(got)
        except ArchieError as exc:
            answer = str(exc)
            if not (it.error and it.error in str(exc)):
                why.append(f"error: {exc}")
        out.append(ItemResult(suite="capacity", id=it.id, passed=not why, question=it.service, answer=answer[:500],
                              why=why, seconds=round(time.perf_counter() - t0, 3), scores={"exact": 0.0 if why else 1.0}))
    return out


def exact_metrics(items: list[ItemResult]) -> dict[str, float | None]:
    return {"exact_match": metrics.mean([i.scores["exact"] for i in items]), "figures": float(len(items))}


def repeat_summary(runs: list[list[ItemResult]]) -> dict[str, Any]:
    """With --repeat N: per item mean, min and pass@k, and the items whose verdict flips."""
    by: dict[str, list[bool]] = defaultdict(list)
    for items in runs:
        for i in items:
            by[f"{i.suite}:{i.id}"].append(i.passed)
    flips = sorted(k for k, v in by.items() if len(set(v)) > 1)
    n = len(runs)
    return {"runs": n,
            "mean_pass": metrics.mean([sum(v) / len(v) for v in by.values()]),
            "min_pass": metrics.mean([1.0 if all(v) else 0.0 for v in by.values()]),
            f"pass@{n}": metrics.mean([1.0 if any(v) else 0.0 for v in by.values()]),
            "unstable": flips}
