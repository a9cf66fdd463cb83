"""``archie eval``: groundedness, hype and the other metrics, gated on thresholds."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.cli.common import console, settings
from assistant.errors import BadInputError


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_cmd(
        suite: str = typer.Option("all", "--suite", help="all, or a comma list of ask, hype, injection, review, incidents, capacity."),
        provider: str = typer.Option(None, "--provider", help="extractive | openai | llamacpp (default: ARCHIE_LLM)."),
        corpus: Path = typer.Option(None, "--corpus", help="Another organisation's documents (with --dataset)."),
        dataset: Path = typer.Option(None, "--dataset", help="An ask dataset over --corpus (see evals/shared/dataset.yaml)."),
        repeat: int = typer.Option(1, "--repeat", min=1, max=20, help="Run model suites N times: mean, min, pass@N, unstable items."),
        report: Path = typer.Option(None, "--report", help="Write Markdown here, with .json and .png beside it."),
        baseline: bool = typer.Option(False, "--baseline", help="Also run the tutorial RAG pipeline and show both."),
        limit: int = typer.Option(None, "--limit", min=1, help="Only the first N items of each dataset (quick model runs)."),
        thresholds: Path = typer.Option(None, "--thresholds", help="Thresholds file (default evals/thresholds.yaml)."),
    ) -> None:
        """Measure whether archie tells the truth, and fail when it gets worse.

        Retrieval recall@k and MRR, citation validity, ALCE citation recall / precision,
        groundedness, required facts, abstention, hype, review defect recall, incident and
        capacity figures. Exits 1 when a metric is below its threshold.

        Examples: `archie eval --suite ask,hype --baseline`,
        `archie eval --corpus ../shared/corpora --dataset evals/shared/dataset.yaml`
        """
        from assistant.evaluation.harness import Options, evaluate
        from assistant.evaluation.report import markdown, score_of, write
        from assistant.evaluation.runner import SUITES

        root = Path.cwd()
        if not (root / "evals").is_dir():
            raise BadInputError("evals/", "not found in the current directory", "run archie eval from the project root")
        if (corpus is None) != (dataset is None) and dataset is None:
            raise BadInputError("--corpus", "needs --dataset", "pass both --corpus PATH and --dataset FILE")
        s = settings()
        if provider:
            if provider not in ("extractive", "openai", "llamacpp"):
                raise BadInputError("--provider", f"unknown provider {provider!r}", "use extractive, openai or llamacpp")
            s = s.model_copy(update={"llm": provider})
        suites = list(SUITES) if suite == "all" else [x.strip() for x in suite.split(",") if x.strip()]
        opt = Options(suites=suites, root=root, corpus=corpus.resolve() if corpus else None,
                      dataset=dataset.resolve() if dataset else None, repeat=repeat, baseline=baseline, limit=limit,
                      thresholds=thresholds)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as bar:
            tasks: dict[str, int] = {}

            def progress(name: str, done: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(f"eval {name}", total=None)
                bar.update(tasks[name], completed=done)

            result = evaluate(s, opt, progress)
        base = {x.suite: x for x in result.baseline}
        table = Table(title=f"archie eval ({result.provider})", show_lines=False)
        table.add_column("suite")
        table.add_column("metric")
        table.add_column("archie", justify="right")
        if base:
            table.add_column("baseline", justify="right")
        for x in result.suites:
            for k, v in x.metrics.items():
                row = [x.suite, k, "–" if v is None else f"{v:.3f}"]
                if base:
                    bv = base[x.suite].metrics.get(k) if x.suite in base else None
                    row.append("–" if bv is None else f"{bv:.3f}")
                table.add_row(*row)
        console.print(table)
        for x in result.suites:
            fails = sum(1 for i in x.items if not i.passed)
            sc = score_of(x)
            console.print(f"{x.suite}: {len(x.items) - fails}/{len(x.items)} items pass" + (f", score {sc:.3f}" if sc is not None else ""))
        for note in result.notes:
            console.print(f"[dim]{note}[/]")
        if report:
            md, js, png = write(result, report)
            console.print(f"wrote {md}, {js.name}, {png.name}")
        elif not result.passed:
            console.print(markdown(result).split("## ask")[0])
        for f in result.failures:
            console.print(f"[bold red]below threshold:[/] {f.suite} {f.metric} = {f.value} ({f.direction} {f.threshold})")
        if not result.passed:
            raise typer.Exit(1)
        console.print("[green]all metrics at or above their thresholds[/]" if result.thresholds_file else "no thresholds file")
