"""The two pipelines the harness compares, behind one interface.

``ArchiePipeline``: hybrid retrieval, the extractive or model answerer, the guard.
``BaselinePipeline``: what a tutorial builds from the same libraries: LangChain's
RecursiveCharacterTextSplitter at 1,000 characters, the same embeddings, a Chroma vector store
with similarity search only, and either the top chunks returned as the answer (extractive) or
stuffed into the same prompt (model); no guard, no supersession, no abstention.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ask import Asker
from assistant.guard import CITATION, draft_sentences
from assistant.index.library import Library
from assistant.llm.registry import describe, generative
from assistant.settings import Settings
from assistant.text import split_sentences

BASELINE_CHUNK = 1000
BASELINE_K = 4


@dataclass
class Response:
    text: str
    statements: list[tuple[str, list[str]]]  # (sentence, cited evidence texts)
    citations: list[tuple[str, str]]  # (doc id, section) as written
    valid_citations: int
    ranked_docs: list[str]
    abstained: bool = False
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    evidence_docs: list[str] = field(default_factory=list)


class ArchiePipeline:
    name = "archie"

    def __init__(self, lib: Library) -> None:
        self.settings = lib.settings
        self.lib = lib
        self.asker = Asker(lib)
        self._chunks: dict[str, dict[str, str]] = {}

    def close(self) -> None:
        """The library belongs to the harness, which closes it."""

    @property
    def support(self):
        return self.asker.guard.support

    def section_text(self, doc_id: str, section: str) -> str | None:
        if doc_id not in self._chunks:
            by: dict[str, str] = {}
            for h in self.lib.chunks(doc_id):
                by[h.section] = (by.get(h.section, "") + "\n" + h.text).strip()
            self._chunks[doc_id] = by
        secs = self._chunks[doc_id]
        if not secs:
            return None
        return secs.get(section) or next((t for s, t in secs.items() if s.lower() == section.lower()), None)

    def run(self, question: str, k: int = 10) -> Response:
        t = time.perf_counter()
        answer = self.asker.ask(question)
        ranked = answer.retrieved
        statements, cites, valid = [], [], 0
        for c in answer.claims:
            texts = []
            for cit in c.citations:
                cites.append((cit.doc_id, cit.section))
                txt = self.section_text(cit.doc_id, cit.section)
                if txt is not None:
                    valid += 1
                    texts.append(txt)
            statements.append((c.text, texts))
        return Response(text=answer.text, statements=statements, citations=cites, valid_citations=valid,
                        ranked_docs=ranked, abstained=answer.abstained, notes=answer.notes,
                        seconds=time.perf_counter() - t, evidence_docs=ranked)


class ArchieEmbeddings:
    """archie's embedder as a LangChain ``Embeddings`` (the baseline uses the same vectors)."""

    def __init__(self, settings: Settings) -> None:
        from assistant.index.embeddings import get_embedder

        self.embedder = get_embedder(settings)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.embedder.embed(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embedder.embed([text])[0]]


class BaselinePipeline:
    name = "baseline"

    def __init__(self, settings: Settings, roots: list[Path], path_to_id: dict[str, str]) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document as LCDocument
        from langchain_core.embeddings import Embeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.settings = settings
        emb = type("_E", (ArchieEmbeddings, Embeddings), {})(settings)
        self._embed = emb.embedder.embed
        splitter = RecursiveCharacterTextSplitter(chunk_size=BASELINE_CHUNK, chunk_overlap=200)
        docs = []
        for root in roots:
            for p in sorted(root.rglob("*.md")):
                rel = p.relative_to(root).as_posix()
                doc_id = path_to_id.get(rel) or path_to_id.get(p.name)
                if not doc_id:
                    continue  # not indexed by archie either (ignored or unreadable)
                docs.append(LCDocument(page_content=p.read_text("utf-8", errors="replace"), metadata={"doc_id": doc_id}))
        chunks = splitter.split_documents(docs)
        for i, c in enumerate(chunks):
            c.metadata["chunk"] = f"chunk {i}"
        self.client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name="baseline", embedding_function=emb, client=self.client)
        for i in range(0, len(chunks), 256):
            self.store.add_documents(chunks[i : i + 256])
        self.chunks = len(chunks)

    def close(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):
            self.client.delete_collection("baseline")

    def support(self, claim: str, text: str) -> float:
        from assistant.guard import Guard

        if not hasattr(self, "_guard"):
            self._guard = Guard(self._embed)
        return self._guard.support(claim, text)

    def run(self, question: str, k: int = 10) -> Response:
        t = time.perf_counter()
        hits = self.store.similarity_search(question, k=max(k, BASELINE_K))
        ranked = list(dict.fromkeys(h.metadata["doc_id"] for h in hits))
        top = hits[:BASELINE_K]
        by_cite = {(h.metadata["doc_id"], h.metadata["chunk"]): h.page_content for h in top}
        if not generative(self.settings):
            parts, statements, cites = [], [], []
            for h in top:
                cite = (h.metadata["doc_id"], h.metadata["chunk"])
                parts.append(f"{h.page_content.strip()} [{cite[0]} §{cite[1]}]")
                cites.append(cite)
                statements += [(s, [h.page_content]) for s in split_sentences(h.page_content) if len(s) > 15]
            text = "\n\n".join(parts)
        else:
            text = self._generate(question, top)
            statements, cites = [], []
            for sent in draft_sentences(text):
                found = [(m.group(1), (m.group(2) or "").strip()) for m in CITATION.finditer(sent)]
                cites += found
                clean = CITATION.sub("", sent).strip()
                if len(clean) > 15:
                    # generous to the tutorial: with no resolvable citation, a sentence is checked
                    # against every chunk it was given (the "sources" list tutorials print)
                    cited = [by_cite[c] for c in found if c in by_cite] or list(by_cite.values())
                    statements.append((clean, cited))
        valid = sum(1 for c in cites if c in by_cite)
        return Response(text=text, statements=statements, citations=cites, valid_citations=valid, ranked_docs=ranked,
                        seconds=time.perf_counter() - t, evidence_docs=[h.metadata["doc_id"] for h in top])

    def _generate(self, question: str, top: list) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage
        from langchain_core.output_parsers import StrOutputParser

        from assistant.llm.prompts import load_prompt
        from assistant.llm.providers import chat_model, translate_model_errors

        packed = [{"doc_id": h.metadata["doc_id"], "section": h.metadata["chunk"], "status": "unknown",
                   "date": "undated", "superseded_by": "", "text": h.page_content} for h in top]
        system, user = load_prompt("ask").render(question=question, evidence=packed, as_of="")
        with translate_model_errors(describe(self.settings)):
            return (chat_model(self.settings) | StrOutputParser()).invoke([SystemMessage(content=system), HumanMessage(content=user)])


def strip_citations(text: str) -> str:
    return re.sub(r"\s+", " ", CITATION.sub("", text)).strip()
