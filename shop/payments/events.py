"""What happens to payments: succeeded (money taken), failed (a decline), refunded."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentEvent(DomainEvent):
    aggregate: ClassVar[str] = "payment"
    id: int
    kind: str
    reference: str
    amount: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(PaymentEvent):
    name: ClassVar[str] = "payment.succeeded"
    intent_id: str
    user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentFailed(PaymentEvent):
    name: ClassVar[str] = "payment.failed"
    intent_id: str
    message: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentRefunded(PaymentEvent):
    """``amount`` is this refund; ``total_refunded`` all refunds of the payment so far."""

    name: ClassVar[str] = "payment.refunded"
    refund_id: int
    total_refunded: int
    actor_user_id: int | None = None
    reason: str = ""
