"""Two awards racing for one request award exactly one quote.

The request row is locked for the award (``SELECT … FOR UPDATE`` on PostgreSQL, the write lock
on SQLite): the second award sees the request awarded and gets the state machine's 409, so
one purchase order is made and one ``quote_awarded`` event written.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from shop.procurement import awarding
from shop.procurement.models import PurchaseOrder
from shop.procurement.quotation_models import QuoteRequest, QuoteRequestStatus
from tests.fixtures.races import race
from tests.shop.procurement.quote_world import AWARDED, make_quote_world


async def test_two_awards_of_one_request_at_once_award_one(
    db_session: AsyncSession, racing_sessions: async_sessionmaker[AsyncSession],
) -> None:
    qw = await make_quote_world(db_session)
    request = await qw.request(db_session, 30_000_000)
    quote_ids = [(await qw.quote(db_session, request, vendor, price)).id
                 for vendor, price in ((qw.sunny, 30_000), (qw.forest, 29_000))]
    request_id, requester = request.id, qw.world.requester

    results = await race(racing_sessions, [
        lambda s, q=q: awarding.award(s, requester, request_id, q, now=AWARDED)
        for q in quote_ids
    ])
    assert sorted(results) == ["ok", "quote_request_invalid_transition"]

    db_session.expunge_all()
    awarded = await db_session.get(QuoteRequest, request_id)
    assert awarded is not None and awarded.status is QuoteRequestStatus.AWARDED
    assert awarded.awarded_quote_id in quote_ids
    orders = (await db_session.scalars(select(PurchaseOrder))).all()
    assert [o.id for o in orders] == [awarded.order_id]
    assert await db_session.scalar(select(func.count(OutboxEvent.id)).where(
        OutboxEvent.name == "procurement.quote_awarded")) == 1
