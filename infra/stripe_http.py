"""Stripe's HTTP calls over kept-alive ``http.client`` connections, one per thread.

The Stripe library's default transport is ``requests``, whose sessions, adapters and
urllib3 pools cost more CPU per call than the call's own work: about two thirds of the
client-side cost of a PaymentIntent call in a checkout's profile (decision 82). Stripe's
own retry loop (``max_network_retries``) still wraps every call; here a connection the
server closed while it was kept is replaced at once, before any byte of an answer came.
"""

from __future__ import annotations

import http.client
import ssl
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

import stripe

#: Seconds to wait for Stripe, as the library's default transport does.
TIMEOUT_S = 80.0
#: The errors of a kept connection the other side had already closed when we wrote.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class KeptConnectionsClient(stripe.HTTPClient):
    name = "http.client"

    def __init__(self, timeout: float = TIMEOUT_S) -> None:
        super().__init__()
        self._timeout = timeout
        self._tls = ssl.create_default_context(cafile=stripe.ca_bundle_path)
        self._local = threading.local()

    def _connections(self) -> dict[tuple[str, str], http.client.HTTPConnection]:
        kept: dict[tuple[str, str], http.client.HTTPConnection] | None = getattr(
            self._local, "kept", None
        )
        if kept is None:
            kept = self._local.kept = {}
        return kept

    def _open(self, scheme: str, host: str) -> http.client.HTTPConnection:
        if scheme == "https":
            return http.client.HTTPSConnection(host, timeout=self._timeout, context=self._tls)
        return http.client.HTTPConnection(host, timeout=self._timeout)

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None,
        *, _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = post_data.encode("utf-8") if isinstance(post_data, str) else post_data
        kept = self._connections()
        where = (parts.scheme, parts.netloc)
        while True:
            reused = where in kept
            connection = kept.pop(where, None) or self._open(*where)
            try:
                connection.request(method.upper(), target, body=body, headers=dict(headers or {}))
                response = connection.getresponse()
                content = response.read()
            except _STALE as exc:
                connection.close()
                if reused:
                    continue  # closed while kept: nothing reached Stripe, try a new one
                raise stripe.APIConnectionError(f"Stripe could not be reached: {exc}") from exc
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                raise stripe.APIConnectionError(f"Stripe could not be reached: {exc}") from exc
            if response.will_close:
                connection.close()
            else:
                kept[where] = connection
            answer = {name.lower(): value for name, value in response.getheaders()}
            return content.decode("utf-8"), response.status, answer

    def request_stream(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None,
        *, _usage: list[str] | None = None,
    ) -> tuple[Any, int, Mapping[str, str]]:
        raise NotImplementedError("Jangteo streams nothing from Stripe")

    def close(self) -> None:
        for connection in self._connections().values():
            connection.close()
        self._connections().clear()
