"""``POST /webhooks/stripe``: verify, store once, hand to the workers through the outbox.

Stripe retries, duplicates and reorders deliveries. The event row is inserted with ON
CONFLICT DO NOTHING on Stripe's event id, and the outbox event is written only when the row
is new, in the same transaction; so a replay answers 200 and changes nothing. A forged or
stale signature answers 400 before anything is read into the database.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import msgspec
from litestar import Controller, Request, post
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra import outbox
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import DomainError
from infra.events import DomainEvent
from infra.payments import StripeGateway, WebhookRejected
from infra.web.openapi import problem_responses
from infra.web.params import DbSession
from shop.payments.errors import PaymentErrorCode as Code
from shop.payments.models import StripeWebhookEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class StripeEventReceived(DomainEvent):
    name: ClassVar[str] = "payment.stripe_event_received"
    aggregate: ClassVar[str] = "stripe_event"
    id: str
    type: str
    object_id: str
    stripe_created: int


class WebhookAck(msgspec.Struct):
    received: bool
    duplicate: bool
    id: str


async def ingest(session: AsyncSession, event: dict[str, Any]) -> bool:
    """Store a verified event; True if it was new (and an outbox event was recorded)."""
    obj = (event.get("data") or {}).get("object") or {}
    event_id, kind = str(event["id"]), str(event.get("type", ""))
    object_id, created = str(obj.get("id", "")), int(event.get("created") or 0)
    values = {
        "stripe_event_id": event_id,
        "type": kind,
        "object_id": object_id,
        "stripe_created": created,
        "livemode": bool(event.get("livemode", False)),
        "payload": event,
        "received_at": utcnow(),
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    async with transaction(session):
        result = await session.execute(
            insert(StripeWebhookEvent).values(**values).on_conflict_do_nothing(
                index_elements=["stripe_event_id"]
            )
        )
        new = bool(result.rowcount)  # type: ignore[attr-defined]
        if new:
            outbox.record(
                session,
                StripeEventReceived(
                    id=event_id, type=kind, object_id=object_id, stripe_created=created
                ),
            )
    return new


class StripeWebhookController(Controller):
    path = "/webhooks/stripe"
    tags = ["결제 (Payments)"]

    @post(
        "/", operation_id="stripeWebhook", summary="Stripe 웹훅 수신 (서명 검증, 한 번만 저장)",
        status_code=HTTP_200_OK,
        responses=problem_responses(400, s400="서명을 확인할 수 없습니다 (Stripe-Signature)"),
    )
    async def receive(self, request: Request[Any, Any, Any], db_session: DbSession) -> WebhookAck:
        gateway: StripeGateway = request.app.state.payments
        payload = await request.body()
        try:
            event = gateway.parse_webhook(payload, request.headers.get("stripe-signature"))
        except WebhookRejected as exc:
            raise DomainError(
                Code.INVALID_SIGNATURE, f"웹훅 서명을 확인할 수 없습니다: {exc}",
                field="Stripe-Signature", status_code=400,
            ) from exc
        new = await ingest(db_session, event)
        return WebhookAck(received=True, duplicate=not new, id=str(event["id"]))


ROUTES = [StripeWebhookController]
