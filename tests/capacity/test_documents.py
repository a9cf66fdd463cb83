"""Capacity from the sample corpus, checked by hand against corpus/facts.yaml."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
import yaml

from assistant.capacity import ask, headroom
from assistant.errors import BadInputError
from tests.conftest import CORPUS, VENV_BIN

TODAY = dt.date(2026, 11, 24)
FIGS = yaml.safe_load((CORPUS / "facts.yaml").read_text())["capacity_figures"]


def _fig(source: str) -> dict:
    return next(f for f in FIGS if f["source"] == source)


def test_checkout_headroom_uses_the_black_friday_peak_and_the_newest_limit(corpus_lib) -> None:
    r = headroom(corpus_lib, "checkout", today=TODAY, survive_region_loss=True)
    peak, plan_doc = _fig("PM-036")["peak_rps"], _fig("DD-011")
    by = {i.name: i for i in r.inputs}
    assert (by["peak_rps"].value, by["peak_rps"].source) == (peak, "PM-036")
    assert (by["limit_rps"].value, by["limit_rps"].source) == (plan_doc["limit_rps"], "DD-011")
    assert by["peak_rps"].age_days == (TODAY - _fig("PM-036")["measured"]).days
    assert r.figure("utilization") == round(peak / plan_doc["limit_rps"], 4)  # 5100 / 6000 = 0.85
    g = (1.35) ** (1 / 12) - 1
    assert r.figure("months_to_limit") == round(math.log(6000 / 5100) / math.log(1 + g), 2)
    assert r.figure("per_region_needed_after_loss_rps") == 5100 and r.figure("survives_region_loss") == 0
    assert r.verdict == "over capacity"


def test_orders_headroom_and_stale_figures(corpus_lib) -> None:
    r = headroom(corpus_lib, "orders", today=TODAY)
    by = {i.name: i for i in r.inputs}
    assert (by["peak_rps"].value, by["peak_rps"].source) == (2300, "DD-005")  # PM-016's 2,300 is stale, PM-048's 1,950 lower
    assert r.figure("utilization") == round(2300 / 4000, 4) and r.verdict == "ok"
    old = headroom(corpus_lib, "orders", today=TODAY, max_age_days=30)
    assert any("days old" in w for w in old.warnings)


def test_cli_values_that_contradict_documents_are_flagged(corpus_lib) -> None:
    r = headroom(corpus_lib, "payments", today=TODAY, overrides={"peak_rps": 2000.0})
    assert any("contradicts DD-008 (620)" in w for w in r.warnings)
    cost = _fig("DD-008")
    assert r.figure("cost_per_customer_usd_month") == round(cost["cost_usd_month"] / cost["customers"], 2)


def test_ask_in_words_without_a_model(corpus_lib) -> None:
    r = ask(corpus_lib, "Can checkout take 3x Black Friday?", today=TODAY)
    assert r.verdict == "over capacity" and r.figure("utilization") == round(3 * 5100 / 6000, 4)
    assert any("multiplier 3" in a for a in r.assumptions)
    with pytest.raises(BadInputError) as exc:
        ask(corpus_lib, "Can the moon base take double?", today=TODAY)
    assert "names no service" in str(exc.value) and "checkout" in exc.value.hint
    with pytest.raises(BadInputError, match="no capacity figures"):
        headroom(corpus_lib, "notifications", today=TODAY)


def test_cli_plan_json_and_errors(tmp_path: Path) -> None:
    import json
    import subprocess

    out = subprocess.run([str(VENV_BIN / "archie"), "capacity", "plan", "--peak", "1200rps", "--limit", "5000rps",
                          "--growth", "40%/year", "--json"], capture_output=True, text=True, timeout=60)
    data = json.loads(out.stdout)
    assert data["verdict"] == "ok" and any(f["name"] == "months_to_limit" for f in data["figures"])
    bad = subprocess.run([str(VENV_BIN / "archie"), "capacity", "plan", "--peak", "1200rps", "--limit", "5000rps",
                          "--target-utilization", "1.2"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and bad.stderr.startswith("error: --target-utilization") and "Traceback" not in bad.stderr
