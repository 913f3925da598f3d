"""Stripe's transport (``infra.stripe_http``) keeps its connection and survives losing it.

A server that closes a kept connection between two calls (an idle timeout, a restart) must
not turn the next call into an error: the client writes it again on a new connection, once,
as nothing of it was answered. A server that cannot be reached is Stripe's
``APIConnectionError``, which the library's own retries act on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from infra.stripe_http import KeptConnectionsClient


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless we close
    #: Which connection (numbered as accepted) answered each call.
    connections: list[int] = []
    accepted = 0

    def setup(self) -> None:
        super().setup()
        _Handler.accepted += 1
        self.number = _Handler.accepted

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.connections.append(self.number)
        answer = b'{"echo": "' + body + b'"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        if self.server.close_after_answer:  # type: ignore[attr-defined]
            self.close_connection = True  # without telling the client: its kept one is dead

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    _Handler.connections, _Handler.accepted = [], 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.close_after_answer = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}/v1/things"


def test_calls_share_one_kept_connection(server: ThreadingHTTPServer) -> None:
    client = KeptConnectionsClient(timeout=5)
    for n in range(3):
        body, status, headers = client.request("post", _url(server), {}, f"n={n}")
        assert (status, body) == (200, f'{{"echo": "n={n}"}}')
        assert headers["content-type"] == "application/json"
    assert _Handler.connections == [1, 1, 1]
    client.close()


def test_a_kept_connection_the_server_closed_is_replaced(server: ThreadingHTTPServer) -> None:
    server.close_after_answer = True  # type: ignore[attr-defined]
    client = KeptConnectionsClient(timeout=5)
    answers = [client.request("post", _url(server), {}, f"n={n}")[1] for n in range(3)]
    assert answers == [200, 200, 200]
    assert _Handler.connections == [1, 2, 3]  # each call written once, on a new connection
    client.close()


def test_a_server_that_cannot_be_reached_is_a_connection_error(
    server: ThreadingHTTPServer,
) -> None:
    url = _url(server)
    server.shutdown()
    server.server_close()
    with pytest.raises(stripe.APIConnectionError):
        KeptConnectionsClient(timeout=5).request("post", url, {}, "n=1")
