"""The buyer portal, played through its forms by each role: the requester drafts an order and
submits it, the approver approves it from the inbox, the requester records delivery, the
inspector accepts part of it, the accountant's invoice above the accepted amount is refused
beside its field before the right one is approved and paid. The menu shows 공공구매 to
public buyers only."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.models import PurchaseOrder, PurchaseOrderStatusChange
from shop.procurement.portal import seoul_time
from tests.fixtures.apps import csrf_from, login
from tests.shop.factories import make_user
from tests.shop.procurement.world import World, make_world

Client = AsyncTestClient[Litestar]


async def _post(
    client: Client, page_path: str, action: str, data: dict[str, str]
) -> httpx.Response:
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={"_csrf_token": csrf_from(page.text), **data},
                             follow_redirects=False)


def _order_form(world: World, **extra: str) -> dict[str, str]:
    return {"institution_id": str(world.institution.id),
            "department_id": str(world.department.id), "vendor_id": str(world.vendor.id),
            "title": "주민센터 행사 도시락", "method": "single_quote", "quotes": "1",
            "contract_date": "2025-03-05", "lines[0].category": "food",
            "lines[0].description": "친환경 도시락", "lines[0].quantity": "400",
            "lines[0].unit_price": "11,000", **extra}


async def _status(session: AsyncSession, order_id: int) -> PurchaseOrderStatus:
    session.expunge_all()
    order = await session.get(PurchaseOrder, order_id)
    assert order is not None
    return order.status


async def test_requester_drafts_an_order_through_the_form_and_submits_it(
    client: Client, db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    await login(client, world.requester.email)
    home = await client.get("/procurement")
    assert home.status_code == 200
    assert "성북구청" in home.text and "사회적경제과" in home.text and 'id="new-order"' in home.text

    new = f"/procurement/orders/new?institution={world.institution.id}"
    created = await _post(client, new, "/procurement/orders/new", _order_form(world))
    assert created.status_code in (302, 303), created.text
    location = created.headers["location"]
    order_id = int(location.rsplit("/", 1)[1])

    page = await client.get(location)
    assert "작성했습니다" in page.text
    assert "4,400,000원" in page.text and "440,000원" in page.text and "4,840,000원" in page.text
    assert 'id="submit-form"' in page.text and 'id="approve-form"' not in page.text

    submitted = await _post(client, location, f"{location}/submit", {})
    assert submitted.status_code in (302, 303)
    assert await _status(db_session, order_id) is PurchaseOrderStatus.PENDING_APPROVAL
    after = await client.get(location)
    assert "결재를 올렸습니다" in after.text and "결재 중" in after.text
    # The history says who and when, in Seoul time.
    changes = (await db_session.scalars(select(PurchaseOrderStatusChange).where(
        PurchaseOrderStatusChange.order_id == order_id))).all()
    assert len(changes) == 2
    for change in changes:
        assert seoul_time(change.changed_at) in after.text
    assert after.text.count(world.requester.display_name) >= 3  # requester + two history rows
    # Listed under its status on the portal.
    listed = await client.get("/procurement?status=pending_approval")
    assert "주민센터 행사 도시락" in listed.text


async def test_a_refusal_shows_beside_its_field_and_keeps_what_was_typed(
    client: Client, db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    await login(client, world.requester.email)
    new = f"/procurement/orders/new?institution={world.institution.id}"
    refused = await _post(client, new, "/procurement/orders/new", _order_form(
        world, title=" ", **{"lines[0].quantity": "사백"}))
    assert refused.status_code == 400
    html = refused.text
    assert 'id="e-lines[0].quantity"' in html and "숫자로 입력해 주세요" in html
    assert 'value="사백"' in html

    # The service's own refusal (blank title) comes back beside the title.
    blank = await _post(client, new, "/procurement/orders/new", _order_form(world, title=""))
    assert blank.status_code == 400
    assert 'id="e-title"' in blank.text and "주문 제목을 입력해 주세요" in blank.text

    # Above the single-quote ceiling: the contracting rule's 409 beside the quotes field.
    over = await _post(client, new, "/procurement/orders/new", _order_form(
        world, **{"lines[0].quantity": "6000", "lines[0].unit_price": "10000"}))
    assert over.status_code == 409
    assert 'id="e-quotes"' in over.text and "1인 견적 수의계약 한도" in over.text
    assert await db_session.scalar(select(PurchaseOrder.id)) is None

    # A cancellation without a reason is refused beside the reason.
    order = await world.order(db_session, quantity=10, unit_price=10_000)
    path = f"/procurement/orders/{order.id}"
    no_reason = await _post(client, path, f"{path}/cancel", {"reason": ""})
    assert no_reason.status_code == 400
    assert 'id="e-cancel-reason"' in no_reason.text
    cancelled = await _post(client, path, f"{path}/cancel", {"reason": "행사 취소"})
    assert cancelled.status_code in (302, 303)
    assert await _status(db_session, order.id) is PurchaseOrderStatus.CANCELLED


async def test_approver_approves_from_the_inbox_and_the_order_goes_to_payment(
    client: Client, db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    order = await world.order(db_session, quantity=400, unit_price=11_000,
                              contract_date=dt.date(2025, 3, 9))
    path = f"/procurement/orders/{order.id}"

    # The requester is also an approver, but their own order is not in their inbox and
    # approving it anyway is refused (409) with the rule's message.
    await login(client, world.requester.email)
    assert order.number not in (await client.get("/procurement/inbox")).text
    own = await _post(client, path, f"{path}/approve", {})
    assert own.status_code in (302, 303)
    assert "요청자" in (await client.get(path)).text
    assert await _status(db_session, order.id) is PurchaseOrderStatus.PENDING_APPROVAL

    await login(client, world.approver.email)
    inbox = await client.get("/procurement/inbox")
    assert order.number in inbox.text
    approved = await _post(client, "/procurement/inbox", f"{path}/approve",
                           {"next": "/procurement/inbox"})
    assert approved.headers["location"] == "/procurement/inbox"
    after = await client.get("/procurement/inbox")
    assert "결재했습니다" in after.text and f'href="{path}"' not in after.text
    page = await client.get(path)
    assert re.search(r'id="counted-as">인증 사회적기업<', page.text)
    assert 'id="counted-reason"' in page.text

    # Delivery (the requester), inspection with 300 of 400 accepted (the inspector).
    await login(client, world.requester.email)
    delivered = await _post(client, path, f"{path}/deliver", {"delivered_on": "2025-03-12"})
    assert delivered.status_code in (302, 303), delivered.text
    await login(client, world.inspector.email)
    line = order.lines[0].id
    inspected = await _post(client, path, f"{path}/inspect", {
        "inspected_on": "2025-03-12", f"accepted.{line}": "300"})
    assert inspected.status_code in (302, 303), inspected.text

    # The accountant: 4,400,000 is above what was accepted (409 beside the supply).
    await login(client, world.accountant.email)
    too_much = await _post(client, path, f"{path}/invoice", {
        "number": "20250312-0001", "supply": "4400000", "vat": "440000",
        "issued_on": "2025-03-12"})
    assert too_much.status_code == 409
    assert 'id="e-invoice-supply"' in too_much.text
    invoiced = await _post(client, path, f"{path}/invoice", {
        "number": "20250312-0001", "supply": "3300000", "vat": "330000",
        "issued_on": "2025-03-12"})
    assert invoiced.status_code in (302, 303), invoiced.text
    paid = await _post(client, path, f"{path}/pay", {
        "amount": "3630000", "bank_reference": "NH-0312-77", "paid_on": "2025-03-20"})
    assert paid.status_code in (302, 303), paid.text
    assert await _status(db_session, order.id) is PurchaseOrderStatus.PAID
    final = await client.get(path)
    assert "대금 지급" in final.text and "NH-0312-77" in final.text


async def test_the_menu_shows_procurement_to_public_buyers_only(
    client: Client, db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    await login(client, world.approver.email)
    assert 'id="nav-procurement"' in (await client.get("/")).text
    shopper = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    await login(client, shopper.email)
    assert 'id="nav-procurement"' not in (await client.get("/")).text
    assert (await client.get("/procurement")).status_code == 403
