"""The eval report: Markdown (for people and pull requests), JSON (everything), and a chart of
the per-suite scores beside them."""

from __future__ import annotations

from pathlib import Path

from assistant.evaluation.harness import LOWER_IS_BETTER, MAIN, EvalReport
from assistant.evaluation.runner import SuiteResult

MAX_FAILING_SHOWN = 12


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def score_of(s: SuiteResult) -> float | None:
    v = s.metrics.get(MAIN[s.suite])
    return None if v is None else (1 - v if MAIN[s.suite] in LOWER_IS_BETTER else v)


def markdown(r: EvalReport, chart: str | None = None) -> str:
    base = {s.suite: s for s in r.baseline}
    out = [f"# archie eval ({r.provider})", "",
           f"{'**PASSED**' if r.passed else '**FAILED**'} the thresholds in `{r.thresholds_file or '(none)'}` · "
           f"{r.started} · corpus: {', '.join(f'`{c}`' for c in r.corpus)}", ""]
    if chart:
        out += [f"![per-suite scores]({chart})", ""]
    for note in r.notes:
        out.append(f"> {note}")
    if r.notes:
        out.append("")
    if r.failures:
        out += ["## Gate failures", "", "| suite | metric | value | threshold |", "|---|---|---|---|"]
        out += [f"| {f.suite} | {f.metric} | {_fmt(f.value)} | {f.direction} {f.threshold} |" for f in r.failures]
        out.append("")
    for s in r.suites:
        b = base.get(s.suite)
        out += [f"## {s.suite}", "", "| metric | archie |" + (" baseline |" if b else ""), "|---|---|" + ("---|" if b else "")]
        for k, v in s.metrics.items():
            out.append(f"| {k} | {_fmt(v)} |" + (f" {_fmt(b.metrics.get(k))} |" if b else ""))
        failing = [i for i in s.items if not i.passed]
        out += ["", f"{len(s.items) - len(failing)} of {len(s.items)} items pass."]
        if failing:
            out += ["", "<details><summary>Failing items</summary>", ""]
            for i in failing[:MAX_FAILING_SHOWN]:
                out.append(f"- **{i.id}** {i.question}")
                out.append(f"  - why: {'; '.join(i.why) or 'below threshold'}")
                if i.answer:
                    out.append(f"  - answer: {i.answer[:300].replace(chr(10), ' ')}")
                if i.evidence:
                    out.append(f"  - evidence: {', '.join(i.evidence)}")
            if len(failing) > MAX_FAILING_SHOWN:
                out.append(f"- ... and {len(failing) - MAX_FAILING_SHOWN} more (see the JSON report)")
            out += ["", "</details>"]
        out.append("")
    if r.repeat:
        n = r.repeat["runs"]
        at_k = r.repeat.get(f"pass@{n}")
        out += ["## Repeats", "", f"{n} runs; mean pass {_fmt(r.repeat['mean_pass'])}, "
                f"all-runs pass {_fmt(r.repeat['min_pass'])}, pass@{n} {_fmt(at_k)}.",
                "", "Unstable items (the verdict flips between runs): " + (", ".join(r.repeat["unstable"]) or "none"), ""]
    return "\n".join(out).rstrip() + "\n"


def chart(r: EvalReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    suites = [s.suite for s in r.suites]
    ours = [score_of(s) or 0.0 for s in r.suites]
    base = {s.suite: score_of(s) for s in r.baseline}
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=120)
    try:
        x = range(len(suites))
        w = 0.38 if base else 0.6
        ax.bar([i - (w / 2 if base else 0) for i in x], ours, width=w, label="archie", color="#2b6cb0")
        if base:
            ax.bar([i + w / 2 for i in x], [base.get(s) or 0.0 for s in suites], width=w, label="tutorial baseline", color="#c0c0c0")
        for i, v in enumerate(ours):
            ax.text(i - (w / 2 if base else 0), v + 0.02, f"{v:.2f}", ha="center", fontsize=8)
        ax.set_xticks(list(x), [f"{s}\n({MAIN[s].replace('_', ' ')}{' inv.' if MAIN[s] in LOWER_IS_BETTER else ''})" for s in suites], fontsize=7)
        ax.set_ylim(0, 1.1)
        ax.set_ylabel("score (higher is better)")
        ax.set_title(f"archie eval, {r.provider}", fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        if base:
            ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)


def write(r: EvalReport, md_path: Path) -> tuple[Path, Path, Path]:
    md_path.parent.mkdir(parents=True, exist_ok=True)
    png = md_path.with_suffix(".png")
    js = md_path.with_suffix(".json")
    chart(r, png)
    md_path.write_text(markdown(r, png.name), encoding="utf-8")
    js.write_text(r.model_dump_json(indent=2), encoding="utf-8")
    return md_path, js, png
