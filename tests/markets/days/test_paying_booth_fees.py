"""Booth fees paid by card through the shared payment module (kind ``booth_fee``), against a
real localstripe: a vendor's member pays a due fee from its fee page or the API, the fee
becomes paid exactly once however the completion arrives; money for a fee that was settled
or repriced meanwhile goes back; a cancelled day's card-paid fees are refunded through
Stripe by the worker, once, and fees paid on site stay owed back for the organizer."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import User
from infra.clock import seoul_today
from infra.errors import Conflict
from infra.outbox import OutboxEvent
from infra.payments import StripeGateway
from infra.settings import Settings
from markets.days import fees as fee_rules
from markets.days import payments as fee_payments
from markets.days import services
from markets.days.models import BoothFee, BoothFeeChange, BoothFeeStatus, MarketDay
from shop.payments import services as payments
from shop.payments.models import Payment, PaymentStatus
from shop.vendors.models import Vendor
from tests.fixtures.actors import running_actors
from tests.markets.market_world import (
    add_days,
    add_market,
    bearer,
    booked,
    csrf_from,
    detached,
    login,
    organizer,
    vendor_with_owner,
)

VISA = "4242424242424242"
SEASON = seoul_today().year + 1


class World:
    def __init__(self, days: list[MarketDay], vendors: list[Vendor], owners: list[User],
                 boss: User, gateway: StripeGateway) -> None:
        self.days, self.vendors, self.owners, self.boss = days, vendors, owners, boss
        self.gateway = gateway


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession],
                pay_settings: Settings) -> World:
    """동진시장 next May, 5,000 won a day; two vendors accepted for the whole season."""
    async with session_factory() as session:
        market = await add_market(session, "동진시장", capacity=5, booth_fee=5000)
        days = await add_days(session, market, dt.date(SEASON, 5, 1), dt.date(SEASON, 5, 31))
        pairs = [await vendor_with_owner(session) for _ in range(2)]
        apps = [await booked(session, market, v, SEASON) for v, _ in pairs]
        for day in days:
            await fee_rules.assess(session, day, apps, None, "참가 선정")
        boss = await organizer(session, market)
        await session.commit()
        detached(session, boss, *[o for _, o in pairs])
    return World(days, [v for v, _ in pairs], [o for _, o in pairs], boss,
                 StripeGateway(pay_settings))


async def _fee(factory: async_sessionmaker[AsyncSession], vendor: Vendor,
               day: MarketDay) -> BoothFee:
    async with factory() as session:
        fee = await session.scalar(select(BoothFee).where(
            BoothFee.vendor_id == vendor.id, BoothFee.market_day_id == day.id))
        assert fee is not None
        return fee


async def _changes(factory: async_sessionmaker[AsyncSession], fee_id: int
                   ) -> list[tuple[BoothFeeStatus | None, BoothFeeStatus, str]]:
    async with factory() as session:
        rows = await session.scalars(
            select(BoothFeeChange).where(BoothFeeChange.fee_id == fee_id)
            .order_by(BoothFeeChange.id))
        return [(c.from_status, c.to_status, c.reason) for c in rows.all()]


async def _payment(factory: async_sessionmaker[AsyncSession], token: str) -> Payment:
    async with factory() as session:
        payment = await payments.by_token(session, token)
        await session.refresh(payment, ["refunds"])
        return payment


async def test_a_vendor_pays_a_due_fee_by_card_from_its_fee_page(
    pay_client: AsyncTestClient[Litestar], world: World,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    fee = await _fee(session_factory, world.vendors[0], world.days[0])
    await login(pay_client, world.owners[0].email)
    page = await pay_client.get(f"/console/markets/fees?vendor_id={world.vendors[0].id}")
    assert page.status_code == 200
    assert page.text.count("카드로 내기") == len(world.days) and "5,000원" in page.text
    started = await pay_client.post(f"/console/markets/fees/{fee.id}/pay",
                                     data={"_csrf_token": csrf_from(page.text)},
                                     follow_redirects=False)
    assert started.status_code in (302, 303), started.text
    pay_url = started.headers["location"]
    assert pay_url.startswith("/pay/")
    pay_page = await pay_client.get(pay_url)
    assert pay_page.status_code == 200 and "동진시장" in pay_page.text
    paid = await pay_client.post(f"{pay_url}/test-card",
                                 data={"_csrf_token": csrf_from(pay_page.text), "card": VISA},
                                 follow_redirects=True)
    assert paid.status_code == 200, paid.text
    assert "참가비 5,000원을 카드로 냈습니다" in paid.text and "납부 완료" in paid.text
    assert paid.text.count("카드로 내기") == len(world.days) - 1

    changes = await _changes(session_factory, fee.id)
    assert [(a, b) for a, b, _ in changes] == [
        (None, BoothFeeStatus.DUE), (BoothFeeStatus.DUE, BoothFeeStatus.PAID)]
    assert changes[-1][2].startswith("카드 결제 5,000원")


async def test_paying_happens_once_and_only_for_due_fees(
    pay_client: AsyncTestClient[Litestar], world: World,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    fee = await _fee(session_factory, world.vendors[0], world.days[1])
    async with session_factory() as session:
        owner = await bearer(session, world.owners[0])
        other = await bearer(session, world.owners[1])
    url = f"/api/markets/booth-fees/{fee.id}/pay"
    first = await pay_client.post(url, headers=owner)
    again = await pay_client.post(url, headers=owner)
    assert first.status_code == again.status_code == 200, first.text
    token = first.json()["payment_token"]
    assert again.json()["payment_token"] == token and first.json()["amount"] == 5000
    stranger = await pay_client.post(url, headers=other)
    assert stranger.status_code == 403

    charged = await pay_client.post(f"/api/payments/{token}/test-card", json={"card": VISA})
    assert charged.json()["status"] == "succeeded", charged.text
    # The payer's return, a second completion and the webhook's worker all arrive: one change.
    assert (await pay_client.post(f"/api/payments/{token}/complete")).status_code == 200
    payment = await _payment(session_factory, token)
    async with session_factory() as session:
        intent = await asyncio.to_thread(world.gateway.retrieve_intent, payment.intent_id)
        await payments.apply_intent(session, world.gateway, intent)
    changes = await _changes(session_factory, fee.id)
    assert [b for _, b, _ in changes].count(BoothFeeStatus.PAID) == 1

    refused = await pay_client.post(url, headers=owner)
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["errors"][0]["field"]) == (
        "booth_fee_not_due", "fee_id")
    listed = await pay_client.get(f"/api/markets/vendors/{world.vendors[0].id}/booth-fees",
                                  headers=owner)
    by_day = {f["day"]: f for f in listed.json()}
    assert by_day[world.days[1].day.isoformat()]["payable"] is False
    assert by_day[world.days[1].day.isoformat()]["fee"]["status"] == "paid"
    assert by_day[world.days[0].day.isoformat()]["payable"] is True


async def test_money_for_a_fee_settled_or_repriced_meanwhile_goes_back(
    world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    on_site = await _fee(session_factory, world.vendors[0], world.days[0])
    repriced = await _fee(session_factory, world.vendors[0], world.days[1])
    async with session_factory() as session:
        first = await fee_payments.start_fee_payment(session, world.gateway, world.owners[0],
                                                     on_site.id)
        old = await fee_payments.start_fee_payment(session, world.gateway, world.owners[0],
                                                   repriced.id)
    async with session_factory() as session:  # paid at the market's desk meanwhile
        await services.change_fee_status(session, on_site.id, world.boss, "paid", "현장 납부")
    async with session_factory() as session:  # and the other day's fee goes up
        await services.set_day_fee(session, world.days[1].id, world.boss, 7000)
    async with session_factory() as session:
        new = await fee_payments.start_fee_payment(session, world.gateway, world.owners[0],
                                                   repriced.id)
    assert (new.token != old.token, new.amount) == (True, 7000)

    for payment in (first, old):
        async with session_factory() as session:
            done, _ = await payments.pay_with_test_card(session, world.gateway, payment, VISA)
        assert done.status is PaymentStatus.REFUNDED and done.refunded_amount == payment.amount
    changes = await _changes(session_factory, on_site.id)
    assert [b for _, b, _ in changes] == [BoothFeeStatus.DUE, BoothFeeStatus.PAID]
    assert changes[-1][2] == "현장 납부"
    still = await _fee(session_factory, world.vendors[0], world.days[1])
    assert (still.status, still.amount) == (BoothFeeStatus.DUE, 7000)
    async with session_factory() as session:
        done, _ = await payments.pay_with_test_card(session, world.gateway, new, VISA)
    assert done.status is PaymentStatus.SUCCEEDED
    assert (await _fee(session_factory, world.vendors[0], world.days[1])).status is (
        BoothFeeStatus.PAID)


@pytest.fixture
def worker(pay_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The worker's actor module in this process, paying through the test's localstripe."""
    with running_actors(pay_settings.with_(var_dir=tmp_path / "var")) as ours:
        yield ours


async def test_a_cancelled_day_refunds_card_paid_fees_through_stripe_once(
    worker: Settings, world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    from workers import actors, routing

    day = world.days[2]
    by_card = await _fee(session_factory, world.vendors[0], day)
    on_site = await _fee(session_factory, world.vendors[1], day)
    async with session_factory() as session:
        payment = await fee_payments.start_fee_payment(session, world.gateway, world.owners[0],
                                                       by_card.id)
        await payments.pay_with_test_card(session, world.gateway, payment, VISA)
    async with session_factory() as session:
        await services.change_fee_status(session, on_site.id, world.boss, "paid", "계좌 이체")
    async with session_factory() as session:
        await services.cancel_market_day(session, day.id, world.boss, "태풍 예보")
        events = (await session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == "booth_fee.status_changed")
            .order_by(OutboxEvent.id))).all()
        owed = [e for e in events if e.payload["to_status"] == "refund_due"]
    assert {e.payload["id"] for e in owed} == {by_card.id, on_site.id}
    assert actors.refund_booth_fee in [a for m, a, _batch in routing.SUBSCRIPTIONS
                                       if m("booth_fee.status_changed")]

    # The organizer cannot settle the card-paid one by hand: the card gets it back.
    async with session_factory() as session:
        with pytest.raises(Conflict) as by_hand:
            await services.change_fee_status(session, by_card.id, world.boss, "refunded")
        assert by_hand.value.code == "booth_fee_paid_by_card"

    for event in [*owed, *owed]:  # every message delivered twice
        await asyncio.to_thread(actors.refund_booth_fee, event.envelope().to_dict())
    refunded = await _payment(session_factory, payment.token)
    assert refunded.status is PaymentStatus.REFUNDED and refunded.refunded_amount == 5000
    assert len(refunded.refunds) == 1
    assert (await _fee(session_factory, world.vendors[0], day)).status is (
        BoothFeeStatus.REFUNDED)
    # Paid at the desk: still owed back, for the organizer to record.
    assert (await _fee(session_factory, world.vendors[1], day)).status is (
        BoothFeeStatus.REFUND_DUE)
    async with session_factory() as session:
        await services.change_fee_status(session, on_site.id, world.boss, "refunded")
