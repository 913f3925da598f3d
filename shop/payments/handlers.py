"""Who is told when a payment of a kind succeeds: one :class:`PaymentHandler` per kind
(a checkout, a booth fee), registered by the composition root. Kept apart from the payment
use cases (``shop.payments.services``) because features declare handlers without needing
anything else of payments, and the registry is wiring, not a use case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from shop.payments.models import Payment


class Unfulfillable(Exception):
    """Raised by a handler: the money came but what it paid for is gone; refund it."""


@dataclasses.dataclass(frozen=True)
class PaymentHandler:
    kind: str
    #: Runs inside the transaction that marks the payment succeeded; must be idempotent.
    on_succeeded: Callable[[AsyncSession, Payment], Awaitable[None]]
    #: Where the payer goes after paying (a path on our site).
    result_path: Callable[[Payment], str]
    #: Runs (in its own transaction) after an :class:`Unfulfillable` payment was refunded.
    on_unfulfillable: Callable[[AsyncSession, Payment, str], Awaitable[None]] | None = None


#: The handler of each payment kind. Filled only by the composition root
#: (``infra.bootstrap.bootstrap``), never when a feature's module is imported, so every
#: process that pays (web, worker, CLI) wires the same kinds whatever it happened to import.
_HANDLERS: dict[str, PaymentHandler] = {}


def register_handler(handler: PaymentHandler) -> None:
    """Declare who is told when a payment of ``handler.kind`` succeeds.

    Registering the same handler again is harmless (bootstrap is idempotent); a second,
    different handler for a kind is a wiring mistake and refused.
    """
    known = _HANDLERS.get(handler.kind)
    if known is not None and known != handler:
        raise ValueError(f"payment kind {handler.kind!r} already has another handler")
    _HANDLERS[handler.kind] = handler


def registered_handlers() -> Mapping[str, PaymentHandler]:
    """The handlers registered so far, by kind (read-only), for inspection and tests."""
    return MappingProxyType(_HANDLERS)


def handler_for(kind: str) -> PaymentHandler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise RuntimeError(
            f"no payment handler registered for kind {kind!r} (was infra.bootstrap.bootstrap() "
            "called in this process?)"
        ) from None
