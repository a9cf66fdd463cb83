"""The corpus documents in converted formats against their ground truth (corpus/facts.yaml), through
convert_file + parse_text (the path read_document takes for these formats), and the sample generator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant.documents import file_hash, parse_text
from assistant.documents.formats import convert_file
from assistant.models import Document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
FORMATS = ROOT / "tests" / "fixtures" / "formats"
FACTS = yaml.safe_load((CORPUS / "facts.yaml").read_text())
PENDING = [e for e in FACTS["documents"] if not e["path"].endswith(".md")]


@pytest.fixture(scope="module")
def parsed() -> dict[str, Document]:
    out = {}
    for e in PENDING:
        path = CORPUS / e["path"]
        data = path.read_bytes()
        out[e["id"]] = parse_text(convert_file(path, data).markdown, f"corpus/{e['path']}", file_hash(data))
    return out


def _iso(value: object) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None  # type: ignore[attr-defined]


@pytest.mark.parametrize("entry", PENDING, ids=[e["id"] for e in PENDING])
def test_parser_recovers_every_fact_from_the_converted_file(entry: dict, parsed: dict[str, Document]) -> None:
    d = parsed[entry["id"]]
    assert (d.id, d.kind.value, d.title, str(d.date)) == (entry["id"], entry["kind"], entry["title"], str(entry["date"]))
    if entry["kind"] == "adr":
        assert d.adr is not None and d.adr.format == entry["format"] and d.status.value == entry["status"]
        assert d.adr.supersedes == entry["supersedes"] and d.adr.superseded_by == []
        return
    if entry["kind"] == "design":
        # no front matter in a Word file: status and owner come from its "Key: value" lines
        assert d.design is not None and d.design.owner == entry["owner"]
        assert d.status.value == "proposed" and entry["status"] == "In review"
        return
    pm = d.postmortem
    assert pm is not None and sorted(d.services) == sorted(entry["services"])
    assert pm.severity == entry["severity"]
    for name in ("started", "detected", "mitigated", "resolved"):
        assert _iso(getattr(pm, name)) == entry[name], name
    assert (pm.trigger, pm.cause_category, pm.peak_rps) == (entry["trigger"], entry["cause_category"], entry["peak_rps"])
    assert [(a.text, a.owner, a.status) for a in pm.action_items] == [
        (a["text"], a["owner"], a["status"]) for a in entry["action_items"]]


def test_new_documents_fit_the_corpus() -> None:
    known = {e["id"] for e in FACTS["documents"]}
    assert len(PENDING) == 4 and {e["id"] for e in PENDING} <= known
    newest_md_pm = max(str(e["date"]) for e in FACTS["documents"] if e["kind"] == "postmortem" and e not in PENDING)
    for e in PENDING:
        assert newest_md_pm < str(e["date"]) < "2026-12-06"
        assert (CORPUS / e["path"]).is_file()
        assert e["path"] not in (CORPUS / ".archieignore").read_text()  # indexed like every other document
    for ref in ("ADR-0027", "DD-011", "ADR-0031", "ADR-0018", "ADR-0016"):
        assert ref in known


def test_sample_generator_output_is_up_to_date() -> None:
    proc = subprocess.run([sys.executable, str(FORMATS / "make_samples.py"), "--check"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
