"""Request for quotation → quotes → award, with the acceptance numbers of issue 10:
a single quote of 50,000,000 is accepted for a vendor with 35 % vulnerable employees,
50,000,001 is refused unless two quotes came in, 30,000,000 with a 20 % vendor needs two.
Quotes only before the deadline (Seoul time); the award becomes a purchase order pending
approval; the invited vendors' members are mailed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import Conflict, InvalidInput, NotFound
from infra.outbox import OutboxEvent
from shop.procurement import awarding, quotations, quote_mail, quoting
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.models import PurchaseMethod
from shop.procurement.quotation_models import QuoteRequest, QuoteRequestStatus
from tests.shop.procurement.quote_world import (
    AWARDED,
    DEADLINE,
    QUOTED,
    SENT,
    QuoteWorld,
    make_quote_world,
)


@pytest.fixture
async def qw(db_session: AsyncSession) -> QuoteWorld:
    return await make_quote_world(db_session)


async def _events(session: AsyncSession, name: str) -> list[OutboxEvent]:
    return list((await session.scalars(select(OutboxEvent).where(OutboxEvent.name == name)
                                       .order_by(OutboxEvent.id))).all())


async def test_single_quote_of_50_000_000_is_awarded_to_a_35_percent_vendor(
    db_session: AsyncSession, qw: QuoteWorld
) -> None:
    request = await qw.request(db_session, 50_000_000, vendors=(qw.sunny,))
    quote = await qw.quote(db_session, request, qw.sunny, 50_000)
    order = await awarding.award(db_session, qw.world.requester, request.id, quote.id,
                                 now=AWARDED)

    assert order.method is PurchaseMethod.SINGLE_QUOTE and order.quotes == 1
    assert order.status is PurchaseOrderStatus.PENDING_APPROVAL
    assert (order.estimated_price, order.supply_amount, order.vat_amount) == (
        50_000_000, 50_000_000, 5_000_000)
    assert order.contract_date == dt.date(2025, 3, 7) and order.approvals_required == 2
    assert order.vendor_id == qw.sunny.id and order.requester_id == qw.world.requester.id
    db_session.expunge_all()
    awarded = await db_session.get(QuoteRequest, request.id)
    assert awarded is not None and awarded.status is QuoteRequestStatus.AWARDED
    assert (awarded.awarded_quote_id, awarded.order_id) == (quote.id, order.id)
    (event,) = await _events(db_session, "procurement.quote_awarded")
    assert event.payload["method"] == "single_quote" and event.payload["order_id"] == order.id
    assert len(await _events(db_session, "procurement.order_submitted")) == 1


async def test_50_000_001_needs_two_quotes(db_session: AsyncSession, qw: QuoteWorld) -> None:
    alone = await qw.request(db_session, 50_000_001, vendors=(qw.sunny,))
    quote = await qw.quote(db_session, alone, qw.sunny, 50_000)
    with pytest.raises(Conflict) as refused:
        await awarding.award(db_session, qw.world.requester, alone.id, quote.id, now=AWARDED)
    assert refused.value.code == "procurement_quotes_required"
    assert refused.value.extra["rule"] == "single_quote_ceiling"
    assert refused.value.extra["ceiling"] == 50_000_000
    assert "50,000,000원" in refused.value.message

    both = await qw.request(db_session, 50_000_001)
    sunny = await qw.quote(db_session, both, qw.sunny, 50_000)
    await qw.quote(db_session, both, qw.forest, 52_000)
    order = await awarding.award(db_session, qw.world.requester, both.id, sunny.id, now=AWARDED)
    assert order.method is PurchaseMethod.MULTIPLE_QUOTES and order.quotes == 2


async def test_30_000_000_with_a_20_percent_vendor_needs_two_quotes(
    db_session: AsyncSession, qw: QuoteWorld
) -> None:
    alone = await qw.request(db_session, 30_000_000, vendors=(qw.forest,))
    quote = await qw.quote(db_session, alone, qw.forest, 30_000)
    with pytest.raises(Conflict) as refused:
        await awarding.award(db_session, qw.world.requester, alone.id, quote.id, now=AWARDED)
    assert refused.value.code == "procurement_quotes_required"
    assert refused.value.extra["ceiling"] == 20_000_000

    both = await qw.request(db_session, 30_000_000)
    await qw.quote(db_session, both, qw.sunny, 31_000)
    forest = await qw.quote(db_session, both, qw.forest, 30_000)
    order = await awarding.award(db_session, qw.world.requester, both.id, forest.id,
                                 now=AWARDED)
    assert (order.method, order.vendor_id) == (PurchaseMethod.MULTIPLE_QUOTES, qw.forest.id)


async def test_quotes_are_taken_before_the_deadline_in_seoul_time_only(
    db_session: AsyncSession, qw: QuoteWorld
) -> None:
    request = await qw.request(db_session, 10_000_000)
    assert request.deadline == DEADLINE.replace(tzinfo=dt.UTC) - dt.timedelta(hours=9)
    first = await qw.quote(db_session, request, qw.sunny, 10_000)
    again = await qw.quote(db_session, request, qw.sunny, 9_500,
                           at=dt.datetime(2025, 3, 6, 16, 59, tzinfo=quotations.SEOUL))
    assert again.id == first.id and again.revision == 2 and again.supply_amount == 9_500_000
    request_id, line_id = request.id, request.lines[0].id
    for late in (dt.datetime(2025, 3, 6, 8, 0, tzinfo=dt.UTC),  # 17:00 in Seoul
                 dt.datetime(2025, 3, 6, 17, 1, tzinfo=quotations.SEOUL)):
        with pytest.raises(Conflict) as refused:
            await quoting.submit_quote(db_session, qw.forest_member, qw.forest.id, request_id,
                                       {line_id: 9_000}, dt.date(2025, 3, 31), now=late)
        assert refused.value.code == "quote_deadline_passed"
    assert [e.payload["revision"] for e in
            await _events(db_session, "procurement.quote_received")] == [1, 2]


async def test_a_quote_names_its_bad_fields_and_only_invited_vendors_answer(
    db_session: AsyncSession, qw: QuoteWorld
) -> None:
    request = await qw.request(db_session, 10_000_000, vendors=(qw.sunny,))
    line_id = request.lines[0].id
    with pytest.raises(InvalidInput) as refused:
        await quoting.submit_quote(db_session, qw.sunny_member, qw.sunny.id, request.id, {},
                                   None, now=QUOTED)
    fields = {e["field"] for e in refused.value.extra["errors"]}
    assert fields == {f"prices[{line_id}]", "valid_until"}
    with pytest.raises(NotFound):
        await qw.quote(db_session, request, qw.forest, 9_000)


async def test_an_award_waits_for_the_deadline_unless_every_vendor_answered(
    db_session: AsyncSession, qw: QuoteWorld
) -> None:
    request = await qw.request(db_session, 10_000_000)
    quote = await qw.quote(db_session, request, qw.sunny, 10_000)
    request_id, quote_id = request.id, quote.id
    with pytest.raises(Conflict) as early:
        await awarding.award(db_session, qw.world.requester, request_id, quote_id, now=QUOTED)
    assert early.value.code == "quote_deadline_not_passed"
    await qw.quote(db_session, request, qw.forest, 11_000)
    order = await awarding.award(db_session, qw.world.requester, request_id, quote_id,
                                 now=QUOTED)
    assert order.quotes == 2
    with pytest.raises(Conflict) as twice:
        await awarding.award(db_session, qw.world.requester, request_id, quote_id, now=AWARDED)
    assert twice.value.code == "quote_request_invalid_transition"


async def test_bad_requests_name_every_field(db_session: AsyncSession, qw: QuoteWorld) -> None:
    w = qw.world
    with pytest.raises(InvalidInput) as refused:
        await quotations.request_quotes(db_session, w.requester, quotations.QuoteRequestInput(
            institution_id=w.institution.id, department_id=w.department.id, title=" ",
            delivery_place="", delivery_date=dt.date(2025, 3, 1), estimated_price=-1,
            deadline=dt.datetime(2025, 3, 2, 12, 0),
            lines=(quotations.RequestLineInput("household", "노트", 0, ""),)), now=SENT)
    fields = {e["field"] for e in refused.value.extra["errors"]}
    assert fields == {"title", "delivery_place", "estimated_price", "deadline", "delivery_date",
                      "lines[0].quantity", "lines[0].unit", "vendor_ids"}


async def test_every_approved_vendor_of_a_strategic_item_is_invited_and_mailed(
    db_session: AsyncSession, qw: QuoteWorld
) -> None:
    w = qw.world
    request = await quotations.request_quotes(db_session, w.requester, quotations.QuoteRequestInput(
        institution_id=w.institution.id, department_id=w.department.id, title="재생 종이 구매",
        delivery_place="성북구청", delivery_date=dt.date(2025, 3, 20), estimated_price=5_000_000,
        deadline=DEADLINE, strategic_item="green_cycle",
        lines=(quotations.RequestLineInput("office_it", "재생 복사지", 200, "박스"),)), now=SENT)
    assert request.vendor_ids == [qw.forest.id]

    (event,) = await _events(db_session, "procurement.quote_requested")
    assert event.payload["vendor_ids"] == [qw.forest.id]
    mails = await quote_mail.mails_for_event(db_session, event.name, event.payload,
                                             site_url="https://jangteo.example")
    (mail,) = mails
    assert mail.to == "forest@example.kr"
    assert "성북구청 견적 요청" in mail.subject and "마감 2025-03-06 17:00" in mail.subject
    assert "재생 복사지 200박스" in mail.text and "5,000,000원 (부가세 별도)" in mail.text
    assert (f"https://jangteo.example/console/vendors/{qw.forest.id}/quotes/{request.id}"
            in mail.text)
    assert await quote_mail.mails_for_event(db_session, "procurement.quote_received", {}) == []
