"""Incident figures on the sample corpus match corpus/facts.yaml exactly."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from assistant.incidents import list_incidents, trends
from assistant.index.library import Library
from assistant.settings import Settings
from tests.conftest import CORPUS

PMS = [d for d in yaml.safe_load((CORPUS / "facts.yaml").read_text())["documents"] if d["kind"] == "postmortem"]


def _ts(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def _quarter(d: dt.date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


@pytest.fixture(scope="module")
def result(corpus_lib):
    return trends(corpus_lib, by="quarter")


def test_counts_per_quarter_severity_and_service(result) -> None:
    expected = Counter(_quarter(d["date"]) for d in PMS)
    assert {p.period: p.incidents for p in result.periods} == dict(expected)
    for p in result.periods:
        rows = [d for d in PMS if _quarter(d["date"]) == p.period]
        assert p.by_severity == dict(sorted(Counter(d["severity"] for d in rows).items()))
        assert p.by_service == dict(sorted(Counter(s for d in rows for s in d["services"]).items()))
        assert sorted(p.ids) == sorted(d["id"] for d in rows)


def test_mttr_and_mttd_per_quarter_with_the_incidents_behind_them(result) -> None:
    by_q: dict[str, list[dict]] = defaultdict(list)
    for d in PMS:
        by_q[_quarter(d["date"])].append(d)
    for p in result.periods:
        ttr = [(_ts(d["resolved"]) - _ts(d["started"])).total_seconds() / 60 for d in by_q[p.period]]
        ttd = [(_ts(d["detected"]) - _ts(d["started"])).total_seconds() / 60 for d in by_q[p.period]]
        assert p.mttr.median == round(statistics.median(ttr), 2) and p.mttr.mean == round(statistics.fmean(ttr), 2)
        assert p.mttd.median == round(statistics.median(ttd), 2)
        assert p.mttr.count == len(ttr) and p.mttr.missing == []


def test_mttr_definition_is_switchable(corpus_lib) -> None:
    mitig = trends(corpus_lib, by="quarter", mttr="started-to-mitigated")
    first = mitig.periods[0]
    rows = [d for d in PMS if _quarter(d["date"]) == first.period]
    assert first.mttr.median == round(statistics.median(
        (_ts(d["mitigated"]) - _ts(d["started"])).total_seconds() / 60 for d in rows), 2)


def test_repeat_incidents(result) -> None:
    expected = {(d["repeat_of"], d["id"]) for d in PMS if d["repeat_of"]}
    assert {(r.earlier, r.later) for r in result.repeats} == expected


def test_open_action_items_that_later_recurred(result) -> None:
    expected = {(d["matches_open_action_of"], d["id"]) for d in PMS if d["matches_open_action_of"]}
    assert {(r.earlier, r.later) for r in result.actions.recurrences} == expected
    opened = sum(1 for d in PMS for a in d["action_items"] if a["status"] == "open")
    assert result.actions.open == opened
    assert result.actions.oldest_open[0].incident == "PM-002"


def test_change_related_share(result) -> None:
    changed = sum(1 for d in PMS if d["trigger"] in ("deploy", "config"))
    assert (result.change_related, result.with_known_trigger) == (changed, len(PMS))


def test_missing_timestamps_are_counted_not_filled(tmp_path: Path) -> None:
    from assistant.index.indexer import Indexer

    root = tmp_path / "postmortems"
    root.mkdir()
    (root / "a.md").write_text("# PM-900: Something broke\n\nDate: 2025-02-03\nSeverity: SEV3\nServices affected: orders\n\n"
                               "## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n| 10:00 | first errors |\n| 10:20 | alert fired |\n")
    Indexer(Settings(home=tmp_path / "h")).run([root])
    with Library(Settings(home=tmp_path / "h")) as lib:
        rows = list_incidents(lib)
        t = trends(lib)
    assert rows[0].time_to_detect_min == 20 and rows[0].time_to_resolve_min is None and rows[0].trigger is None
    assert t.periods[0].mttr.count == 0 and t.periods[0].mttr.missing == ["PM-900"] and t.periods[0].mttr.median is None


def test_cli_json_carries_ids(corpus_index: Path) -> None:
    import os

    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.settings import get_settings

    os.environ["ARCHIE_HOME"] = str(corpus_index)
    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["incidents", "trends", "--by", "month", "--json"])
    data = json.loads(out.output)
    assert sum(p["incidents"] for p in data["periods"]) == len(PMS)
    assert all(p["mttr"]["incidents"] or p["mttr"]["missing"] for p in data["periods"])
    table = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["incidents", "list", "--service", "checkout"]).output
    assert "PM-005" in table and "PM-001" not in table


def test_planted_recurring_causes_form_named_clusters(result) -> None:
    by_cause: dict[str, set[str]] = defaultdict(set)
    for d in PMS:
        by_cause[d["cause_category"]].add(d["id"])
    def best(cause: str) -> tuple[int, str]:
        return max((len(by_cause[cause] & set(c.incidents)), c.name) for c in result.clusters)
    hits, name = best("cert-expiry")
    assert hits >= 3 and "certificate" in name
    hits, name = best("replica-lag")
    assert hits >= 5 and "replica" in name
    assert best("config-push")[0] >= 2 and best("retry-storm")[0] >= 3
    assert "Top recurring causes" in result.summary and "[PM-" in result.summary


def test_html_report_is_self_contained_with_charts(corpus_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.settings import get_settings

    monkeypatch.setenv("ARCHIE_HOME", str(corpus_index))
    get_settings.cache_clear()
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["incidents", "trends", "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert page.count("data:image/png;base64,") == 3 and "<table>" in page and "PM-036" in page
    for png in (tmp_path / "report-charts").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_similar_incidents_share_cause_service_and_say_why(corpus_index: Path, corpus_lib) -> None:
    from assistant.incidents.records import records
    from assistant.incidents.similar import similar
    from assistant.index.embeddings import get_embedder

    s = Settings(home=corpus_index)
    recs = records(corpus_lib.documents())
    cache: dict[str, object] = {}

    def embed(texts: list[str]):
        import numpy as np

        todo = [t for t in texts if t not in cache]
        if todo:
            cache.update(zip(todo, get_embedder(s).embed(todo), strict=True))
        return np.vstack([cache[t] for t in texts])

    top = similar("checkout errors after a feature flag was pushed to every pod at once", recs, embed, k=3)
    assert top[0].id == "PM-005" and top[0].shared_cause == "config-push" and "checkout" in top[0].shared_services
    assert "flag" in top[0].shared_terms and "config-push" in top[0].why
    # leave-one-out on the sample corpus: the nearest other incident mostly shares the cause
    by_id = {d["id"]: d for d in PMS}
    hits = 0
    for r in recs:
        best = similar(f"{r.title}. {(r.root_cause or '')[:700]}", recs, embed, k=1, exclude=r.id)[0]
        hits += by_id[best.id]["cause_category"] == by_id[r.id]["cause_category"]
    print(f"leave-one-out: nearest incident shares the cause for {hits}/{len(recs)}")
    assert hits / len(recs) >= 0.5


def test_cli_similar_and_extract(corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.settings import get_settings

    monkeypatch.setenv("ARCHIE_HOME", str(corpus_index))
    get_settings.cache_clear()
    runner = CliRunner(env={"COLUMNS": "200"})
    out = json.loads(runner.invoke(app, ["incidents", "similar", "payments certificate expired and Adyen calls failed",
                                         "-k", "2", "--json"]).output)
    assert out[0]["id"] in {"PM-002", "PM-015"} and out[0]["shared_cause"] == "cert-expiry"
    draft = next(CORPUS.glob("postmortems/2024-08-27-*.md"))
    by_file = json.loads(runner.invoke(app, ["incidents", "similar", "--file", str(draft), "--json"]).output)
    assert all(m["id"] != "PM-015" for m in by_file)  # a draft is not similar to itself
    assert by_file[0]["shared_cause"] == "cert-expiry" and "PM-002" in {m["id"] for m in by_file}
    shown = runner.invoke(app, ["incidents", "extract", str(draft), "--no-model"]).output
    assert "PM-015" in shown and "frontmatter" in shown
    bad = runner.invoke(app, ["incidents", "similar"])
    assert bad.exit_code != 0


def _empty_trends():
    import numpy as np

    from assistant.incidents import compute_trends

    return compute_trends([], lambda texts: np.zeros((len(texts), 4)))


@pytest.mark.parametrize("chart", ["incidents_by_severity", "mttr_per_period", "top_causes"])
def test_empty_trends_draw_a_png_without_warnings(chart: str, tmp_path: Path) -> None:
    import warnings

    from assistant.incidents import charts

    t = _empty_trends()
    assert t.incidents == 0 and t.periods == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # whatever the pytest config says
        png = getattr(charts, chart)(t, tmp_path / "chart.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("chart", ["incidents_by_severity", "mttr_per_period", "top_causes"])
def test_a_failing_draw_does_not_leak_its_figure(chart: str, tmp_path: Path) -> None:
    from assistant.incidents import charts

    plt = charts._plt()
    before = len(plt.get_fignums())
    with pytest.raises(FileNotFoundError):  # savefig into a directory that does not exist
        getattr(charts, chart)(_empty_trends(), tmp_path / "missing" / "chart.png")
    assert len(plt.get_fignums()) == before
