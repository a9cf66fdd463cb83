"""OpenTelemetry tracing, optional: ``pip install 'archie[otel]'`` and ``ARCHIE_API_TRACING=true``.

Spans go to an OTLP/HTTP exporter configured by the standard variables (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_SERVICE_NAME``,
``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_BSP_*``), which the SDK reads itself. Nothing here is imported
when tracing is off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.service import check_tracing

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.settings import Settings

def install(app: FastAPI, settings: Settings) -> Callable[[], None] | None:
    """Trace every request (a server span per request, named by route template); returns how to
    flush and stop the exporter, or ``None`` when tracing is off."""
    if not settings.api_tracing:
        return None
    check_tracing(settings)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from assistant import __version__

    resource = Resource.create({"service.version": __version__})  # OTEL_SERVICE_NAME and _RESOURCE_ATTRIBUTES
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": "archie"}))
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics",
                                       server_request_hook=_tag_request)
    return provider.shutdown


def _tag_request(span: Any, scope: dict[str, Any]) -> None:
    """Put the request id on the server span, so that a trace and a log line meet."""
    from api.context import request_id_of

    if span is not None and span.is_recording():
        span.set_attribute("archie.request_id", request_id_of(scope))
