"""The text toolkit: sentences, words, content words, query terms, lexical tokens and numbers.

The guard, the answerer, the review, the incident analysis and lexical search all read text
through these functions, so a sentence, a word or a number means the same thing everywhere.
Vocabulary (stopwords, unit names, months) is data: ``data/text.yaml``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant import vocab

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")
_BRACKET = re.compile(r"\[[^\[\]\n]{0,200}\]")
_DOT = "\u2024\u2024"  # stands in for ". " inside brackets while splitting
_BLOCKS = re.compile(r"\n\s*\n|\n(?=\s*[-*] )|\n(?=\s*\d+\. )")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
_TERM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]+")
DOC_ID = re.compile(r"\b[A-Z][A-Z0-9]{1,9}-\d+(?:-\d+)?\b")
_NUMBER = re.compile(
    r"(?<![\w.-])(\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s*(per cent|percent|%|ms|milliseconds?|secs?|seconds?|s|mins?|minutes?|m|hrs?|hours?|h|days?|d|rps|req/s|requests/s|gb|tb|mb)\b|\s*%)?",
    re.I,
)


def stopwords() -> frozenset[str]:
    return vocab.text_vocab().stopwords


@lru_cache(maxsize=1)
def _written_date() -> tuple[re.Pattern[str], dict[str, int]]:
    months = vocab.text_vocab().months
    pattern = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(months)})\s+(\d{{4}})\b", re.I)
    return pattern, {m: i for i, m in enumerate(months, 1)}


# -- sentences ---------------------------------------------------------------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: paragraphs and list items are blocks; a block splits after . ! ?
    followed by a capital, a digit or an opening bracket. A full stop inside square brackets
    (a citation such as ``[DD-008 §4. Design]``) does not end a sentence."""
    text = re.sub(r"[ \t]+", " ", text.strip())
    out: list[str] = []
    for block in _BLOCKS.split(text):
        block = re.sub(r"\s*\n\s*", " ", block).strip()
        if block:
            masked = _BRACKET.sub(lambda m: m.group(0).replace(". ", _DOT), block)
            out += [x.strip().replace(_DOT, ". ") for x in _SENT_SPLIT.split(masked) if x.strip()]
    return out


def sentence_at(line: str, start: int, end: int) -> str:
    """The sentence of one ``line`` holding the span [start, end), trimmed of list markers."""
    left = max(line.rfind(". ", 0, start), line.rfind("; ", 0, start))
    right = min([p for p in (line.find(". ", end), line.find("; ", end)) if p != -1], default=len(line) - 1)
    out = line[left + 2 if left != -1 else 0 : right + 1].strip()
    return re.sub(r"^(?:[-*+]|\d+\.)\s+", "", out)[:300]


# -- words ---------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case word tokens (hyphens and apostrophes inside a word kept)."""
    return [w.strip("'-") for w in _WORD.findall(text.lower())]


def content_words(text: str) -> set[str]:
    """The words that carry meaning, as 6-letter prefixes (a cheap stem: 'retries' ~ 'retry')."""
    stop = stopwords()
    return {w[:6] for w in set(words(text)) if w and w not in stop and (len(w) > 2 or w.isdigit())}


def query_terms(text: str, min_len: int = 3) -> list[str]:
    """A query's terms in order, lower-cased, without stopwords or words shorter than ``min_len``."""
    stop = stopwords()
    return [w.lower() for w in _TERM.findall(text) if w.lower() not in stop and len(w) >= min_len]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    try:
        import Stemmer

        return Stemmer.Stemmer("english")
    except ImportError:  # PyStemmer is a dependency; degrade to no stemming if it is missing
        return None


def lexical_tokens(texts: list[str]) -> list[list[str]]:
    """Stemmed tokens for BM25 (bm25s's tokenizer with the English stemmer)."""
    import bm25s  # only lexical search needs it

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


def lexical_terms(text: str) -> list[str]:
    """A question's content words as the lexical index stores them (stemmed)."""
    kept = query_terms(text, min_len=4)
    return list(lexical_tokens([" ".join(kept)])[0]) if kept else []


# -- numbers -------------------------------------------------------------------------------------


def numbers(text: str) -> set[str]:
    """Normalised numbers in ``text``: '3,400 rps' -> '3400 rps', '47 minutes' -> '47 min',
    '2024-01-23' and '23 January 2024' -> '2024-01-23'. Document ids (ADR-0009) are not numbers."""
    written, months = _written_date()
    units = vocab.text_vocab().units
    text = DOC_ID.sub(" ", text)
    out: set[str] = set()
    for m in written.finditer(text):
        out.add(f"{int(m.group(3)):04d}-{months[m.group(2).lower()]:02d}-{int(m.group(1)):02d}")
    text = written.sub(" ", text)
    for m in _NUMBER.finditer(text):
        raw = m.group(1).replace(",", "")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}", raw):
            out.add(raw)
            continue
        value = float(raw)
        num = str(int(value)) if value.is_integer() else str(value)
        unit = m.group(2) or ("%" if m.group(0).rstrip().endswith("%") else "")
        unit = units.get(unit.lower(), unit.lower()) if unit else ""
        out.add(f"{num} {unit}".strip())
    return out


def number_in(n: str, known: set[str]) -> bool:
    """Whether the normalised number ``n`` is among ``known``; a bare number matches the same
    value with any unit."""
    if n in known:
        return True
    value = n.split(" ")[0]
    if " " not in n:
        return any(e.split(" ")[0] == value for e in known)
    return False
