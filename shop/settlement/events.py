"""What settlement tells the rest of the platform (mail, analytics): weeks closed, payouts made.

The ledger itself is written from the order events (``order.placed``,
``vendor_order.refunded``); these are settlement's own facts.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class SettlementWeekClosed(DomainEvent):
    name: ClassVar[str] = "settlement.week_closed"
    aggregate: ClassVar[str] = "settlement_week"
    id: int
    week_start: str
    statement_ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class PayoutPaid(DomainEvent):
    """Money left for a vendor: a bank batch marked sent, or a Stripe transfer made."""

    name: ClassVar[str] = "settlement.payout_paid"
    aggregate: ClassVar[str] = "payout_item"
    id: int
    batch_id: int
    vendor_id: int
    statement_id: int
    amount: int
    method: str
    transfer_id: str = ""
