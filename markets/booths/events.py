"""What happens to booth maps, for the outbox (maps change rarely; consumers re-read rows)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoothEvent(DomainEvent):
    aggregate: ClassVar[str] = "booth"
    id: int
    market_id: int
    code: str
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoothCreated(BoothEvent):
    name: ClassVar[str] = "booth.created"


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoothUpdated(BoothEvent):
    name: ClassVar[str] = "booth.updated"
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoothDeactivated(BoothEvent):
    name: ClassVar[str] = "booth.deactivated"
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class BoothReactivated(BoothEvent):
    name: ClassVar[str] = "booth.reactivated"
