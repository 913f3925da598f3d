"""What happens to vendors: their application, review and members. The search index
(a suspended vendor's products vanish from the mall) and analytics read these.

Each event is written to the outbox in the transaction of the change it names, and the
workers turn it into index updates, analytics and notifications. Payloads carry ids and the
facts a consumer needs to act without guessing; consumers that need the full current state
read it from the database (the event says *that* it changed, the row says *what it is now*).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorEvent(DomainEvent):
    aggregate: ClassVar[str] = "vendor"
    id: int
    actor_user_id: int | None = None
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorApplied(VendorEvent):
    name: ClassVar[str] = "vendor.applied"
    vendor_name: str
    enterprise_type: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorApproved(VendorEvent):
    name: ClassVar[str] = "vendor.approved"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorRejected(VendorEvent):
    name: ClassVar[str] = "vendor.rejected"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorSuspended(VendorEvent):
    name: ClassVar[str] = "vendor.suspended"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorReinstated(VendorEvent):
    name: ClassVar[str] = "vendor.reinstated"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorResubmitted(VendorEvent):
    name: ClassVar[str] = "vendor.resubmitted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorProfileUpdated(VendorEvent):
    name: ClassVar[str] = "vendor.profile_updated"


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorMemberInvited(VendorEvent):
    name: ClassVar[str] = "vendor.member_invited"
    email: str
    role: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class VendorMemberJoined(VendorEvent):
    name: ClassVar[str] = "vendor.member_joined"
    user_id: int
    role: str


#: Vendor events that change what the mall may show (a suspended vendor's products vanish).
VENDOR_INDEX_EVENTS = frozenset(
    {"vendor.approved", "vendor.suspended", "vendor.reinstated", "vendor.profile_updated"}
)
