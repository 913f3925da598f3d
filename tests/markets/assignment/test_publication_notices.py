"""Publishing an assignment tells the day's vendors: each placed vendor its booth, the day and
when to set up; each unplaced vendor why (in Korean). The notices come from the
``assignment.published`` event through its worker actor, once per (event, vendor): a
redelivered message writes nothing, a publication after a reopening tells everyone anew.
They show on the vendor's notice API and market console, and the booth code reaches the
vendor's calendar feed from the moment of publishing."""

from __future__ import annotations

import asyncio
from typing import Any

import icalendar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.outbox import OutboxEvent
from infra.settings import Settings
from markets.assignment import moves, publishing, runs
from markets.assignment.models import Assignment, UnplacedVendor
from markets.assignment.notices import write_publication_notices
from markets.booths.models import Booth
from markets.days import calendar_addresses
from markets.days.models import MarketDayNotice, NoticeKind
from shop.vendors.models import MemberRole, VendorMember
from tests.markets.assignment.conftest import World
from tests.markets.market_world import bearer, detached, login
from tests.shop.factories import make_user


async def _publish(factory: async_sessionmaker[AsyncSession], world: World) -> OutboxEvent:
    async with factory() as session:
        await runs.run_assignment(session, world.market.id, world.boss,
                                      day_ids=[world.day.id])
        await publishing.publish(session, world.market.id, world.day.id, world.boss)
        return await _last_publication(session)


async def _last_publication(session: AsyncSession) -> OutboxEvent:
    event = await session.scalar(
        select(OutboxEvent).where(OutboxEvent.name == "assignment.published")
        .order_by(OutboxEvent.id.desc()).limit(1)
    )
    assert event is not None
    return event


async def _notices(factory: async_sessionmaker[AsyncSession]) -> list[MarketDayNotice]:
    async with factory() as session:
        return list((await session.scalars(
            select(MarketDayNotice).order_by(MarketDayNotice.id)
        )).all())


async def _deliver(factory: async_sessionmaker[AsyncSession], event: OutboxEvent) -> int:
    async with factory() as session:
        return await write_publication_notices(
            session, event.event_id, int(event.payload["id"]), event.payload["placements"],
            event.payload["unplaced"],
        )


async def _member_of(
    factory: async_sessionmaker[AsyncSession], vendor_id: int
) -> User:
    async with factory() as session:
        user = await make_user(session, Role.VENDOR_MEMBER)
        session.add(VendorMember(vendor_id=vendor_id, user_id=user.id, role=MemberRole.OWNER))
        await session.commit()
        detached(session, user)
    return user


async def test_each_vendor_is_told_its_booth_or_why_not_once_per_publication(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    event = await _publish(session_factory, world)
    async with session_factory() as session:
        placed = dict((await session.execute(
            select(Assignment.vendor_id, Booth.code).join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.market_day_id == world.day.id)
        )).all())
        unplaced = dict((await session.execute(
            select(UnplacedVendor.vendor_id, UnplacedVendor.reason)
            .where(UnplacedVendor.market_day_id == world.day.id)
        )).all())
    assert len(placed) == 5 and len(unplaced) == 1  # six vendors booked, five booths

    assert await _deliver(session_factory, event) == 6
    assert await _deliver(session_factory, event) == 0  # a redelivered message: nothing new
    notices = await _notices(session_factory)
    assert len(notices) == 6 and {n.event_id for n in notices} == {event.event_id}
    day_text = f"{world.day.day.month}월 {world.day.day.day}일 (일)"
    for notice in notices:
        assert notice.market_day_id == world.day.id and day_text in notice.message
        if notice.vendor_id in placed:
            assert notice.kind is NoticeKind.BOOTH_ASSIGNED
            assert f"{placed[notice.vendor_id]} 부스" in notice.message
            assert "설치는 10:00부터" in notice.message  # 광화문 opens 11:00, set-up an hour before
            assert "운영은 11:00–16:00" in notice.message
        else:
            assert notice.kind is NoticeKind.BOOTH_NOT_ASSIGNED
            assert unplaced[notice.vendor_id] == "lower_tier"
            assert "부스를 배정받지 못했습니다" in notice.message
            assert "사유: 자리 부족" in notice.message

    # Reopened, changed and published again: a new event, so everyone is told again.
    async with session_factory() as session:
        await publishing.reopen(session, world.market.id, world.day.id, world.boss,
                              reason="부스 조정")
        moved = next(v for v in placed if placed[v] != "A-02")
        await moves.unassign(session, world.market.id, world.day.id, world.boss,
                                vendor_id=moved, reason="업체 사정으로 이번 장날 불참")
        await publishing.publish(session, world.market.id, world.day.id, world.boss)
        again = await _last_publication(session)
    assert again.event_id != event.event_id
    assert await _deliver(session_factory, again) == 6
    assert await _deliver(session_factory, again) == 0
    latest = [n for n in await _notices(session_factory) if n.event_id == again.event_id]
    told = next(n for n in latest if n.vendor_id == moved)
    assert told.kind is NoticeKind.BOOTH_NOT_ASSIGNED
    assert "운영자가 배정을 취소함 (업체 사정으로 이번 장날 불참)" in told.message


async def test_the_notice_reaches_the_vendor_api_console_and_calendar(
    client: AsyncTestClient[Any], world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    vendor = world.vendors[0]  # needs power, asked for A-01
    member = await _member_of(session_factory, vendor.id)
    async with session_factory() as session:
        feed_url = calendar_addresses.feed_path(
            await calendar_addresses.token_of(session, vendor.id)
        )

    def booth_lines(body: bytes) -> list[str]:
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        day = next(e for e in events if e.decoded("DTSTART").date() == world.day.day)
        return [str(day["SUMMARY"]), str(day["DESCRIPTION"])]

    before = await client.get(feed_url)
    assert before.status_code == 200
    summary, description = booth_lines(before.content)
    assert summary == "광화문 사회적경제 장터 부스" and "부스 번호: 배정 전" in description

    async with session_factory() as session:  # a draft is not shown to anyone
        await runs.run_assignment(session, world.market.id, world.boss,
                                      day_ids=[world.day.id])
    assert booth_lines((await client.get(feed_url)).content)[0] == "광화문 사회적경제 장터 부스"

    async with session_factory() as session:
        await publishing.publish(session, world.market.id, world.day.id, world.boss)
        event = await _last_publication(session)
        code = await session.scalar(
            select(Booth.code).join(Assignment, Assignment.booth_id == Booth.id)
            .where(Assignment.vendor_id == vendor.id, Assignment.market_day_id == world.day.id)
        )
    assert code == "A-01"
    summary, description = booth_lines((await client.get(feed_url)).content)
    assert summary == "광화문 사회적경제 장터 부스 A-01"
    assert "부스 번호: A-01" in description and "설치 10:00부터" in description
    first, second = await client.get(feed_url), await client.get(feed_url)
    assert first.content == second.content  # still stable between polls

    await _deliver(session_factory, event)
    auth = await _token(session_factory, member)
    listed = await client.get(f"/api/markets/vendors/{vendor.id}/notices", headers=auth)
    assert listed.status_code == 200, listed.text
    (notice,) = listed.json()
    assert notice["kind"] == "booth_assigned" and "A-01 부스" in notice["message"]
    stranger = await _token(session_factory, await _member_of(session_factory, world.vendors[1].id))
    refused = await client.get(f"/api/markets/vendors/{vendor.id}/notices", headers=stranger)
    assert refused.status_code in (403, 404)

    await login(client, member.email)
    console = await client.get(f"/console/markets?vendor_id={vendor.id}")
    assert console.status_code == 200
    assert "A-01 부스" in console.text and "설치는 10:00부터" in console.text


async def _token(factory: async_sessionmaker[AsyncSession], user: User) -> dict[str, str]:
    async with factory() as session:
        return await bearer(session, user)


async def test_the_worker_actor_writes_them_from_the_relayed_event(
    worker: Settings, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors, routing

    event = await _publish(session_factory, world)
    subscribed = [a for matches, a, _batch in routing.SUBSCRIPTIONS if matches(event.name)]
    assert actors.notify_assignment_published in subscribed
    message = event.envelope().to_dict()
    await asyncio.to_thread(actors.notify_assignment_published, message)
    await asyncio.to_thread(actors.notify_assignment_published, message)  # redelivered
    notices = await _notices(session_factory)
    assert len(notices) == 6
    assert len({n.vendor_id for n in notices}) == 6
