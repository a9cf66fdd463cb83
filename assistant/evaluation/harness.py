"""``archie eval``: run the suites, compare with the tutorial baseline, gate on thresholds, report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from assistant.errors import BadInputError
from assistant.evaluation import datasets, runner
from assistant.evaluation.runner import ItemResult, SuiteResult
from assistant.index.library import Library
from assistant.settings import Settings

MAIN = {"ask": "pass_rate", "hype": "hype_rate", "injection": "resisted", "review": "defect_recall",
        "incidents": "exact_match", "capacity": "exact_match"}
LOWER_IS_BETTER = {"hype_rate", "false_high_rate", "latency_p50_s", "latency_p95_s"}


class GateFailure(BaseModel):
    suite: str
    metric: str
    value: float | None
    threshold: float
    direction: str


class EvalReport(BaseModel):
    started: str
    provider: str
    corpus: list[str]
    suites: list[SuiteResult]
    baseline: list[SuiteResult] = Field(default_factory=list)
    thresholds_file: str | None = None
    failures: list[GateFailure] = Field(default_factory=list)
    repeat: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


class Options(BaseModel):
    suites: list[str] = Field(default_factory=lambda: list(runner.SUITES))
    root: Path
    corpus: Path | None = None
    dataset: Path | None = None
    repeat: int = 1
    baseline: bool = False
    limit: int | None = None
    thresholds: Path | None = None
    home: Path | None = None


def _thresholds(path: Path | None, provider: str, custom: bool) -> dict[str, dict[str, dict[str, float]]]:
    if path is None or not path.exists():
        return {}
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    key = "shared" if custom else ("extractive" if provider == "extractive" else "model")
    return data.get(key) or {}


def gate(results: list[SuiteResult], limits: dict[str, dict[str, dict[str, float]]]) -> list[GateFailure]:
    out = []
    for s in results:
        for metric, rule in (limits.get(s.suite) or {}).items():
            v = s.metrics.get(metric)
            if "min" in rule and (v is None or v < rule["min"]):
                out.append(GateFailure(suite=s.suite, metric=metric, value=v, threshold=rule["min"], direction="min"))
            if "max" in rule and (v is None or v > rule["max"]):
                out.append(GateFailure(suite=s.suite, metric=metric, value=v, threshold=rule["max"], direction="max"))
    return out


def evaluate(settings: Settings, opt: Options, progress: runner.Progress | None = None) -> EvalReport:
    unknown = [s for s in opt.suites if s not in runner.SUITES]
    if unknown:
        raise BadInputError("--suite", f"unknown suite {unknown[0]!r}", f"use all or some of {', '.join(runner.SUITES)}")
    evals = opt.root / "evals"
    custom = opt.dataset is not None
    notes: list[str] = []
    if custom:
        ds = datasets.load_ask(opt.dataset)
        base = opt.corpus or ds.corpus
        if base is None:
            raise BadInputError("--corpus", "no corpus given and the dataset names none", "pass --corpus PATH")
        roots = [base / r for r in ds.roots] if ds.roots else [base]
        suites = ["ask"]
    else:
        corpus = opt.corpus or opt.root / "corpus"
        roots = [corpus]
        suites = opt.suites
    groups = {"main": roots}
    if "injection" in suites:  # documents carrying instructions get their own index, beside the corpus
        groups["injection"] = [*roots, evals / "injection"]
    for rs in groups.values():
        for r in rs:
            if not r.is_dir():
                raise BadInputError(str(r), "no such corpus directory", "pass --corpus PATH to a folder of Markdown documents")
    report = EvalReport(started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), provider=settings.llm,
                        corpus=[str(r) for r in roots], suites=[], notes=notes)
    threshold = settings.guard_support_threshold
    lim = opt.limit
    opened: list[Any] = []
    ctx: dict[str, tuple[Any, Any]] = {}

    def context(group: str) -> tuple[Library, Any]:
        if group not in ctx:
            home = opt.home / group if opt.home else runner.eval_home(settings.home, groups[group])
            lib = runner.ensure_index(settings.model_copy(update={"home": home}), groups[group])
            opened.append(lib)
            path_to_id = {d.path: d.id for d in lib.documents()}

            def ids(ref: str) -> set[str]:
                if "/" not in ref and not ref.endswith(".md"):
                    return {ref}
                return {i for p, i in path_to_id.items() if ref.endswith(p) or p.endswith(ref)}

            ctx[group] = (lib, (path_to_id, ids))
        return ctx[group]

    def pipe_for(group: str, kind: str) -> Any:
        key = f"{group}:{kind}"
        if key not in ctx:
            lib, (path_to_id, _) = context(group)
            if kind == "archie":
                p = runner.ArchiePipeline(lib)
            else:
                rel = dict(path_to_id)
                for path, i in path_to_id.items():
                    rel.setdefault(Path(path).name, i)
                p = runner.BaselinePipeline(lib.settings, groups[group], rel)
                report.notes.append(f"baseline ({group}): RecursiveCharacterTextSplitter at 1,000 characters, {p.chunks} chunks, "
                             f"Chroma similarity search, top {runner.BASELINE_K} chunks, no guard")
            opened.append(p)
            ctx[key] = (lib, p)
        return ctx[key][1]

    try:
        for kind in ["archie", "baseline"] if opt.baseline else ["archie"]:
            out: list[SuiteResult] = []
            runs: list[list[ItemResult]] = []
            for suite in suites:
                res: list[ItemResult] = []
                group = "injection" if suite == "injection" else "main"
                if suite in ("ask", "hype", "injection"):
                    pipe = pipe_for(group, kind)
                    ids = context(group)[1][1]
                    for n in range(max(1, opt.repeat)):
                        if suite == "ask":
                            items = ds.items if custom else datasets.load_ask(evals / "ask.yaml").items
                            got = runner.run_ask(pipe, items[:lim], threshold, ids, progress, n)
                        elif suite == "hype":
                            got = runner.run_hype(pipe, datasets.load_hype(evals / "hype.yaml")[:lim], threshold, progress, n)
                        else:
                            got = runner.run_injection(pipe, datasets.load_injection(evals / "injection.yaml")[:lim], progress, n)
                        runs.append(got)
                        res += got if n == 0 else []
                    m = {"ask": runner.ask_metrics, "hype": runner.hype_metrics, "injection": runner.injection_metrics}[suite](res)
                elif kind != "archie":
                    continue  # the baseline has no review, incident or capacity job
                else:
                    lib, _ = context(group)
                    if suite == "review":
                        res = runner.run_review(lib, opt.root / "corpus", evals / "review", progress)
                        m = runner.review_metrics(res)
                    elif suite == "incidents":
                        res = runner.run_incidents(lib, opt.root / "corpus")
                        m = runner.exact_metrics(res)
                    else:
                        res = runner.run_capacity(lib, datasets.load_capacity(evals / "capacity.yaml"))
                        m = runner.exact_metrics(res)
                out.append(SuiteResult(suite=suite, pipeline=kind, metrics=m, items=res))
            if kind == "archie":
                report.suites = out
                if opt.repeat > 1:
                    report.repeat = runner.repeat_summary(runs)
            else:
                report.baseline = out
    finally:
        for p in reversed(opened):  # pipelines before the libraries they use
            p.close()
    tfile = opt.thresholds or (evals / "thresholds.yaml")
    report.thresholds_file = str(tfile) if tfile.exists() else None
    report.failures = gate(report.suites, _thresholds(tfile, settings.llm, custom))
    if opt.repeat > 1 and settings.llm == "extractive":
        report.notes.append("--repeat with the extractive provider: answers are deterministic, so no item can flip")
    return report
