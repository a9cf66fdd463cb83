"""`make bench`: performance as ratios measured in one run (figures go in the README).

    python -m benchmarks.run [--only index,reindex,retrieval,rss] [--quick]

- index:     indexing throughput / raw embedding throughput on the same chunks (target >= 0.9)
- reindex:   re-index of an unchanged generated 1,000-document tree: embeddings computed (0)
             and wall time as a share of the first index (target <= 5%)
- retrieval: hybrid search latency (warm, k=8) at 1k / 10k / 100k chunks with synthetic
             vectors: p50 / p95, and p95(100k) / p95(1k) (target <= 3)
- rss:       peak RSS of `archie index` over ~10k chunks, in a child process (target <= 1.5 GB)
- api:       200 concurrent /v1/ask and /v1/search requests on a uvicorn server: p50 / p95
- formats:   conversion of .pdf/.docx/.html/.rst/.adoc: documents/s and MB/s, cold vs cached
- startup:   `archie --help` and `archie docs list` as fresh processes (targets 0.3 s and 1.0 s)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results"
WORDS = ["latency", "capacity", "kafka", "postgres", "replica", "timeout", "retry", "budget", "checkout", "orders", "payments", "inventory", "search", "identity", "cache", "region", "failover", "certificate", "deploy", "config", "canary", "saga", "event", "schema", "ledger", "throughput", "queue", "partition", "consumer", "index", "shard", "rollout", "rollback", "alert", "pager", "error", "budget"]


def zipf_vocabulary(n: int = 20_000, seed: int = 5) -> tuple[list[str], np.ndarray]:
    """Pseudo-words with Zipfian frequencies, like real text (a 40-word vocabulary would make
    every BM25 posting list cover most documents, which no real corpus does)."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = [*WORDS, *("".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(n - len(WORDS)))]
    weights = 1.0 / np.arange(1, len(words) + 1)
    return words, weights / weights.sum()


def _settings(home: Path):
    from assistant.settings import Settings

    return Settings(home=home)


def bench_index(tmp: Path) -> dict:
    from assistant.documents import read_document
    from assistant.index.chunking import chunk_document
    from assistant.index.embeddings import MiniLMEmbedding
    from assistant.index.indexer import Indexer

    corpus = ROOT / "corpus"
    files = [p for p in sorted(corpus.rglob("*.md")) if p.name != "README.md"]
    chunks = [c for p in files for c in chunk_document(read_document(p, corpus.parent))]
    embedder = MiniLMEmbedding()
    embedder.embed(["warm up"])
    t = time.perf_counter()
    embedder.embed([c.embed_text for c in chunks])
    raw = len(chunks) / (time.perf_counter() - t)
    s = _settings(tmp / "index-home")
    t = time.perf_counter()
    summary = Indexer(s).run([corpus])
    indexing = summary.chunks_embedded / (time.perf_counter() - t)
    return {"chunks": len(chunks), "raw_embed_chunks_per_s": round(raw, 1),
            "index_chunks_per_s": round(indexing, 1), "ratio": round(indexing / raw, 3), "target": ">= 0.9"}


def _generate_tree(root: Path, docs: int, sections: int, words: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for i in range(docs):
        folder = root / ("adr", "design", "postmortems")[i % 3]
        folder.mkdir(parents=True, exist_ok=True)
        parts = [f"# Generated document {i}\n\nDate: 2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n"]
        for j in range(sections):
            body = " ".join(rng.choice(WORDS) for _ in range(words))
            parts.append(f"## Section {j}\n\n{body.capitalize()}.\n")
        (folder / f"{i:05d}-generated.md").write_text("\n".join(parts))


def bench_reindex(tmp: Path, docs: int = 1000) -> dict:
    from assistant.index.embeddings import get_embedder
    from assistant.index.indexer import Indexer

    root = tmp / "tree1k"
    _generate_tree(root, docs, sections=2, words=40)
    s = _settings(tmp / "reindex-home")
    t = time.perf_counter()
    first = Indexer(s).run([root])
    t_first = time.perf_counter() - t
    calls = get_embedder(s).calls
    t = time.perf_counter()
    second = Indexer(s).run([root])
    t_second = time.perf_counter() - t
    return {"documents": docs, "chunks": first.chunks_total, "first_s": round(t_first, 2),
            "unchanged_s": round(t_second, 2), "embeddings_on_reindex": get_embedder(s).calls - calls,
            "unchanged_share": round(t_second / t_first, 4), "unchanged_reported": second.unchanged,
            "target": "0 embeddings, <= 5% of first"}


def _fill(settings, n: int, rng: np.random.Generator) -> None:
    from assistant.index.embeddings import get_embedder
    from assistant.index.store import Store

    vocab, probs = zipf_vocabulary()
    with Store(settings, get_embedder(settings), create=True) as store:
        store.bump_generation()
        batch = 2000
        for start in range(0, n, batch):
            m = min(batch, n - start)
            vecs = rng.standard_normal((m, 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            ids = [f"SYN-{i // 5:06d}::{i:08x}" for i in range(start, start + m)]
            picks = rng.choice(len(vocab), size=(m, 60), p=probs)
            texts = [" ".join(vocab[int(x)] for x in row) for row in picks]
            metas = [{"doc_id": i.split("::")[0], "title": "synthetic", "kind": ("adr", "design", "postmortem")[k % 3],
                      "status": "accepted", "date": "2024-01-01", "date_num": 20240101, "services": "orders",
                      "svc_orders": True, "section": "Body", "path": "syn.md", "line_start": 1, "line_end": 2,
                      "content_hash": "x", "file_hash": "x", "chunk_index": 0, "chunk_count": 1,
                      "superseded_by": "", "supersedes": ""} for k, i in enumerate(ids)]
            store.upsert_chunks(ids, vecs, texts, metas)
        store.bump_generation()


def bench_retrieval(tmp: Path, sizes: tuple[int, ...] = (1_000, 10_000, 100_000), queries: int = 60) -> dict:
    from assistant.index.library import Library

    rng = np.random.default_rng(3)
    out: dict = {}
    qs = [" ".join(random.Random(i).sample(WORDS, 4)) for i in range(queries)]  # frequent words: the hard case
    for n in sizes:
        s = _settings(tmp / f"ret-{n}")
        t = time.perf_counter()
        _fill(s, n, rng)
        fill_s = time.perf_counter() - t
        with Library(s) as r:
            r.search("warm up the lexical index", k=8)
            lat = []
            for q in qs:
                t = time.perf_counter()
                r.search(q, k=8)
                lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        out[str(n)] = {"p50_ms": round(statistics.median(lat), 1), "p95_ms": round(lat[int(0.95 * len(lat)) - 1], 1),
                       "fill_s": round(fill_s, 1)}
    if "1000" in out and str(sizes[-1]) in out:
        out["p95_ratio_largest_to_1k"] = round(out[str(sizes[-1])]["p95_ms"] / out["1000"]["p95_ms"], 2)
        out["target"] = "p95(100k) <= 3 x p95(1k)"
    return out


def bench_rss(tmp: Path, docs: int = 2500) -> dict:
    root = tmp / "tree10k"
    _generate_tree(root, docs, sections=4, words=45, seed=11)
    code = (
        "import resource, sys; from pathlib import Path; from assistant.settings import Settings;"
        "from assistant.index.indexer import Indexer;"
        f"s=Indexer(Settings(home=Path({str(tmp / 'rss-home')!r}))).run([Path({str(root)!r})]);"
        "print(s.chunks_total, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    chunks, rss_kb = res.stdout.split()
    return {"chunks": int(chunks), "peak_rss_mb": round(int(rss_kb) / 1024, 1), "seconds": round(time.perf_counter() - t, 1),
            "target": "<= 1536 MB"}


CAUSES = [
    ("config-push", "config", "A Switchboard push changed {k} on every {s} pod at once without a canary."),
    ("cert-expiry", "other", "The {s} client certificate expired because renewal of {k} was manual."),
    ("replica-lag", "capacity", "The {s} replica fell behind the primary during a {k} batch and served stale reads."),
    ("capacity", "capacity", "{s} ran out of database connections when traffic for {k} tripled."),
    ("retry-storm", "dependency", "The {s} client retried {k} calls with no backoff and amplified a slow dependency."),
    ("bad-deploy", "deploy", "A deploy of {s} shipped a {k} regression that tests did not cover."),
]


def bench_trends(tmp: Path, n: int = 1000) -> dict:
    """`incidents trends` work (records, stats, clustering, action items) on n generated postmortems."""
    from assistant.documents import read_document
    from assistant.incidents import compute_trends
    from assistant.index.embeddings import MiniLMEmbedding

    rng = random.Random(13)
    root = tmp / "pm1k" / "postmortems"
    root.mkdir(parents=True)
    services = ["checkout", "orders", "payments", "inventory", "search", "identity"]
    for i in range(n):
        cause, trig, tmpl = rng.choice(CAUSES)
        svc, key = rng.choice(services), rng.choice(WORDS)
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 1400))
        start = dt.datetime(day.year, day.month, day.day, rng.randrange(0, 20), rng.randrange(0, 60))
        det = start + dt.timedelta(minutes=rng.randrange(2, 40))
        mit = det + dt.timedelta(minutes=rng.randrange(10, 300))
        res = mit + dt.timedelta(minutes=rng.randrange(5, 600))
        # root causes as long as real ones (the analysis embeds up to 400 characters of each)
        rc = tmpl.format(s=svc, k=key) + " " + " ".join(rng.choice(WORDS) for _ in range(45)).capitalize() + "."
        (root / f"{i:05d}.md").write_text(
            f"---\nid: GEN-{i:05d}\nkind: postmortem\ntitle: {svc} incident {i}\ndate: {day}\nseverity: SEV{rng.randint(1, 4)}\n"
            f"services: [{svc}]\nstarted: {start.isoformat()}Z\ndetected: {det.isoformat()}Z\nmitigated: {mit.isoformat()}Z\n"
            f"resolved: {res.isoformat()}Z\ntrigger: {trig}\ncause_category: {cause}\nroot_cause: \"{rc}\"\n"
            f"action_items:\n  - {{text: \"Fix {key} for {svc}\", owner: SRE, status: {rng.choice(['open', 'closed'])}}}\n---\n"
            f"# GEN-{i:05d}: {svc} incident {i}\n\n## Root cause\n\n{rc}\n")
    from assistant.incidents import trends
    from assistant.index.embeddings import get_embedder
    from assistant.index.indexer import Indexer
    from assistant.index.library import Library

    s = _settings(tmp / "trends-home")
    t = time.perf_counter()
    Indexer(s).run([root])
    index_s = time.perf_counter() - t
    get_embedder(s).embed(["warm up"])
    calls = get_embedder(s).calls
    t = time.perf_counter()
    with Library(s) as lib:
        result = trends(lib, by="quarter")
    seconds = time.perf_counter() - t
    # the same analysis re-embedding every root cause, for comparison
    docs = [read_document(p, root.parent) for p in sorted(root.glob("*.md"))]
    emb = MiniLMEmbedding()
    t = time.perf_counter()
    compute_trends(docs, emb.embed, by="quarter")
    fresh_s = time.perf_counter() - t
    return {"postmortems": n, "seconds": round(seconds, 2), "texts_embedded": get_embedder(s).calls - calls,
            "seconds_if_reembedding": round(fresh_s, 2), "index_seconds": round(index_s, 1),
            "periods": len(result.periods), "target": "< 10 s"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="startup,index,reindex,retrieval,rss,trends,icco,api,review,formats")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args()
    os.environ.setdefault("ARCHIE_HOME", tempfile.mkdtemp(prefix="archie-bench-"))
    tmp = Path(tempfile.mkdtemp(prefix="archie-bench-"))
    results: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    try:
        for name in args.only.split(","):
            t = time.perf_counter()
            if name == "startup":
                from benchmarks.startup import run as startup

                results["startup"] = startup(tmp)
            elif name == "index":
                results["index"] = bench_index(tmp)
            elif name == "reindex":
                results["reindex"] = bench_reindex(tmp, 200 if args.quick else 1000)
            elif name == "retrieval":
                results["retrieval"] = bench_retrieval(tmp, (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000))
            elif name == "trends":
                results["trends"] = bench_trends(tmp, 200 if args.quick else 1000)
            elif name == "icco":
                from benchmarks.icco import run as icco

                results["icco"] = {str(t): icco(t) for t in (0.55, 0.75)}
            elif name == "api":
                from benchmarks.api import run as api

                results["api"] = api(tmp, 50 if args.quick else 200)
            elif name == "review":
                from benchmarks.review import run as review_bench

                results["review"] = review_bench(tmp)
            elif name == "formats":
                from benchmarks.formats import run as formats_bench

                results["formats"] = formats_bench(tmp, 1 if args.quick else 3)
            elif name == "rss":
                results["rss"] = bench_rss(tmp, 500 if args.quick else 2500)
            print(f"{name}: {json.dumps(results[name])}  ({time.perf_counter() - t:.0f}s)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"wrote {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
