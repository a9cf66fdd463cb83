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
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.documents import SourceText, file_hash, load_document, readable, resolve_links
from assistant.errors import BadInputError, IndexBusyError
from assistant.gitinfo import git_metadata
from assistant.index.chunking import CHUNKER_VERSION, chunk_document
from assistant.index.embeddings import get_embedder
from assistant.index.store import PARSER_VERSION, Store
from assistant.models import (
    Chunk,
    ChunkMeta,
    Document,
    IndexSummary,
    Links,
    RegistryEntry,
    SkippedFile,
)
from assistant.settings import Settings

IGNORE_FILE = ".archieignore"
Progress = Callable[[str, int, int], None]  # (phase, done, total)


def _ignored(rel: str, patterns: list[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(name, p) for p in patterns)


def discover(roots: Iterable[Path], skipped: list[SkippedFile],
             only: set[Path] | None = None) -> list[tuple[Path, str, Path]]:
    """(file, path relative to its root's parent, that parent) for readable files under ``roots``
    (and in ``only``, when given); hidden folders and ``.archieignore`` patterns are skipped,
    other file types are reported."""
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
                if only is not None and p.resolve() not in only:
                    continue
                if not readable(p):
                    skipped.append(SkippedFile(path=str(p), reason=f"not a text document or a format archie converts ({p.suffix or 'no suffix'})"))
                    continue
                found.append((p, p.relative_to(base).as_posix(), base))
    return found


def _chunk_meta(doc: Document, chunk: Chunk, total: int, location: str = "") -> ChunkMeta:
    links = Links.of(doc)
    return ChunkMeta(
        doc_id=doc.id, title=doc.title, kind=doc.kind, status=doc.status, date=doc.date, services=doc.services,
        section=chunk.section, path=doc.path, line_start=chunk.line_start, line_end=chunk.line_end, location=location,
        content_hash=chunk.content_hash, file_hash=doc.file_hash, chunk_index=chunk.index, chunk_count=total,
        superseded_by=links.superseded_by, supersedes=links.supersedes,
    )


def _assign_ids(docs: list[tuple[str, Document]], indexed: dict[str, str],
                warn: Callable[[str, str], None]) -> list[tuple[str, Document]]:
    """Make ids unique without changing an id that is already indexed (a user may have cited it).

    ``indexed`` maps a source file to its id in the index now. Among documents that claim the
    same id, the one already indexed under it keeps it (else the first by path); the others,
    when their ids were derived (ADR number, file name), are qualified by their folder, then by
    their path, then by a hash of their source; explicit ids that collide are skipped."""
    groups: dict[str, list[tuple[str, Document]]] = {}
    for src, d in docs:
        groups.setdefault(d.id, []).append((src, d))
    taken = {d.id for _, d in docs}
    out: list[tuple[str, Document]] = []
    for base, members in groups.items():
        if len(members) == 1:
            out += members
            continue
        members.sort(key=lambda m: (indexed.get(m[0]) != base, m[1].path))
        out.append(members[0])  # the incumbent keeps the plain id
        rest = members[1:]
        if not all(d.id_source in ("adr-number", "path") for _, d in members):
            for src, _d in rest:
                warn(src, f"duplicate document id {base!r} (also in {members[0][1].path}); skipped")
            continue
        for src, d in rest:
            stem = d.path.rsplit(".", 1)[0]
            options = [indexed.get(src), f"{Path(d.path).parent.name}/{base}", stem,
                       f"{stem}@{hashlib.sha1(src.encode()).hexdigest()[:6]}"]
            new = next(o for o in options if o and o != base and o not in taken)
            taken.add(new)
            out.append((src, d.model_copy(update={"id": new})))
    return out


class Indexer:
    def __init__(self, settings: Settings, progress: Progress | None = None,
                 warn: Callable[[str, str], None] | None = None, log: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda phase, done, total: None)
        self.warn_cb = warn
        self.log = log or (lambda line: None)
        self._store: Store | None = None

    def run(self, roots: list[Path], rebuild: bool = False, wait: float | None = None,
            only: list[Path] | None = None) -> IndexSummary:
        """Index ``roots``. With ``only``, just those files under the roots are read (CI's
        ``--since-ref``); every other indexed document is left as it is."""
        s = self.settings
        s.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(s.lock_path))
        timeout = s.lock_timeout if wait is None else wait
        try:
            lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise IndexBusyError(f"another `archie index` is running on {s.home} (lock {s.lock_path})") from exc
        try:
            return self._run(roots, rebuild, {p.resolve() for p in only} if only is not None else None)
        finally:
            lock.release()
            if self._store is not None:
                self._store.close()
                self._store = None

    def _run(self, roots: list[Path], rebuild: bool, only: set[Path] | None) -> IndexSummary:
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

        files = discover(roots, summary.skipped_files, only)
        if self.warn_cb:
            for sf in summary.skipped_files:
                self.warn_cb(sf.path, sf.reason)
        registry = store.registry()
        by_source = {e.source: i for i, e in registry.items()}
        chunk_ids, chunk_metas, _ = store.all_chunks()
        chunks_of: dict[str, dict[str, str]] = {}
        for cid, m in zip(chunk_ids, chunk_metas, strict=True):
            chunks_of.setdefault(m.doc_id, {})[cid] = m.content_hash

        # 1. hash every file; parse only those whose registry entry is missing or stale
        candidates: list[tuple[str, Document]] = []
        sources: dict[str, SourceText] = {}
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
            if old is not None and self._intact(old, digest, chunks_of):
                candidates.append((src, old.stored_doc()))
            else:
                try:
                    doc, source = load_document(path, base, self.settings)
                except BadInputError as exc:
                    warn(src, exc.reason)
                    continue
                if len(doc.sections) > self.settings.max_sections:
                    warn(src, f"{len(doc.sections):,} sections, over the {self.settings.max_sections:,}-section limit "
                              "(raise ARCHIE_MAX_SECTIONS or split the document)")
                    continue
                candidates.append((src, doc))
                sources[src] = source
            self.progress("reading", n, len(files))
        self._add_git_dates([(src, d) for src, d in candidates if src in sources])

        # documents indexed earlier from outside these roots stay; those under them but gone go
        roots_abs = [str(r.resolve()) for r in roots]
        seen = {src for src, _ in candidates}
        skipped_sources = {sf.path for sf in summary.skipped_files}
        for entry in registry.values():
            src = entry.source
            under = any(src == r or src.startswith(r.rstrip("/") + "/") for r in roots_abs)
            if src not in seen and (not under or src in skipped_sources or only is not None):
                # outside the roots, not asked for, or a bad new version of a file: keep what was indexed
                candidates.append((src, entry.stored_doc()))

        base_ids = {src: d.id for src, d in candidates}
        final = _assign_ids(candidates, by_source, warn)
        docs = [d for _, d in final]
        resolve_links(docs)
        keep = {d.id for d in docs}

        # 2. write new and changed documents (or ones whose id changed)
        todo = [(src, d) for src, d in final if src in sources or by_source.get(src) != d.id]
        removed = [i for i in registry if i not in keep]
        orphans = [cid for doc_id, ids in chunks_of.items() if doc_id not in keep and doc_id not in registry for cid in ids]
        meta_updates = self._link_updates(final, {d.id for _, d in todo}, registry)
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
            self._write_group(store, group, base_ids, sources, vectors, chunks_of, summary)
            done += len(fresh)
            self.progress("embedding", done, total_fresh)
        todo_sources = {src for src, _ in todo}
        file_sources = {str(p) for p, _, _ in files}
        summary.unchanged = sum(1 for src, _ in final if src in file_sources and src not in todo_sources)

        # 3. status and links that other documents changed (e.g. newly superseded)
        for doc_id, links in meta_updates.items():
            ids = list(chunks_of.get(doc_id, {}))
            got = store.get_chunks(ids)
            kept = [i for i in ids if i in got]
            store.update_chunk_meta(kept, [got[i][1].model_copy(update={
                "status": links.status, "superseded_by": links.superseded_by, "supersedes": links.supersedes})
                for i in kept])
        store.put_entries([registry[i].model_copy(update={"links": links}) for i, links in meta_updates.items()])
        summary.metadata_updates = len(meta_updates)

        # 4. removed documents, then any orphan chunks
        for doc_id in removed:
            self.log(f"removed {doc_id}")
            stale = list(chunks_of.get(doc_id, {}))
            store.delete_chunks(stale)
            summary.chunks_deleted += len(stale)
        store.delete_entries(removed)
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
    def _add_git_dates(parsed: list[tuple[str, Document]]) -> None:
        """What git knows of each freshly parsed file; a document whose text states no date gets
        the date of the commit that added it (only metadata comes from git, never content)."""
        if not parsed:
            return
        info = git_metadata([Path(src) for src, _ in parsed])
        for src, doc in parsed:
            got = info.get(Path(src))
            if got is not None:
                doc.git = got
                if doc.date is None:
                    doc.date = got.added

    @staticmethod
    def _intact(old: RegistryEntry, digest: str, chunks_of: dict[str, dict[str, str]]) -> bool:
        return (
            old.file_hash == digest
            and old.parser == PARSER_VERSION
            and old.chunker == CHUNKER_VERSION
            and set(old.chunk_ids) == set(chunks_of.get(old.id, {}))
        )

    @staticmethod
    def _link_updates(final: list[tuple[str, Document]], written: set[str],
                      registry: dict[str, RegistryEntry]) -> dict[str, Links]:
        updates: dict[str, Links] = {}
        for _, doc in final:
            entry = registry.get(doc.id)
            if doc.id in written or entry is None:
                continue
            links = Links.of(doc)
            if links != entry.links:
                updates[doc.id] = links
        return updates

    def _write_group(self, store: Store, group: list[tuple[str, Document, list[Chunk]]], base_ids: dict[str, str],
                     sources: dict[str, SourceText], vectors: dict[str, Any], chunks_of: dict[str, dict[str, str]],
                     summary: IndexSummary) -> None:
        """Upsert the group's chunks (reusing stored vectors of unchanged ones), delete their stale
        chunks, then write their registry entries: an entry is a document's commit marker, so a
        crash before it leaves the document to be redone by the next run."""
        reuse = [c.id for _, _, chunks in group for c in chunks if c.id not in vectors]
        vectors = {**vectors, **store.get_embeddings(reuse)}
        ids: list[str] = []
        vecs: list[Any] = []
        texts: list[str] = []
        metas: list[ChunkMeta] = []
        stale: list[str] = []
        entries: list[RegistryEntry] = []
        for src, doc, chunks in group:
            keep = {c.id for c in chunks}
            source = sources.get(src)
            for c in chunks:
                ids.append(c.id)
                vecs.append(vectors[c.id])
                texts.append(c.text)
                where = source.location(c.line_start, c.line_end) if source else None
                metas.append(_chunk_meta(doc, c, len(chunks), where or ""))
            stale += [cid for cid in chunks_of.get(doc.id, {}) if cid not in keep]
            entries.append(RegistryEntry(id=doc.id, source=src, file_hash=doc.file_hash, parser=PARSER_VERSION,
                                         chunker=CHUNKER_VERSION, doc=doc, chunk_ids=[c.id for c in chunks],
                                         base_id=base_ids[src], links=Links.of(doc)))
        store.upsert_chunks(ids, vecs, texts, metas)
        store.delete_chunks(stale)
        summary.chunks_deleted += len(stale)
        store.put_entries(entries)
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
