"""What happens to accounts, for the outbox: only what a worker must act on."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(DomainEvent):
    """A reset link is due by mail. The payload names the reset row, never the token."""

    name: ClassVar[str] = "account.password_reset_requested"
    aggregate: ClassVar[str] = "user"
    id: int  # the password_resets row
    user_id: int
