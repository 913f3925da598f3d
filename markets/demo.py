"""Load the four booth markets of the source documents (idempotent by name), an organizer
who owns and runs them, published review criteria, booth maps, lending equipment, and their
market days a year ahead; and (:func:`past_days`) the demo markets' days of the past year,
held, so the analytics demo can give them attendance and booth sales."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.accounts.services import create_user
from markets.access import give_markets_to
from markets.applications.models import MarketCriterion
from markets.booths.demo_layout import load_booths
from markets.days.generation import close_past_days, generate_all, generate_market_days
from markets.days.models import MarketDay, MarketDayStatus
from markets.demo_data import demo_markets
from markets.lending import demo as lending_demo
from markets.models import Market
from shop.analytics.demo import DemoMarketDay

DEMO_ORGANIZER_EMAIL = "organizer@jangteo.kr"
#: How far ahead the demo opens market days: through the next season of every market.
DEMO_WEEKS_AHEAD = 52
DEMO_ORGANIZER_PASSWORD = "jangteo-demo-1234"  # noqa: S105 - a demo account, printed in docs

#: Criteria a jury of the centre might publish (demo wording, not an official rubric).
DEMO_CRITERIA = [
    ("사회적 가치", 40, "취약계층 고용, 지역 재투자 등 기업의 사회적 가치"),
    ("상품 완성도", 30, "상품의 품질, 포장, 가격의 적정성"),
    ("장터 기여", 30, "체험·공연 등 장터를 풍성하게 하는 참여 계획"),
]


async def load(session: AsyncSession, *, now: dt.datetime | None = None) -> str:
    added = 0
    for seed in demo_markets():
        if await session.scalar(select(Market.id).where(Market.name == seed.name)):
            continue
        market = Market(
            name=seed.name,
            place=seed.place,
            description=seed.description,
            rrule=seed.rrule,
            opens=seed.opens,
            closes=seed.closes,
            season_months=list(seed.season_months),
            timezone=seed.timezone,
            organizer_name=seed.organizer_name,
            capacity=seed.capacity,
            default_booth_fee=seed.booth_fee,
        )
        session.add(market)
        await session.flush()
        for position, (name, weight, description) in enumerate(DEMO_CRITERIA):
            session.add(
                MarketCriterion(
                    market_id=market.id, name=name, weight=weight, description=description,
                    position=position,
                )
            )
        added += 1
    organizer = await session.scalar(select(User).where(User.email == DEMO_ORGANIZER_EMAIL))
    if organizer is None:
        organizer = await create_user(
            session,
            email=DEMO_ORGANIZER_EMAIL,
            password=DEMO_ORGANIZER_PASSWORD,
            display_name="장터 운영자",
            roles=[Role.ORGANIZER],
        )
    # The demo organizer runs the four demo markets (those nobody owns yet).
    seeded = [seed.name for seed in demo_markets()]
    await give_markets_to(
        session, organizer,
        list((await session.scalars(select(Market.id).where(Market.name.in_(seeded)))).all()),
    )
    for market in (await session.scalars(select(Market))).all():  # booth maps, if none yet
        await load_booths(session, market.id, market.name)
    await session.commit()
    equipped = await lending_demo.load(session, organizer)
    # A year ahead: in December the next March-November season is already open, so its
    # market pages, application forms and calendar feeds show the coming days.
    created = await generate_all(session, weeks=DEMO_WEEKS_AHEAD, now=now)
    days = sum(created.values())
    loaded = f"장터 {added}곳을 불러왔습니다." if added else "장터 데이터가 이미 있습니다."
    return (f"{loaded} 장날 {days}일을 새로 만들었습니다 ({DEMO_WEEKS_AHEAD}주 앞까지). "
            f"대여 장비를 장터 {equipped}곳에 갖췄습니다.")


async def past_days(session: AsyncSession, today: dt.date) -> list[DemoMarketDay]:
    """The demo markets' days of the 365 days before ``today``, generated if missing and
    closed as held (the markets' own use cases), for the analytics demo."""
    first = today - dt.timedelta(days=365)
    seeded = [seed.name for seed in demo_markets()]
    markets = (await session.scalars(
        select(Market).where(Market.name.in_(seeded)).order_by(Market.id))).all()
    for market in markets:
        await generate_market_days(session, market, today - dt.timedelta(days=1), since=first)
    await close_past_days(session)
    rows = (await session.execute(
        select(MarketDay.id, MarketDay.market_id, MarketDay.day)
        .where(MarketDay.market_id.in_([m.id for m in markets]), MarketDay.day >= first,
               MarketDay.day < today, MarketDay.status == MarketDayStatus.HELD)
        .order_by(MarketDay.day, MarketDay.id))).all()
    return [DemoMarketDay(int(i), int(m), d) for i, m, d in rows]
