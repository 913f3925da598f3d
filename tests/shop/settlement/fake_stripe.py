"""A fake Stripe for Connect transfers, at the HTTP boundary."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any
from urllib.parse import parse_qs

from tests.fixtures.http import FakeHttpServer


@dataclasses.dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclasses.dataclass
class FakeStripeServer(FakeHttpServer):
    """A fake Stripe API on loopback, because localstripe has no Connect (no transfers).

    It answers ``POST /v1/transfers`` the way Stripe does: the form-encoded body becomes a
    ``transfer`` object (``tr_…``) with the amount, currency and destination sent; a request
    carrying an ``Idempotency-Key`` whose first request succeeded gets that answer again (as
    Stripe replays it; a request refused as invalid is not saved, so its retry runs).
    Destinations listed in ``refuse`` are answered with Stripe's 400
    ``invalid_request_error`` (``No such destination``). Every request is recorded so tests
    can assert on what the client sent.
    """

    requests: list[Recorded] = dataclasses.field(default_factory=list)
    transfers: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    replies: dict[str, tuple[int, dict[str, Any]]] = dataclasses.field(default_factory=dict)
    refuse: set[str] = dataclasses.field(default_factory=set)

    def exchange(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        form = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        self.requests.append(Recorded(method, path, headers, form))
        status, payload = self.respond(method, path, headers, form)
        return status, payload, {"Request-Id": f"req_{secrets.token_hex(6)}"}

    def respond(
        self, method: str, path: str, headers: dict[str, str], form: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        key = headers.get("idempotency-key")
        if key and key in self.replies:
            return self.replies[key]
        if method == "POST" and path == "/v1/transfers":
            reply = self._transfer(form)
        else:
            reply = (404, {"error": {"type": "invalid_request_error",
                                     "message": f"Unrecognized request URL ({method}: {path})"}})
        if key and reply[0] < 400:  # Stripe saves no result for a request refused as invalid
            self.replies[key] = reply
        return reply

    def _transfer(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        destination = form.get("destination", "")
        if destination in self.refuse:
            return 400, {"error": {
                "type": "invalid_request_error", "code": "resource_missing",
                "param": "destination", "message": f"No such destination: '{destination}'",
            }}
        transfer: dict[str, Any] = {
            "id": f"tr_{secrets.token_hex(8)}", "object": "transfer",
            "amount": int(form["amount"]), "currency": form["currency"],
            "destination": destination, "transfer_group": form.get("transfer_group"),
            "description": form.get("description"), "livemode": False, "reversed": False,
            "metadata": {k[len("metadata["):-1]: v for k, v in form.items()
                         if k.startswith("metadata[")},
        }
        self.transfers[transfer["id"]] = transfer
        return 200, transfer

    def transfer_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/transfers"]
