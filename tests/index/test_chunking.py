from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.documents import parse_text
from assistant.index.chunking import chunk_document, split_section


def _doc(body: str):
    return parse_text(body, "design/x.md")


def test_chunk_never_spans_sections() -> None:
    doc = _doc("# T\n\n## A\n\nalpha text.\n\n## B\n\nbeta text.\n")
    chunks = chunk_document(doc)
    assert [c.section for c in chunks] == ["A", "B"]
    assert "beta" not in chunks[0].text and "alpha" not in chunks[1].text


def test_long_section_splits_on_paragraphs_with_overlap() -> None:
    paras = [f"Paragraph {i} " + "word " * 60 for i in range(12)]
    doc = _doc("# T\n\n## Long\n\n" + "\n\n".join(paras) + "\n")
    chunks = chunk_document(doc, limit=800, overlap=100)
    assert len(chunks) > 3
    assert all(len(c.text) <= 800 + 101 for c in chunks)
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.text.startswith("…")
        tail = nxt.text[1:].split("\n\n")[0]
        assert tail in prev.text  # the overlap repeats the previous chunk's end
    for i in range(12):  # nothing lost
        assert any(f"Paragraph {i} " in c.text for c in chunks)


def test_ids_are_stable_and_hash_tracks_content() -> None:
    a = chunk_document(_doc("# T\n\n## A\n\none\n\n## B\n\ntwo\n"))
    b = chunk_document(_doc("# T\n\nnew intro line\n\n## A\n\none\n\n## B\n\ntwo changed\n"))
    ids_a = {c.section: (c.id, c.content_hash) for c in a}
    ids_b = {c.section: (c.id, c.content_hash) for c in b}
    assert ids_a["A"] == ids_b["A"]  # untouched section: same id and hash
    assert ids_a["B"][0] == ids_b["B"][0] and ids_a["B"][1] != ids_b["B"][1]


def test_line_ranges_point_at_the_text() -> None:
    body = "# T\n\n## A\n\nfirst line of A\n\n## B\n\nfirst line of B\n"
    doc = _doc(body)
    lines = body.splitlines()
    for c in chunk_document(doc):
        assert c.text.splitlines()[0] in lines[c.line_start - 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=400)
                .filter(lambda s: s.strip()), min_size=1, max_size=15),
       st.integers(min_value=200, max_value=1200))
def test_split_keeps_every_word_and_bounds_size(paras: list[str], limit: int) -> None:
    text = "\n\n".join(p.strip() for p in paras)
    parts = split_section(text, limit, overlap=50)
    joined = " ".join(parts)
    for word in text.split():
        assert word in joined
    assert all(len(p) <= limit + 51 for p in parts)
