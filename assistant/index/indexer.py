"""Incremental, idempotent, locked and crash-safe indexing.

For each file: hash it; if the registry holds the same hash (and parser, chunker and
embedding model) and all its chunks are present, nothing is done. Otherwise parse,
chunk, embed only chunks whose content hash is new, upsert them, delete the document's
stale chunks, and write the registry entry last: a run killed at any point leaves
either the old or the new state of each document, and the next run finishes the job
(chunk ids are deterministic, so re-running never duplicates). Orphan chunks (whose
document is not in the registry) are removed at the end of every run.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.documents import TEXT_SUFFIXES, file_hash, read_document, resolve_links
from assistant.errors import BadInputError, IndexBusyError
from assistant.index.chunking import CHUNKER_VERSION, chunk_document
from assistant.index.embeddings import get_embedder
from assistant.index.store import PARSER_VERSION, Store
from assistant.models import Chunk, Document, IndexSummary, SkippedFile, Status
from assistant.settings import Settings

IGNORE_FILE = ".archieignore"
Progress = Callable[[str, int, int], None]  # (phase, done, total)


def _ignored(rel: str, patterns: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def discover(roots: Iterable[Path], skipped: list[SkippedFile]) -> list[tuple[Path, str, Path]]:
    """(file, path relative to its root's parent, that parent) for text files under ``roots``;
    hidden folders and ``.archieignore`` patterns are skipped, other file types are reported."""
    found: list[tuple[Path, str, Path]] = []
    for root in roots:
        root = root.resolve()
        if not root.exists():
            raise BadInputError(str(root), "no such file or folder", "check the path you passed to `archie index`")
        base = root.parent
        if root.is_file():
            found.append((root, root.relative_to(base).as_posix(), base))
            continue
        patterns: list[str] = []
        ignore = root / IGNORE_FILE
        if ignore.is_file():
            patterns = [ln.strip() for ln in ignore.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                p = Path(dirpath) / name
                if name.startswith(".") or _ignored(p.relative_to(root).as_posix(), patterns):
                    continue
                if p.suffix.lower() not in TEXT_SUFFIXES:
                    skipped.append(SkippedFile(path=str(p), reason=f"not a text document ({p.suffix or 'no suffix'})"))
                    continue
                found.append((p, p.relative_to(base).as_posix(), base))
    return found


def _chunk_meta(doc: Document, chunk: Chunk, total: int, digest: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": doc.id,
        "title": doc.title,
        "kind": doc.kind.value,
        "status": doc.status.value,
        "date": doc.date.isoformat() if doc.date else "",
        "date_num": int(doc.date.strftime("%Y%m%d")) if doc.date else 0,
        "services": ",".join(doc.services),
        "section": chunk.section,
        "path": doc.path,
        "line_start": chunk.line_start,
        "line_end": chunk.line_end,
        "content_hash": chunk.content_hash,
        "file_hash": digest,
        "chunk_index": chunk.index,
        "chunk_count": total,
        "superseded_by": ",".join(doc.adr.superseded_by) if doc.adr else "",
        "supersedes": ",".join(doc.adr.supersedes) if doc.adr else "",
    }
    for svc in doc.services:
        meta[f"svc_{svc}"] = True
    return meta


def _effective(doc: Document) -> dict[str, Any]:
    """Registry metadata that depends on other documents (resolved links)."""
    return {
        "status": doc.status.value,
        "superseded_by": ",".join(doc.adr.superseded_by) if doc.adr else "",
        "supersedes": ",".join(doc.adr.supersedes) if doc.adr else "",
    }


def _assign_ids(docs: list[tuple[str, Document]], warn: Callable[[str, str], None]) -> list[tuple[str, Document]]:
    """Make ids unique: derived ids that collide are qualified by their folder; explicit ids
    that collide keep the first file (by path) and the others are skipped with a warning."""
    groups: dict[str, list[tuple[str, Document]]] = {}
    for src, d in docs:
        groups.setdefault(d.id, []).append((src, d))
    out: list[tuple[str, Document]] = []
    for base, members in groups.items():
        if len(members) == 1:
            out += members
            continue
        members.sort(key=lambda m: m[1].path)
        if all(d.id_source in ("adr-number", "path") for _, d in members):
            qualified = [f"{Path(d.path).parent.name}/{base}" for _, d in members]
            if len(set(qualified)) != len(qualified):
                qualified = [d.path.rsplit(".", 1)[0] for _, d in members]
            if len(set(qualified)) != len(qualified):  # same relative path under two roots
                qualified = [f"{q}@{hashlib.sha1(src.encode()).hexdigest()[:6]}"
                             for q, (src, _) in zip(qualified, members, strict=True)]
            for (src, d), q in zip(members, qualified, strict=True):
                out.append((src, d.model_copy(update={"id": q})))
        else:
            out.append(members[0])
            for src, _d in members[1:]:
                warn(src, f"duplicate document id {base!r} (also in {members[0][1].path}); skipped")
    return out


class Indexer:
    def __init__(self, settings: Settings, progress: Progress | None = None,
                 warn: Callable[[str, str], None] | None = None, log: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda phase, done, total: None)
        self.warn_cb = warn
        self.log = log or (lambda line: None)
        self._store: Store | None = None

    def run(self, roots: list[Path], rebuild: bool = False, wait: float | None = None) -> IndexSummary:
        s = self.settings
        s.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(s.lock_path))
        timeout = s.lock_timeout if wait is None else wait
        try:
            lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise IndexBusyError(f"another `archie index` is running on {s.home} (lock {s.lock_path})") from exc
        try:
            return self._run(roots, rebuild)
        finally:
            lock.release()
            if self._store is not None:
                self._store.close()
                self._store = None

    def _run(self, roots: list[Path], rebuild: bool) -> IndexSummary:
        started = time.perf_counter()
        summary = IndexSummary()
        embedder = get_embedder(self.settings)
        if rebuild:
            with Store(self.settings, embedder, create=True) as old:
                old.drop()
        store = self._store = Store(self.settings, embedder, create=True)

        def warn(path: str, reason: str) -> None:
            summary.skipped_files.append(SkippedFile(path=path, reason=reason))
            if self.warn_cb:
                self.warn_cb(path, reason)

        files = discover(roots, summary.skipped_files)
        if self.warn_cb:
            for sf in summary.skipped_files:
                self.warn_cb(sf.path, sf.reason)
        registry = store.registry()
        by_source = {r["meta"].get("source"): i for i, r in registry.items()}
        chunk_ids, chunk_metas, _ = store.all_chunk_meta()
        chunks_of: dict[str, dict[str, str]] = {}
        for cid, m in zip(chunk_ids, chunk_metas, strict=True):
            chunks_of.setdefault(str(m.get("doc_id")), {})[cid] = str(m.get("content_hash"))

        # 1. hash every file; parse only those whose registry entry is missing or stale
        candidates: list[tuple[str, Document]] = []
        parsed: set[str] = set()
        self.progress("reading", 0, len(files))
        for n, (path, _rel, base) in enumerate(files, 1):
            src = str(path)
            old_id = by_source.get(src)
            old = registry.get(old_id) if old_id else None
            try:
                digest = file_hash(path.read_bytes())
            except OSError as exc:
                warn(src, f"cannot read ({exc.strerror})")
                continue
            if old is not None and self._intact(old, old_id, digest, chunks_of):
                candidates.append((src, self._stored_doc(old)))
            else:
                try:
                    doc = read_document(path, base, self.settings.max_file_bytes)
                except BadInputError as exc:
                    warn(src, exc.reason)
                    continue
                candidates.append((src, doc))
                parsed.add(src)
            self.progress("reading", n, len(files))

        # documents indexed earlier from outside these roots stay; those under them but gone go
        roots_abs = [str(r.resolve()) for r in roots]
        seen = {src for src, _ in candidates}
        skipped_sources = {sf.path for sf in summary.skipped_files}
        for rec in registry.values():
            src = rec["meta"].get("source", "")
            under = any(src == r or src.startswith(r.rstrip("/") + "/") for r in roots_abs)
            if src not in seen and (not under or src in skipped_sources):
                # outside the roots, or a bad new version of a file: keep what was indexed
                candidates.append((src, self._stored_doc(rec)))

        base_ids = {src: d.id for src, d in candidates}
        final = _assign_ids(candidates, warn)
        docs = [d for _, d in final]
        resolve_links(docs)
        keep = {d.id for d in docs}

        # 2. write new and changed documents (or ones whose id changed)
        todo = [(src, d) for src, d in final if src in parsed or by_source.get(src) != d.id]
        removed = [i for i in registry if i not in keep]
        orphans = [cid for doc_id, ids in chunks_of.items() if doc_id not in keep and doc_id not in registry for cid in ids]
        meta_updates = self._metadata_updates(final, {d.id for _, d in todo}, registry)
        writes = bool(todo or removed or orphans or meta_updates)
        if writes:
            store.bump_generation()  # before writing: a crash leaves a generation no cache matches
        planned = [(src, doc, chunk_document(doc, self.settings.chunk_chars, self.settings.chunk_overlap_chars))
                   for src, doc in todo]
        total_fresh = sum(1 for _, d, cs in planned for c in cs if chunks_of.get(d.id, {}).get(c.id) != c.content_hash)
        self.progress("embedding", 0, total_fresh)
        done = 0
        for group in _groups(planned, chunks_of, self.settings.index_batch):
            fresh = [c for _, d, cs in group for c in cs if chunks_of.get(d.id, {}).get(c.id) != c.content_hash]
            vectors = dict(zip([c.id for c in fresh], store.embedder.embed([c.embed_text for c in fresh]) if fresh else [],
                               strict=True))
            summary.chunks_embedded += len(fresh)
            for src, _doc, _chunks in group:
                if by_source.get(src) is None:
                    summary.added += 1
                else:
                    summary.changed += 1
            self._write_group(store, group, base_ids, vectors, chunks_of, summary)
            done += len(fresh)
            self.progress("embedding", done, total_fresh)
        todo_sources = {src for src, _ in todo}
        file_sources = {str(p) for p, _, _ in files}
        summary.unchanged = sum(1 for src, _ in final if src in file_sources and src not in todo_sources)

        # 3. effective metadata that other documents changed (e.g. newly superseded)
        for doc_id, meta in meta_updates.items():
            ids = list(chunks_of.get(doc_id, {}))
            got = store.get_chunks(ids)
            store.update_chunk_metadata(
                [i for i in ids if i in got],
                [{**got[i][1], "status": meta["status"], "superseded_by": meta["superseded_by"],
                  "supersedes": meta["supersedes"]} for i in ids if i in got],
            )
        store.update_doc_meta(meta_updates)
        summary.metadata_updates = len(meta_updates)

        # 4. removed documents, then any orphan chunks
        for doc_id in removed:
            self.log(f"removed {doc_id}")
            stale = list(chunks_of.get(doc_id, {}))
            store.delete_chunks(stale)
            summary.chunks_deleted += len(stale)
        store.delete_docs(removed)
        moved = {by_source.get(src) for src, _ in todo}
        summary.removed = sum(1 for i in removed if i not in moved)
        store.delete_chunks(orphans)
        summary.chunks_deleted += len(orphans)

        if writes:
            store.bump_generation()
        summary.skipped = len(summary.skipped_files)
        summary.chunks_total = store.chunk_count()
        summary.seconds = round(time.perf_counter() - started, 3)
        return summary

    @staticmethod
    def _intact(old: dict[str, Any], old_id: str | None, digest: str, chunks_of: dict[str, dict[str, str]]) -> bool:
        meta = old["meta"]
        return (
            meta.get("file_hash") == digest
            and meta.get("parser") == PARSER_VERSION
            and meta.get("chunker") == CHUNKER_VERSION
            and set(old["record"].get("chunk_ids", [])) == set(chunks_of.get(old_id or "", {}))
        )

    @staticmethod
    def _stored_doc(rec: dict[str, Any]) -> Document:
        doc = Document.model_validate(rec["record"]["doc"])
        doc.id = rec["record"].get("base_id", doc.id)
        return doc

    @staticmethod
    def _metadata_updates(final: list[tuple[str, Document]], written: set[str],
                          registry: dict[str, Any]) -> dict[str, dict[str, Any]]:
        updates: dict[str, dict[str, Any]] = {}
        for _, doc in final:
            rec = registry.get(doc.id)
            if doc.id in written or rec is None:
                continue
            eff = _effective(doc)
            if any(rec["meta"].get(k) != v for k, v in eff.items()):
                updates[doc.id] = {**rec["meta"], **eff}
        return updates

    def _write_group(self, store: Store, group: list[tuple[str, Document, list[Chunk]]], base_ids: dict[str, str],
                     vectors: dict[str, Any], chunks_of: dict[str, dict[str, str]], summary: IndexSummary) -> None:
        """Upsert the group's chunks (reusing stored vectors of unchanged ones) in one call, delete
        their stale chunks, then write their registry entries: an entry is a document's commit
        marker, so a crash before it leaves the document to be redone by the next run."""
        reuse = [c.id for _, _, chunks in group for c in chunks if c.id not in vectors]
        vectors = {**vectors, **store.get_embeddings(reuse)}
        ids: list[str] = []
        vecs: list[Any] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        stale: list[str] = []
        records: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        for src, doc, chunks in group:
            keep = {c.id for c in chunks}
            for c in chunks:
                ids.append(c.id)
                vecs.append(vectors[c.id])
                texts.append(c.text)
                metas.append(_chunk_meta(doc, c, len(chunks), doc.file_hash))
            old = [cid for cid in chunks_of.get(doc.id, {}) if cid not in keep]
            stale += old
            record = {"doc": json.loads(doc.model_dump_json()), "chunk_ids": [c.id for c in chunks], "base_id": base_ids[src]}
            meta = {"source": src, "file_hash": doc.file_hash, "parser": PARSER_VERSION, "chunker": CHUNKER_VERSION,
                    "kind": doc.kind.value, "path": doc.path, **_effective(doc)}
            records[doc.id] = (meta, record)
        store.upsert_chunks(ids, vecs, texts, metas)
        store.delete_chunks(stale)
        summary.chunks_deleted += len(stale)
        store.put_docs(records)
        for _, doc, chunks in group:
            chunks_of[doc.id] = {c.id: c.content_hash for c in chunks}
            self.log(f"indexed {doc.id} ({len(chunks)} chunks) from {doc.path}")


def _groups(planned: list[tuple[str, Document, list[Chunk]]], chunks_of: dict[str, dict[str, str]],
            size: int) -> Iterable[list[tuple[str, Document, list[Chunk]]]]:
    """Whole documents, grouped so that each group has about ``size`` chunks to embed:
    big batches keep the embedder busy, whole documents keep each write complete."""
    group: list[tuple[str, Document, list[Chunk]]] = []
    fresh = 0
    for item in planned:
        _, doc, chunks = item
        group.append(item)
        fresh += sum(1 for c in chunks if chunks_of.get(doc.id, {}).get(c.id) != c.content_hash)
        if fresh >= size:
            yield group
            group, fresh = [], 0
    if group:
        yield group


def load_documents(store: Store) -> list[Document]:
    """Every indexed document with its resolved (effective) status and links."""
    docs: list[Document] = []
    for doc_id, rec in store.registry().items():
        d = Document.model_validate(rec["record"]["doc"])
        d.id = doc_id
        meta = rec["meta"]
        d.status = Status(meta.get("status", d.status.value))
        if d.adr is not None:
            d.adr.superseded_by = [x for x in str(meta.get("superseded_by", "")).split(",") if x]
            d.adr.supersedes = [x for x in str(meta.get("supersedes", "")).split(",") if x]
        docs.append(d)
    return docs
