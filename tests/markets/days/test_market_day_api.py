"""The market-day and waitlist API as programs use it (bearer tokens): organizers manage,
vendors read their own, nobody else gets in; money arrives as JSON integers only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import seoul_today
from markets.applications.models import ApplicationStatus
from markets.days import fees as fee_rules
from tests.markets.market_world import (
    add_days,
    add_market,
    bearer,
    booked,
    organizer,
    vendor_with_owner,
)

D = dt.date
YEAR = seoul_today().year + 1


async def test_organizer_and_vendor_api_round_trip(
    client: AsyncTestClient[Any], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        market = await add_market(session, "동진시장", capacity=1, booth_fee=3000)
        days = await add_days(session, market, D(YEAR, 5, 1), D(YEAR, 5, 31))
        (vendor, owner), (other, other_owner) = [await vendor_with_owner(session)
                                                 for _ in range(2)]
        app = await booked(session, market, vendor, YEAR)
        waiting = await booked(session, market, other, YEAR,
                               status=ApplicationStatus.WAITLISTED)
        for day in days:
            await fee_rules.assess(session, day, [app], None, "test")
        boss = await organizer(session, market)
        await session.commit()
        ids = {"market": market.id, "day": days[0].id, "vendor": vendor.id, "app": app.id,
               "other": other.id, "waiting": waiting.id}
        as_boss = await bearer(session, boss)
        as_owner = await bearer(session, owner)
        as_other = await bearer(session, other_owner)

    listed = await client.get(f"/api/markets/{ids['market']}/days",
                              params={"since": f"{YEAR}-05-10"})
    assert [d["day"] for d in listed.json()] == [f"{YEAR}-05-{n}" for n in (11, 18, 25)]

    day_url = f"/api/markets/days/{ids['day']}"
    assert (await client.put(f"{day_url}/booth-fee", json={"booth_fee": "4000"},
                             headers=as_boss)).status_code == 400
    assert (await client.put(f"{day_url}/booth-fee", json={"booth_fee": 4000},
                             headers=as_owner)).status_code == 403
    fee = await client.put(f"{day_url}/booth-fee", json={"booth_fee": 4000}, headers=as_boss)
    assert fee.status_code == 200 and fee.json()["booth_fee"] == 4000

    sheet = (await client.get(f"{day_url}/check-ins", headers=as_boss)).json()
    assert [(r["vendor_id"], r["status"]) for r in sheet] == [(ids["vendor"], None)]
    fees = (await client.get(f"{day_url}/booth-fees", headers=as_boss)).json()
    assert [(f["amount"], f["status"]) for f in fees] == [(4000, "due")]
    paid = await client.post(f"/api/markets/booth-fees/{fees[0]['id']}/paid", headers=as_boss)
    assert paid.json()["status"] == "paid"
    unknown = await client.post(f"/api/markets/booth-fees/{fees[0]['id']}/steal",
                                headers=as_boss)
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "action"

    cancelled = await client.post(f"{day_url}/cancel", json={"reason": "집중호우"},
                                  headers=as_boss)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await client.post(f"{day_url}/cancel", json={"reason": "집중호우"}, headers=as_boss)
    assert again.status_code == 409
    fees = (await client.get(f"{day_url}/booth-fees", headers=as_boss)).json()
    assert fees[0]["status"] == "refund_due"

    booth_days = await client.get(f"/api/markets/vendors/{ids['vendor']}/booth-days",
                                  headers=as_owner)
    assert len(booth_days.json()) == 4
    assert booth_days.json()[0]["market_day"]["status"] == "cancelled"
    assert (await client.get(f"/api/markets/vendors/{ids['vendor']}/booth-days",
                             headers=as_other)).status_code == 403

    # Withdrawal through the API offers the place to the waitlisted vendor.
    withdrawn = await client.post(f"/api/markets/applications/{ids['app']}/withdraw",
                                  json={"reason": "사정상"}, headers=as_owner)
    assert withdrawn.json()["status"] == "withdrawn"
    offers = (await client.get(f"/api/markets/vendors/{ids['other']}/offers",
                               headers=as_other)).json()
    assert [(o["application_id"], o["status"]) for o in offers] == [(ids["waiting"], "open")]
    taken = await client.post(f"/api/markets/offers/{offers[0]['id']}/accept",
                              headers=as_other)
    assert taken.status_code == 200 and taken.json()["status"] == "accepted"
    mine = (await client.get(f"/api/markets/vendors/{ids['other']}/applications",
                             headers=as_other)).json()
    assert mine[0]["status"] == "accepted"
    waitlist = await client.get(f"/api/markets/{ids['market']}/waitlist",
                                params={"season": YEAR}, headers=as_boss)
    assert waitlist.json() == []
