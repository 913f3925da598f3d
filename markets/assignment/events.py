"""What happens to booth assignments, for the outbox.

``assignment.published`` is the one vendors hear about: the notification worker (market
days) tells each placed vendor its booth and each unplaced vendor why, and calendar feeds
show the booth code from then on. The payload lists the placements, so a consumer needs no
query to write the messages; it still re-reads rows if it wants the current state.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentEvent(DomainEvent):
    aggregate: ClassVar[str] = "market_day"
    #: The market day's id (the aggregate).
    id: int
    market_id: int
    day: str
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentDrafted(AssignmentEvent):
    """The optimiser produced a draft (organizers only; vendors are not told drafts)."""

    name: ClassVar[str] = "assignment.drafted"
    placed: int
    unplaced: int
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentPublished(AssignmentEvent):
    name: ClassVar[str] = "assignment.published"
    #: [{"vendor_id": 3, "booth_code": "A-01"}, ...]
    placements: tuple[dict[str, object], ...]
    #: [{"vendor_id": 9, "reason": "market_full"}, ...]
    unplaced: tuple[dict[str, object], ...]
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentReopened(AssignmentEvent):
    """A published assignment is being changed; a new publication will follow."""

    name: ClassVar[str] = "assignment.reopened"
    reason: str
