"""The sample corpus against its ground truth (corpus/facts.yaml), document by document."""

from __future__ import annotations

import functools
import re
from collections import Counter

import pytest
import yaml

from assistant.documents import read_document, read_file, readable, resolve_links
from assistant.documents.common import normalise_status
from assistant.documents.markdown import paragraphs, parse_markdown
from assistant.models import Document
from assistant.settings import get_settings
from tests.conftest import CORPUS

FACTS = yaml.safe_load((CORPUS / "facts.yaml").read_text())
ENTRIES = FACTS["documents"]


@pytest.fixture(scope="module")
def parsed() -> dict[str, Document]:
    docs = {e["id"]: read_document(CORPUS / e["path"], CORPUS.parent) for e in ENTRIES}
    resolve_links(list(docs.values()))
    return docs


def _text(entry: dict) -> str:
    """A corpus file's text as archie reads it (Word, PDF, HTML and reST converted)."""
    return _read(entry["path"])


@functools.cache
def _read(path: str) -> str:
    return read_file(CORPUS / path, get_settings()).text


def _iso(value: object) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None  # type: ignore[attr-defined]


def test_facts_cover_every_file_and_the_brief() -> None:
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() and readable(p) and p.suffix
             and p.name != "README.md"}
    assert files == {e["path"] for e in ENTRIES}
    kinds = Counter(e["kind"] for e in ENTRIES)
    assert kinds["adr"] >= 30 and kinds["design"] >= 10 and kinds["postmortem"] >= 48
    adrs = [e for e in ENTRIES if e["kind"] == "adr"]
    assert {e["status"] for e in adrs} >= {"accepted", "proposed", "rejected", "deprecated", "superseded"}
    assert {e["format"] for e in adrs} == {"nygard", "madr2", "madr3"}
    nxt = {e["id"]: e["superseded_by"] for e in adrs if e["superseded_by"]}
    chains = [k for k in nxt if k not in nxt.values()]
    lengths = []
    for start in chains:
        n, cur = 1, start
        while cur in nxt:
            cur, n = nxt[cur], n + 1
        lengths.append(n)
    assert len(chains) >= 4 and max(lengths) >= 3
    pms = [e for e in ENTRIES if e["kind"] == "postmortem"]
    assert sum(e["format"] == "prose" for e in pms) * 3 >= len(pms)
    dates = sorted(str(e["date"]) for e in pms)
    assert (int(dates[-1][:4]) - int(dates[0][:4])) * 12 + int(dates[-1][5:7]) - int(dates[0][5:7]) >= 24
    assert len({s for e in pms for s in e["services"]}) >= 6
    assert {e["cause_category"] for e in pms} >= {"config-push", "cert-expiry", "replica-lag", "capacity", "retry-storm", "bad-deploy"}
    assert sum(1 for e in pms if e["repeat_of"]) >= 3
    assert any(e["matches_open_action_of"] for e in pms)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_parser_recovers_every_fact(entry: dict, parsed: dict[str, Document]) -> None:
    d = parsed[entry["id"]]
    assert (d.id, d.kind.value, d.title, str(d.date)) == (entry["id"], entry["kind"], entry["title"], str(entry["date"]))
    if entry["kind"] == "adr":
        assert d.adr is not None
        assert d.status.value == entry["status"]
        assert d.adr.format == entry["format"]
        assert d.adr.superseded_by == ([entry["superseded_by"]] if entry["superseded_by"] else [])
        assert sorted(d.adr.supersedes) == sorted(entry["supersedes"])
        return
    assert sorted(d.services) == sorted(entry["services"])
    if entry["kind"] == "design":
        assert d.design is not None
        # as written: in front matter, or (a Word file) in a "Status:" line, normalised by the parser
        assert d.front_matter.get("status", entry["status"]) == entry["status"]
        assert d.status is normalise_status(entry["status"])
        assert d.design.owner == entry["owner"]
        assert (d.design.capacity or None) == (entry.get("capacity") or None)
        return
    pm = d.postmortem
    assert pm is not None
    assert pm.severity == entry["severity"]
    for name in ("started", "detected", "mitigated", "resolved"):
        assert _iso(getattr(pm, name)) == entry[name], name
    assert (pm.trigger, pm.cause_category) == (entry["trigger"], entry["cause_category"])
    assert (pm.peak_rps or None) == (entry.get("peak_rps") or None)
    assert [(a.text, a.owner, a.status) for a in pm.action_items] == [
        (a["text"], a["owner"], a["status"]) for a in entry["action_items"]
    ]
    assert pm.root_cause
    if entry["format"] == "fm":
        assert pm.root_cause == entry["root_cause"]
    else:  # the section the writer summarised: most of the summary's words are in it
        words = {w for w in re.findall(r"[a-z0-9]{4,}", entry["root_cause"].lower())}
        found = {w for w in words if w in pm.root_cause.lower()}
        assert len(found) >= 0.25 * len(words), sorted(words - found)
    if entry["format"] == "prose":
        assert not d.front_matter  # really prose only


def test_no_paragraph_is_repeated_across_documents() -> None:
    seen: dict[str, str] = {}
    for e in ENTRIES:
        body = parse_markdown(_text(e)).body
        for para in paragraphs(body):
            norm = re.sub(r"\s+", " ", para).strip().lower()
            if len(norm) < 60:
                continue  # status words, short labels and headings may repeat
            assert norm not in seen or seen[norm] == e["path"], f"{e['path']} repeats a paragraph of {seen.get(norm)}"
            seen[norm] = e["path"]


def test_documents_share_at_most_a_heading_skeleton() -> None:
    sentences: dict[str, set[str]] = {}
    for e in ENTRIES:
        text = parse_markdown(_text(e)).body
        sents = {s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text)) if len(s.strip()) > 80}
        sentences[e["path"]] = sents
    paths = list(sentences)
    for i, a in enumerate(paths):
        for b in paths[i + 1 :]:
            assert not (sentences[a] & sentences[b]), (a, b, sorted(sentences[a] & sentences[b])[:1])


def test_quotes_of_planted_defects_are_in_their_documents() -> None:
    for e in ENTRIES:
        if e["kind"] != "design":
            continue
        text = _text(e)
        assert bool(e["defects"]) != e["clean"], e["id"]
        for defect in e["defects"]:
            if defect.get("quote"):
                assert defect["quote"] in text, (e["id"], defect["quote"])


def test_capacity_figures_match_their_sources(parsed: dict[str, Document]) -> None:
    for fig in FACTS["capacity_figures"]:
        doc = parsed[fig["source"]]
        if fig["kind"] == "frontmatter":
            assert doc.design and doc.design.capacity and doc.design.capacity["peak_rps"] == fig["peak_rps"]
        else:
            assert doc.postmortem and doc.postmortem.peak_rps == fig["peak_rps"]


def test_index_corpus_without_warnings(corpus_lib) -> None:
    rows = corpus_lib.list_documents()
    assert {r.id for r in rows} == {e["id"] for e in ENTRIES}
    by = {r.id: r for r in rows}
    for e in ENTRIES:
        if e["kind"] == "adr":
            assert by[e["id"]].status.value == e["status"]


def test_index_discovers_and_reads_every_corpus_file_without_warnings() -> None:
    from assistant.index.indexer import discover
    from assistant.models import SkippedFile

    skipped: list[SkippedFile] = []
    files = discover([CORPUS], skipped)
    assert skipped == [] and len(files) == len(ENTRIES)  # README.md and facts.yaml are in .archieignore
    for path, _, base in files:
        read_document(path, base)  # raises BadInputError on anything the indexer would skip
