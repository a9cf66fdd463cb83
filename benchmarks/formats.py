"""Conversion throughput per format: documents/s and MB/s, cold (converted in the bounded child
process), in-process (the same conversion without the process boundary, to show its cost) and
cached (an unchanged file read back from the content-hash cache).

    python -m benchmarks.formats [--quick]      or  python -m benchmarks.run --only formats

Inputs are the real fixtures and the corpus samples of each format (tests/fixtures/formats/real,
corpus/), plus one generated 40-page PDF and one 400-paragraph Word file for size.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "formats" / "real"
FILES = {
    "pdf": [ROOT / "corpus/postmortems/2026-10-27-region-loss-drill-vcpu-quota.pdf", REAL / "pdflatex-outline.pdf",
            REAL / "Seige_of_Vicksburg_Sample_OCR.pdf", REAL / "crazyones.pdf"],
    "docx": [ROOT / "corpus/design/013-region-loss-readiness.docx", REAL / "par-known-styles.docx",
             REAL / "blk-paras-and-tables.docx"],
    "html": [ROOT / "corpus/postmortems/2026-11-12-notifications-batch-deploy.html", REAL / "quickref.html",
             ROOT / "tests/fixtures/formats/made/gdocs-retry-budget-notes.html"],
    "rst": [REAL / "quickstart.rst", ROOT / "corpus/adr/0033-cloud-quotas-are-capacity.rst"],
    "adoc": [REAL / "asciidoctor-syntax.adoc"],
}


def _generated(tmp: Path) -> dict[str, Path]:
    """A 40-page report PDF (reportlab) and a 400-paragraph Word file (python-docx)."""
    import docx
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = tmp / "forty-pages.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4)
    for page in range(1, 41):
        c.setFont("Helvetica", 8)
        c.drawString(72, 800, "Generated benchmark report")
        c.drawString(500, 30, f"Page {page}")
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, 760, f"Section {page}")
        c.setFont("Helvetica", 10)
        for n in range(50):
            c.drawString(72, 740 - n * 13, f"Line {n} of section {page}: capacity, latency and error budgets per region.")
        c.showPage()
    c.save()
    d = docx.Document()
    for n in range(40):
        d.add_heading(f"Section {n}", level=1)
        for m in range(10):
            d.add_paragraph(f"Paragraph {m} of section {n} says what was decided and why, with its trade-offs.")
    word = tmp / "four-hundred-paragraphs.docx"
    d.save(str(word))
    return {"pdf": pdf, "docx": word}


def _rate(count: int, size: int, seconds: float) -> dict:
    return {"docs_per_s": round(count / seconds, 2), "mb_per_s": round(size / seconds / 1e6, 3),
            "ms_per_doc": round(1000 * seconds / count, 1)}


def run(tmp: Path, reps: int = 3) -> dict:
    from assistant.documents.formats import ConvertLimits, convert_file
    from assistant.documents.formats.models import FORMAT_OF_SUFFIX
    from assistant.documents.formats.worker import convert_bytes

    files = {k: list(v) for k, v in FILES.items()}
    for fmt, path in _generated(tmp).items():
        files[fmt].append(path)
    limits = ConvertLimits()
    out: dict = {}
    for fmt, paths in files.items():
        blobs = [(p, p.read_bytes()) for p in paths]
        size = sum(len(b) for _, b in blobs) * reps
        count = len(blobs) * reps
        t = time.perf_counter()
        for _ in range(reps):
            for p, b in blobs:
                convert_file(p, b, None, limits)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(reps):
            for p, b in blobs:
                convert_bytes(FORMAT_OF_SUFFIX[p.suffix.lower()], b, p.name, limits)
        inproc = time.perf_counter() - t
        cache = tmp / f"cache-{fmt}"
        for p, b in blobs:
            convert_file(p, b, cache, limits)
        t = time.perf_counter()
        for _ in range(reps):
            for p, b in blobs:
                convert_file(p, b, cache, limits)
        cached = time.perf_counter() - t
        out[fmt] = {"files": len(blobs), "bytes": size // reps, "cold": _rate(count, size, cold),
                    "in_process": _rate(count, size, inproc), "cached": _rate(count, size, cached),
                    "cached_speedup": round(cold / cached, 1)}
    per_doc = [v["cold"]["ms_per_doc"] for v in out.values()]
    out["median_cold_ms_per_doc"] = round(statistics.median(per_doc), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one repetition instead of three")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="archie-bench-formats-") as tmp:
        print(json.dumps(run(Path(tmp), 1 if args.quick else 3), indent=2))


if __name__ == "__main__":
    main()
