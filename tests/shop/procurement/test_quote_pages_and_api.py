"""Quotes through the JSON API and the pages: the requester sends a request from the portal,
the vendor answers from the console's quote inbox (menu: 견적 요청함) before the deadline and
is refused after it, the requester awards from the request page and lands on the purchase
order, and the vendor reads the order under 기관 주문. Bad input names its fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.services import issue_token
from shop.procurement import awarding, quotations, quote_pages, quoting, vendor_console
from shop.procurement.models import PurchaseOrder
from shop.procurement.quotation_models import QuoteRequest
from tests.fixtures.apps import csrf_from, login
from tests.shop.procurement.quote_world import (
    AWARDED,
    QUOTED,
    SENT,
    QuoteWorld,
    make_quote_world,
)

Client = AsyncTestClient[Litestar]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set "now" for the quotation modules (they read it through ``infra.clock.utcnow``)."""
    def at(moment: dt.datetime) -> None:
        for module in (quotations, quoting, awarding, quote_pages, vendor_console):
            monkeypatch.setattr(module, "utcnow", lambda: moment.astimezone(dt.UTC))
    return at


def _request_body(qw: QuoteWorld, **extra: Any) -> dict[str, Any]:
    return {"institution_id": qw.world.institution.id, "department_id": qw.world.department.id,
            "title": "친환경 행사 물품", "delivery_place": "성북구청 별관",
            "delivery_date": "2025-03-20", "estimated_price": 30_000_000,
            "deadline": "2025-03-06T17:00:00", "vendor_ids": [qw.sunny.id, qw.forest.id],
            "lines": [{"category": "household", "description": "재생지 노트", "quantity": 1000,
                       "unit": "권"}], **extra}


async def test_the_api_from_request_to_award_and_the_vendors_orders(
    client: Client, db_session: AsyncSession, clock: Any,
) -> None:
    qw = await make_quote_world(db_session)
    tokens = {who: await issue_token(db_session, user) for who, user in (
        ("requester", qw.world.requester), ("sunny", qw.sunny_member),
        ("forest", qw.forest_member))}
    await db_session.commit()

    def auth(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}"}

    clock(SENT)
    bad = await client.post("/api/procurement/quote-requests", headers=auth("requester"),
                            json=_request_body(qw, estimated_price=None, deadline=None,
                                               vendor_ids=[], title=""))
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {
        "title", "estimated_price", "deadline", "vendor_ids"}
    typed = await client.post("/api/procurement/quote-requests", headers=auth("requester"),
                              json=_request_body(qw, estimated_price="30000000"))
    assert typed.status_code == 400 and "estimated_price" in typed.text

    created = await client.post("/api/procurement/quote-requests", headers=auth("requester"),
                                json=_request_body(qw))
    assert created.status_code == 201, created.text
    rfq = created.json()
    assert rfq["deadline_seoul"] == "2025-03-06 17:00" and rfq["status"] == "open"
    assert rfq["deadline"].startswith("2025-03-06T08:00:00")
    line_id = rfq["lines"][0]["id"]

    inbox = await client.get(f"/api/procurement/vendors/{qw.sunny.id}/quote-requests",
                             headers=auth("sunny"))
    assert [r["number"] for r in inbox.json()] == [rfq["number"]]
    other = await client.get(f"/api/procurement/vendors/{qw.sunny.id}/quote-requests",
                             headers=auth("forest"))
    assert other.status_code == 403

    clock(QUOTED)
    path = f"/api/procurement/vendors/{{}}/quote-requests/{rfq['id']}/quote"
    for who, vendor, price in (("sunny", qw.sunny, 30_000), ("forest", qw.forest, 29_000)):
        answered = await client.post(path.format(vendor.id), headers=auth(who), json={
            "prices": [{"line_id": line_id, "unit_price": price}], "valid_until": "2025-03-31"})
        assert answered.status_code == 201, answered.text
        assert answered.json()["total"] == price * 1000 * 11 // 10
    missing = await client.post(path.format(qw.sunny.id), headers=auth("sunny"),
                                json={"prices": []})
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {f"prices[{line_id}]",
                                                             "valid_until"}

    clock(AWARDED)
    late = await client.post(path.format(qw.forest.id), headers=auth("forest"), json={
        "prices": [{"line_id": line_id, "unit_price": 1}], "valid_until": "2025-03-31"})
    assert late.status_code == 409 and late.json()["code"] == "quote_deadline_passed"

    seen = (await client.get(f"/api/procurement/quote-requests/{rfq['id']}",
                             headers=auth("requester"))).json()
    forest_quote = next(q for q in seen["quotes"] if q["vendor_id"] == qw.forest.id)
    awarded = await client.post(f"/api/procurement/quote-requests/{rfq['id']}/award",
                                headers=auth("requester"), json={"quote_id": forest_quote["id"]})
    assert awarded.status_code == 200, awarded.text
    assert awarded.json()["method"] == "multiple_quotes" and awarded.json()["quotes"] == 2
    again = await client.post(f"/api/procurement/quote-requests/{rfq['id']}/award",
                              headers=auth("requester"), json={"quote_id": forest_quote["id"]})
    assert again.status_code == 409

    orders = (await client.get(f"/api/procurement/vendors/{qw.forest.id}/orders",
                               headers=auth("forest"))).json()
    assert [o["number"] for o in orders] == [awarded.json()["order_number"]]
    detail = (await client.get(f"/api/procurement/vendors/{qw.forest.id}/orders/{orders[0]['id']}",
                               headers=auth("forest"))).json()
    assert detail["status_label"] == "결재 중" and detail["total"] == 31_900_000
    assert detail["inspection_outcome"] is None and detail["lines"][0]["delivered"] == 0
    hidden = await client.get(f"/api/procurement/vendors/{qw.sunny.id}/orders/{orders[0]['id']}",
                              headers=auth("sunny"))
    assert hidden.status_code == 404


async def _form(client: Client, page: str, action: str, data: dict[str, str]) -> Any:
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    return await client.post(action, data={"_csrf_token": csrf_from(shown.text), **data},
                             follow_redirects=False)


async def test_the_pages_from_the_portal_menu_to_the_award(
    client: Client, db_session: AsyncSession, clock: Any,
) -> None:
    qw = await make_quote_world(db_session)
    institution = qw.world.institution.id
    clock(SENT)
    await login(client, qw.world.requester.email)
    portal = await client.get("/procurement")
    assert f'/procurement/quotes?institution={institution}' in portal.text
    new_page = f"/procurement/quotes/new?institution={institution}"
    form = {"institution_id": str(institution), "department_id": str(qw.world.department.id),
            "title": "친환경 행사 물품", "delivery_place": "성북구청 별관",
            "delivery_date": "2025-03-20", "estimated_price": "15,000,000",
            "deadline": "2025-03-06T17:00", "invite": "vendors",
            "lines[0].category": "household", "lines[0].description": "재생지 노트",
            "lines[0].quantity": "1000", "lines[0].unit": "권"}
    refused = await _form(client, new_page, "/procurement/quotes/new",
                          {**form, "lines[0].unit": ""})
    assert refused.status_code == 400
    assert 'id="e-vendors"' in refused.text and 'id="e-lines[0].unit"' in refused.text
    sent = await _form(client, new_page, "/procurement/quotes/new",
                       {**form, f"vendor.{qw.sunny.id}": "on"})
    assert sent.status_code in (302, 303), sent.text
    request = await db_session.scalar(select(QuoteRequest))
    assert request is not None and request.vendor_ids == [qw.sunny.id]
    listing = await client.get(f"/procurement/quotes?institution={institution}")
    assert request.number in listing.text and "2025-03-06 17:00" in listing.text
    request_id, line_id = request.id, request.lines[0].id

    clock(QUOTED)
    await login(client, qw.sunny_member.email)
    menu = await client.get("/console/quotes")
    assert 'href="/console/quotes"' in menu.text and request.number in menu.text
    page = f"/console/vendors/{qw.sunny.id}/quotes/{request_id}"
    bad = await _form(client, page, page, {f"prices[{line_id}]": "", "valid_until": "2025-03-31"})
    assert bad.status_code == 400 and f'id="e-prices[{line_id}]"' in bad.text
    answered = await _form(client, page, page, {f"prices[{line_id}]": "15,000",
                                                "valid_until": "2025-03-31"})
    assert answered.status_code in (302, 303)
    assert "16,500,000원" in (await client.get(page)).text

    clock(AWARDED)
    closed = await _form(client, page, page, {f"prices[{line_id}]": "14,000",
                                              "valid_until": "2025-03-31"})
    assert closed.status_code == 409 and "마감" in closed.text

    await login(client, qw.world.requester.email)
    shown = await client.get(f"/procurement/quotes/{request_id}")
    assert "16,500,000원" in shown.text and "낙찰" in shown.text
    quote = await quoting.quote_of(db_session, request_id, qw.sunny.id)
    assert quote is not None
    done = await _form(client, f"/procurement/quotes/{request_id}",
                       f"/procurement/quotes/{request_id}/award", {"quote_id": str(quote.id)})
    assert done.status_code in (302, 303)
    db_session.expunge_all()
    order = await db_session.scalar(select(PurchaseOrder))
    assert order is not None and done.headers["location"] == f"/procurement/orders/{order.id}"

    await login(client, qw.sunny_member.email)
    orders = await client.get("/console/institution-orders")
    assert order.number in orders.text and "결재 중" in orders.text
    detail = await client.get(f"/console/vendors/{qw.sunny.id}/institution-orders/{order.id}")
    assert detail.status_code == 200 and "16,500,000원" in detail.text and "검수 전" in detail.text
