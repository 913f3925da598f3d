"""How an application changes status: the transition table checked, an audit row written
(who, from what, to what, why), and the event every change of an application records.

Every use case that moves an application (apply, decide, withdraw, answer an offer) goes
through :func:`change_status`, so the audit trail and the state machine cannot drift apart.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from markets.applications.events import ApplicationEvent
from markets.applications.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
)

E = TypeVar("E", bound=ApplicationEvent)


def application_event(
    cls: type[E], application: Application, actor_id: int | None, reason: str, **extra: Any
) -> E:
    """An event about ``application``, carrying the fields every application event has."""
    return cls(
        id=application.id, market_id=application.market_id, vendor_id=application.vendor_id,
        season=application.season, actor_user_id=actor_id, reason=reason, **extra,
    )


def change_status(
    session: AsyncSession,
    application: Application,
    target: ApplicationStatus,
    actor_id: int | None,
    reason: str,
) -> None:
    APPLICATION_TRANSITIONS.check(application.status, target)
    session.add(
        ApplicationStatusChange(
            application_id=application.id, from_status=application.status, to_status=target,
            actor_user_id=actor_id, reason=reason,
        )
    )
    application.status = target
    application.status_reason = reason
