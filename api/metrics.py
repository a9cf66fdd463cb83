"""Prometheus metrics: HTTP requests by route template and status (prometheus-fastapi-instrumentator),
and what the jobs did (prometheus-client), fed by one-line hooks where a job's result passes.

With several workers set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory: prometheus-client then
keeps the figures in files there and ``/metrics`` (or the metrics port) sums every worker's.
Metric objects are made once per process, at import (they are counters, not clients: no I/O).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.errors import ArchieError
    from assistant.settings import Settings

log = logging.getLogger("archie.api")
T = TypeVar("T")
JOB_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)
HTTP_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

ASK_SECONDS = Histogram("archie_ask_seconds", "Time the ask job took per answer (without queueing).",
                        buckets=JOB_BUCKETS)
REVIEW_SECONDS = Histogram("archie_review_seconds", "Time the review job took per document (without queueing).",
                           buckets=JOB_BUCKETS)
ANSWERS = Counter("archie_answers_total", "Answers given, by provider (extractive, openai, llamacpp).", ["provider"])
ABSTENTIONS = Counter("archie_abstentions_total", "Answers that abstained: the documents did not say.")
CLAIMS_DROPPED = Counter("archie_guard_claims_dropped_total", "Claims the guard dropped from answers as unsupported.")
MODEL_ERRORS = Counter("archie_model_errors_total", "Model server failures: answers that fell back to extractive "
                       "(kind=fallback) and ModelUnavailable problems (kind=unavailable).", ["kind"])
PROBLEMS = Counter("archie_problems_total", "Problem details answered, by problem type.", ["type"])
INDEX_JOBS = Counter("archie_index_jobs_total", "Index jobs finished, by state (done, failed).", ["state"])
INDEX_JOB_SECONDS = Histogram("archie_index_job_seconds", "Duration of index jobs.",
                              buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600))
INDEX_DOCUMENTS = Counter("archie_index_documents_total", "Documents seen by index jobs, by what happened to "
                          "them (added, changed, unchanged, removed, skipped).", ["change"])


def answered(answer: T) -> T:
    """Hook for an ``Answer`` on its way out; returns it."""
    a: Any = answer
    ASK_SECONDS.observe(a.seconds)
    ANSWERS.labels(a.provider).inc()
    if a.abstained:
        ABSTENTIONS.inc()
    CLAIMS_DROPPED.inc(a.verdict.claims_dropped)
    if a.fallback:
        MODEL_ERRORS.labels("fallback").inc()
    from api.context import note

    note(question=a.question, abstained=a.abstained, claims_dropped=a.verdict.claims_dropped)
    return answer


def reviewed(review: T) -> T:
    """Hook for a ``Review`` on its way out; returns it."""
    REVIEW_SECONDS.observe(getattr(review, "seconds", 0.0))
    return review


def index_job(job: Any) -> None:
    """Hook for an index job when it finishes (done or failed)."""
    INDEX_JOBS.labels(job.state).inc()
    if job.finished is not None:
        INDEX_JOB_SECONDS.observe((job.finished - job.started).total_seconds())
    if job.summary is not None:
        for change in ("added", "changed", "unchanged", "removed", "skipped"):
            INDEX_DOCUMENTS.labels(change).inc(getattr(job.summary, change))


def count_problem(exc: ArchieError) -> None:
    from assistant.errors import ModelUnavailable

    PROBLEMS.labels(type(exc).__name__).inc()
    if isinstance(exc, ModelUnavailable):
        MODEL_ERRORS.labels("unavailable").inc()


@lru_cache(maxsize=1)
def _http_metrics() -> tuple[Callable[..., None], ...]:
    """The instrumentator's request counter and latency histogram, made once per process: a
    second app in the same process (tests) shares them rather than clash in the registry."""
    from prometheus_fastapi_instrumentator import metrics

    made = (metrics.requests(should_include_status=True),
            metrics.latency(should_include_status=True, buckets=HTTP_BUCKETS))
    return tuple(m for m in made if m is not None)


def registry(settings: Settings) -> CollectorRegistry:
    """What a scrape reads: this process's metrics, or every worker's in multiprocess mode."""
    if settings.prometheus_multiproc_dir is None:
        from prometheus_client import REGISTRY

        return REGISTRY
    from prometheus_client import multiprocess

    summed = CollectorRegistry()
    multiprocess.MultiProcessCollector(summed, path=str(settings.prometheus_multiproc_dir))
    return summed


def install(app: FastAPI, settings: Settings) -> None:
    """Count every request; serve ``/metrics`` unless the metrics have a port of their own."""
    if not settings.api_metrics:
        return
    from fastapi import Response
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from prometheus_fastapi_instrumentator import Instrumentator

    # exact statuses (not 2xx/4xx: a 401 storm and a 404 storm mean different things); paths no
    # route knows are counted under handler "none", so a scanner cannot blow up the label set
    instrumentator = Instrumentator(should_group_status_codes=False, should_group_untemplated=True,
                                    excluded_handlers=["^/metrics$"])
    instrumentator.add(*_http_metrics()).instrument(app)
    if settings.api_metrics_port is None:
        @app.get("/metrics", include_in_schema=False)
        def scrape() -> Response:
            return Response(generate_latest(registry(settings)), media_type=CONTENT_TYPE_LATEST)


def serve_port(settings: Settings) -> Callable[[], None] | None:
    """Start the metrics port (``api_metrics_port``); returns how to stop it. With several workers
    the first to bind it serves (all workers' figures in multiprocess mode); the others skip."""
    if not settings.api_metrics or settings.api_metrics_port is None:
        return None
    from prometheus_client import start_http_server

    try:
        server, thread = start_http_server(settings.api_metrics_port, settings.api_metrics_host,
                                           registry=registry(settings))
    except OSError as exc:
        log.info("metrics port %s:%s is taken (%s): another worker serves it", settings.api_metrics_host,
                 settings.api_metrics_port, exc.strerror)
        return None

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop
