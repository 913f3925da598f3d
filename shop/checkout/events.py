"""What happens to stock reservations: held for a checkout, confirmed by its payment,
released or expired. Recorded in the transaction of each change (``stock.py``)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationEvent(DomainEvent):
    aggregate: ClassVar[str] = "stock_reservation"
    id: int
    actor_user_id: int | None = None
    reason: str = ""
    #: ``[{"variant_id": …, "quantity": …}]``: demand already summed per variant.
    lines: tuple[dict[str, int], ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReserved(StockReservationEvent):
    name: ClassVar[str] = "stock.reserved"
    expires_at: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationConfirmed(StockReservationEvent):
    """Paid: the reserved units are now allocations (still in stock until shipped)."""

    name: ClassVar[str] = "stock.reservation_confirmed"


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationReleased(StockReservationEvent):
    name: ClassVar[str] = "stock.reservation_released"


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockReservationExpired(StockReservationEvent):
    name: ClassVar[str] = "stock.reservation_expired"
