"""CLI start-up as fresh processes: `archie --help` and `archie docs list` on the sample corpus.

Targets (issue #14): --help <= 0.3 s, docs list <= 1.0 s (median wall time of a new process).
`python -c pass` is timed alongside as the machine's floor, so a busy machine shows as a high floor.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHIE = Path(sys.executable).parent / "archie"


def _median_wall(cmd: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(cmd, env=env, capture_output=True, check=True)  # warm the page cache
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3)


def run(tmp: Path, runs: int = 7) -> dict:
    env = {**os.environ, "ARCHIE_HOME": str(tmp / "startup-home")}
    subprocess.run([str(ARCHIE), "index", str(ROOT / "corpus")], env=env, capture_output=True, check=True)
    floor = _median_wall([sys.executable, "-c", "pass"], env, runs)
    help_s = _median_wall([str(ARCHIE), "--help"], env, runs)
    list_s = _median_wall([str(ARCHIE), "docs", "list"], env, runs)
    return {"python_floor_s": floor, "help_s": help_s, "docs_list_s": list_s,
            "target": "--help <= 0.3 s, docs list <= 1.0 s"}
