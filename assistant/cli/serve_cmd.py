"""``archie serve``: the HTTP API and web page (uvicorn running ``api.app:create_app``)."""

from __future__ import annotations

import typer

from assistant.cli.common import err_console, settings
from assistant.errors import BadInputError, ConfigError


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
        workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (each opens the index)."),
        no_auth: bool = typer.Option(False, "--no-auth", help="Serve /v1 without API keys (loopback addresses only)."),
        log_level: str = typer.Option("info", "--log-level", help="critical | error | warning | info | debug"),
    ) -> None:
        """Serve every job over HTTP, with a web page at `/` and the OpenAPI docs at `/docs`.

        Every `/v1` route needs `Authorization: Bearer <key>` with a key from ARCHIE_API_KEYS
        (comma-separated, or a file with one key per line). `--no-auth` is for one person on
        their own machine and is refused on any address but loopback.

        Example: `ARCHIE_API_KEYS=$(cat keys.txt) archie serve --host 0.0.0.0 --port 8000 --workers 2`
        """
        # every refusal comes before the web stack is imported (fastapi, uvicorn, the jobs'
        # libraries): assistant.service is standard library plus settings
        from assistant.service import api_keys, check_tracing, is_loopback

        s = settings()
        local = no_auth or not s.api_auth
        if local:
            if not is_loopback(host):
                raise BadInputError("--no-auth", f"refused on {host}: without keys anyone who can reach it could use it",
                                    "serve on 127.0.0.1, or set ARCHIE_API_KEYS and drop --no-auth")
            err_console().print(f"[bold yellow]warning:[/] authentication is off: anything on this machine can call "
                                f"http://{host}:{port}/v1 without a key", highlight=False)
        elif not api_keys(s):
            raise ConfigError("no API keys: set ARCHIE_API_KEYS (comma-separated keys, or a file with one per line)",
                              "or use --no-auth on 127.0.0.1 for local use")
        if log_level not in ("critical", "error", "warning", "info", "debug"):
            raise BadInputError("--log-level", f"unknown level {log_level!r}", "use info, warning or debug")
        check_tracing(s)
        import uvicorn

        err_console().print(f"archie serving on http://{host}:{port} ({workers} worker{'s' if workers > 1 else ''}); "
                            f"docs at /docs", highlight=False)
        # access_log=False: the app writes one line per request itself (request id, route template,
        # status, duration, query values redacted), so uvicorn's would be a second
        # each worker builds its app from the factory's name: the local one turns keys off
        factory = "api.app:create_local_app" if local else "api.app:create_app"
        uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, log_level=log_level,
                    timeout_graceful_shutdown=30, access_log=False)
