"""Heading-aware chunking: a chunk never spans two sections; long sections split on
paragraph boundaries (then sentences) with a small overlap.

Chunk ids derive from the document id, the section path and the part number, so an
unchanged section keeps its id; the content hash decides whether it is re-embedded.
"""

from __future__ import annotations

import hashlib
import re

from assistant.models import Chunk, Document, Section

CHUNKER_VERSION = "1"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`(\[])")


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs, with any paragraph over ``limit`` split into sentence groups."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if len(para) <= limit:
            out.append(para)
            continue
        buf = ""
        for sent in _SENTENCE.split(para):
            while len(sent) > limit:  # a "sentence" with no breaks (a table, a long line)
                cut = sent.rfind("\n", 0, limit)
                cut = cut if cut > limit // 2 else limit
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(sent[:cut].strip())
                sent = sent[cut:].strip()
            if buf and len(buf) + 1 + len(sent) > limit:
                out.append(buf)
                buf = sent
            else:
                buf = f"{buf} {sent}".strip()
        if buf:
            out.append(buf)
    return out


def split_section(text: str, limit: int, overlap: int) -> list[str]:
    """Pack paragraphs into parts of at most ~``limit`` chars; each part after the first
    starts with the tail (up to ``overlap`` chars) of the previous part."""
    parts: list[str] = []
    buf: list[str] = []
    size = 0
    for piece in _pieces(text, limit):
        if buf and size + len(piece) + 2 > limit:
            parts.append("\n\n".join(buf))
            tail = parts[-1][-overlap:] if overlap else ""
            if tail:
                cut = tail.find(" ")
                tail = tail[cut + 1 :] if 0 <= cut < len(tail) - 1 else tail
            buf = [f"…{tail}"] if tail else []
            size = len(tail)
        buf.append(piece)
        size += len(piece) + 2
    if buf:
        parts.append("\n\n".join(buf))
    return parts


def _line_range(section: Section, part: str, start_hint: int) -> tuple[int, int, int]:
    body_start = section.text_line or section.line_start + (1 if section.heading else 0)
    lines = section.text.split("\n")
    probe = part.lstrip("…").strip().split("\n")[0][:40]
    offset = start_hint
    for i in range(start_hint, len(lines)):
        if probe and probe in lines[i]:
            offset = i
            break
    span = part.count("\n")
    first = body_start + offset
    return first, min(section.line_end, first + span), offset


def chunk_document(doc: Document, limit: int = 1000, overlap: int = 150) -> list[Chunk]:
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in doc.sections:
        text = section.text.strip()
        if not text and not section.heading:
            continue
        if not text:
            text = "(empty section)"
        section_name = section.path_str if section.path else "Preamble"
        occurrence = seen.get(section_name, 0)
        seen[section_name] = occurrence + 1
        hint = 0
        for n, part in enumerate(split_section(text, limit, overlap)):
            first, last, hint = _line_range(section, part, hint)
            context = f"{doc.title} — {section_name}" if section.path else doc.title
            embed_text = f"{context}\n{part}"
            chunk_key = f"{doc.id}|{section_name}|{occurrence}|{n}"
            cid = doc.id + "::" + hashlib.sha1(chunk_key.encode()).hexdigest()[:12]
            content_hash = hashlib.sha256(
                f"{CHUNKER_VERSION}\n{embed_text}".encode()
            ).hexdigest()[:32]
            chunks.append(
                Chunk(id=cid, doc_id=doc.id, section=section_name, text=part, embed_text=embed_text,
                      line_start=first,
                      line_end=max(last, first), index=len(chunks), content_hash=content_hash)
            )
    return chunks
