"""`archie review` on a 10-page design doc, offline: cold (first review in a process, which loads
the index's ADRs and postmortems and the embedding model) and warm (median of five)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["004-inventory-events-v2.md", "009-checkout-config-fast-path.md", "012-inventory-client-retries.md",
         "001-checkout-payment-saga-v2.md", "010-identity-session-cache.md", "005-orders-active-active.md"]


def ten_pages(words: int = 5000) -> str:
    """~500 words a page: real corpus design docs stitched under one title, headings demoted."""
    out, n = ["# Fulfilment platform v3 (combined design)\n", "Status: draft\n"], 0
    for name in PARTS:
        body = (ROOT / "corpus" / "design" / name).read_text().split("\n---\n", 1)[-1]
        for line in body.splitlines():
            out.append("#" + line if line.startswith("#") else line)
            n += len(line.split())
        if n >= words:
            break
    return "\n".join(out) + "\n"


def run(tmp: Path) -> dict:
    from assistant.index.indexer import Indexer
    from assistant.index.library import Library
    from assistant.review import review_text
    from assistant.settings import Settings

    s = Settings(home=tmp / "review-home")
    Indexer(s).run([ROOT / "corpus"])
    text = ten_pages()
    t = time.perf_counter()
    with Library(s) as lib:
        first = review_text(text, lib, "ten-pages.md")
        cold = time.perf_counter() - t
        warm = []
        for _ in range(5):
            t = time.perf_counter()
            review_text(text, lib, "ten-pages.md")
            warm.append(time.perf_counter() - t)
    doc_only = []
    for _ in range(5):
        t = time.perf_counter()
        review_text(text, None, "ten-pages.md", settings=s)
        doc_only.append(time.perf_counter() - t)
    # a new process, as a CLI user runs it (the index's vectors are cached on disk by now)
    doc = tmp / "ten-pages.md"
    doc.write_text(text)
    env = {**os.environ, "ARCHIE_HOME": str(s.home)}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant.cli", "review", str(doc), "--format", "json"], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    cli = time.perf_counter() - t
    return {"words": len(text.split()), "lines": text.count("\n"), "findings": len(first.findings),
            "first_review_after_indexing_s": round(cold, 2), "cli_process_s": round(cli, 2), "warm_median_s": round(statistics.median(warm), 2),
            "doc_only_median_s": round(statistics.median(doc_only), 3), "target": "< 2 s"}
