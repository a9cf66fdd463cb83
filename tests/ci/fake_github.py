"""A small real HTTP server on 127.0.0.1 standing in for the GitHub REST API's issue comments:
list (paginated with Link headers, two per page), create and edit, behind a bearer token."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "test-token"
PAGE = 2
_LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
_EDIT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


@dataclass
class FakeGitHub:
    url: str = ""
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> comment (with "issue")
    requests: list[tuple[str, str]] = field(default_factory=list)
    deny: int | None = None  # answer every request with this status
    next_id: int = 100

    def add(self, issue: int, body: str, user: str = "someone") -> int:
        self.next_id += 1
        self.comments[self.next_id] = {"id": self.next_id, "issue": issue, "body": body, "user": {"login": user},
                                       "html_url": f"https://github.test/pr/{issue}#issuecomment-{self.next_id}"}
        return self.next_id

    def on(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue"] == issue]

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]


def _handler(gh: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            n = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(n) or b"{}")

        def _handle(self, method: str) -> None:
            url = urlparse(self.path)
            gh.requests.append((method, url.path))
            if gh.deny:
                return self._send(gh.deny, {"message": "Resource not accessible by integration"})
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, {"message": "Bad credentials"})
            if (m := _LIST.match(url.path)) and method == "GET":
                page = int(parse_qs(url.query).get("page", ["1"])[0])
                items = gh.on(int(m.group(2)))
                chunk = items[(page - 1) * PAGE : page * PAGE]
                link = {"Link": f'<{gh.url}{url.path}?per_page={PAGE}&page={page + 1}>; rel="next"'} \
                    if page * PAGE < len(items) else {}
                return self._send(200, chunk, link)
            if (m := _LIST.match(url.path)) and method == "POST":
                cid = gh.add(int(m.group(2)), self._body()["body"], user="github-actions[bot]")
                return self._send(201, gh.comments[cid])
            if (m := _EDIT.match(url.path)) and method == "PATCH":
                cid = int(m.group(2))
                if cid not in gh.comments:
                    return self._send(404, {"message": "Not Found"})
                gh.comments[cid]["body"] = self._body()["body"]
                return self._send(200, gh.comments[cid])
            return self._send(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

    return Handler


@contextlib.contextmanager
def fake_github() -> Iterator[FakeGitHub]:
    """Serve a ``FakeGitHub`` on a free loopback port for the duration of the block."""
    gh = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gh))
    gh.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gh
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
