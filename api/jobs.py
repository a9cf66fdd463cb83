"""Index jobs: ``POST /v1/index`` re-indexes the configured paths in a background thread, one
job at a time. Job records are JSON files in ``$ARCHIE_HOME/jobs/`` so that every worker on the
machine can report any job's progress; the indexer's file lock keeps a second job (from another
worker or an `archie index` run) from starting. Records are pruned as jobs start and finish:
the newest ``api_jobs_keep`` stay, and older ones until ``api_jobs_retention_days`` have passed."""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout
from pydantic import BaseModel, Field

from api import metrics
from api.problems import NotFound, Problem, problem_of
from assistant.errors import ArchieError, IndexBusyError
from assistant.models import IndexSummary
from assistant.settings import Settings

JOB_ID = re.compile(r"^[0-9a-f]{12}$")


class IndexProgress(BaseModel):
    phase: str = "queued"
    done: int = 0
    total: int = 0


class IndexJob(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "id": "3f2a9c1b7d4e", "state": "running", "paths": ["corpus"], "started": "2025-06-01T10:00:00Z",
        "finished": None, "progress": {"phase": "embedding", "done": 256, "total": 975}, "summary": None,
        "error": None}]}}

    id: str
    state: Literal["running", "done", "failed"]
    paths: list[str]
    started: dt.datetime
    finished: dt.datetime | None = None
    progress: IndexProgress = Field(default_factory=IndexProgress)
    summary: IndexSummary | None = Field(default=None, description="when done: what changed")
    error: Problem | None = Field(default=None, description="when failed: why")


class IndexJobs:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.home / "jobs"
        self._lock = threading.Lock()
        self._running: threading.Thread | None = None

    def _path(self, job_id: str) -> Path:
        return self.dir / f"{job_id}.json"

    def _save(self, job: IndexJob) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{job.id}.{os.getpid()}.tmp"
        tmp.write_text(job.model_dump_json(), encoding="utf-8")
        tmp.replace(self._path(job.id))  # atomic: readers see the old record or the new one

    def prune(self) -> None:
        """Delete records that are neither among the newest ``api_jobs_keep`` nor younger than the
        retention period, and temporary files a crashed writer left behind."""
        if not self.dir.is_dir():
            return
        cutoff = time.time() - self.settings.api_jobs_retention_days * 86400
        records = []
        for path in self.dir.iterdir():
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:  # another worker pruned it first
                continue
            if path.suffix == ".json" and JOB_ID.match(path.stem):
                records.append((mtime, path))
            elif path.name.startswith(".") and path.suffix == ".tmp" and mtime < time.time() - 3600:
                path.unlink(missing_ok=True)
        records.sort(reverse=True)
        for mtime, path in records[self.settings.api_jobs_keep:]:
            # a running job rewrites its record every half second, so it is never this old
            if mtime < cutoff:
                path.unlink(missing_ok=True)

    def get(self, job_id: str) -> IndexJob:
        path = self._path(job_id) if JOB_ID.match(job_id) else None
        if path is None or not path.is_file():
            raise NotFound(f"no index job {job_id!r}", "POST /v1/index starts one and returns its id")
        return IndexJob.model_validate_json(path.read_text(encoding="utf-8"))

    def start(self) -> IndexJob:
        with self._lock:
            if self.running():
                raise IndexBusyError("an index job is already running in this worker",
                                     "poll GET /v1/index/{job} until it is done, then retry")
            self._check_lock()
            self.prune()
            paths = [Path(p) for p in self.settings.index_paths]
            job = IndexJob(id=uuid.uuid4().hex[:12], state="running", paths=[str(p) for p in paths],
                           started=dt.datetime.now(dt.UTC))
            self._save(job)
            self._running = threading.Thread(target=self._run, args=(job, paths), name=f"index-{job.id}", daemon=True)
            self._running.start()
            return job

    def _check_lock(self) -> None:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.settings.lock_path))
        try:
            lock.acquire(timeout=0)
        except Timeout as exc:
            raise IndexBusyError(f"another indexer is running on {self.settings.home}",
                                 "poll its job (GET /v1/index/{job}) or wait, then retry") from exc
        lock.release()

    def running(self) -> bool:
        return self._running is not None and self._running.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        thread = self._running
        if thread is not None:
            thread.join(timeout)

    def _run(self, job: IndexJob, paths: list[Path]) -> None:
        from assistant.index.indexer import Indexer

        last = 0.0

        def progress(phase: str, done: int, total: int) -> None:
            nonlocal last
            job.progress = IndexProgress(phase=phase, done=done, total=total)
            now = time.monotonic()
            if now - last > 0.5 or done == total:
                last = now
                self._save(job)

        try:
            job.summary = Indexer(self.settings, progress=progress).run(paths)
            job.state = "done"
        except ArchieError as exc:
            job.state, job.error = "failed", problem_of(exc)
        except Exception as exc:  # a bug: record it without internals, keep the worker alive
            import logging

            logging.getLogger("archie.api").exception("index job %s failed", job.id)
            job.state = "failed"
            job.error = Problem(title="Internal Server Error", status=500, detail=f"indexing failed ({type(exc).__name__})")
        job.finished = dt.datetime.now(dt.UTC)
        self._save(job)
        metrics.index_job(job)
        self.prune()
