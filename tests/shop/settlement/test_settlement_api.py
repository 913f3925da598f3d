"""``/api/settlement``: statements for a vendor's members only, the CSV Excel opens, commission
rates, week closing, payout accounts and batches (bank file and Stripe Connect through a
fake Stripe), all with integer won and problem details naming the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from infra.settings import Settings
from shop.settlement import bankfile, rules, services
from tests.fixtures.apps import app_client
from tests.fixtures.outbox import seoul
from tests.shop.settlement.conftest import WEEK1, World
from tests.shop.settlement.fake_stripe import FakeStripeServer
from tests.shop.settlement.world import Line, Relay, place_order, refund

Factory = async_sessionmaker[AsyncSession]
Client = AsyncTestClient[Litestar]
LATER = seoul(WEEK1 + dt.timedelta(days=30))


@pytest.fixture
async def api(
    settings: Settings, session_factory: Factory, tmp_path: Path, fake_stripe: FakeStripeServer
) -> AsyncIterator[Client]:
    async with app_client(settings.with_(search_path=tmp_path / "search",
                                         stripe_api_base=fake_stripe.url)) as client:
        yield client


async def trade_and_close(world: World, factory: Factory) -> None:
    """Vendor 0 sells 2 × 10,000 (food) + 3,000 delivery and refunds one unit; vendor 1 sells
    8,000 (household). Week 1 closed."""
    async with factory() as session:
        order = await place_order(session, [
            Line(world.vendors[0], world.variants[0], "food", 10_000, 2),
            Line(world.vendors[1], world.variants[1], "household", 8_000, 1),
        ], placed_at=seoul(WEEK1, 10), delivery_fees={world.vendors[0].id: 3_000})
        cookie = next(v for v in order.vendor_orders if v.vendor_id == world.vendors[0].id)
        await refund(session, cookie, at=seoul(WEEK1, 15), lines=[(cookie.lines[0], 1)],
                     reason="파손")
        await session.commit()
    await Relay(factory).deliver()
    async with factory() as session:
        await services.close_week(session, WEEK1, now=LATER)


def problem_field(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return str(response.json()["errors"][0]["field"])


async def test_members_read_their_statements_and_no_one_else_does(
    world: World, session_factory: Factory, api: Client
) -> None:
    await trade_and_close(world, session_factory)
    vendor = world.vendors[0].id
    listed = await api.get(f"/api/settlement/vendors/{vendor}/statements",
                           headers=world.bearer("staff"))
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["balance"] == 12_500
    (statement,) = body["statements"]
    assert statement["week_start"] == WEEK1.isoformat()
    assert (statement["sales"], statement["commission"], statement["refunds"],
            statement["commission_refunded"], statement["closing_balance"]) == (
        23_000, 1_000, 10_000, 500, 12_500)
    assert statement["payout_state"] == "payable" and statement["payout_amount"] == 12_500

    detail = await api.get(f"/api/settlement/statements/{statement['id']}",
                           headers=world.bearer("owner0"))
    assert detail.status_code == 200
    lines = detail.json()["lines"]
    assert [(ln["kind"], ln["amount"]) for ln in lines] == [("sale", 22_000), ("refund", -9_500)]
    assert all(isinstance(ln["amount"], int) for ln in lines)

    for who in ("outsider", "owner1"):
        denied = await api.get(f"/api/settlement/statements/{statement['id']}",
                               headers=world.bearer(who))
        assert denied.status_code == 403, who
    anonymous = await api.get(f"/api/settlement/vendors/{vendor}/statements")
    assert anonymous.status_code == 401
    missing = await api.get("/api/settlement/statements/999999", headers=world.bearer("admin"))
    assert missing.status_code == 404 and problem_field(missing) == "statement_id"


async def test_statement_csv_has_a_bom_and_korean_headers(
    world: World, session_factory: Factory, api: Client
) -> None:
    await trade_and_close(world, session_factory)
    vendor = world.vendors[0].id
    (statement,) = (await api.get(f"/api/settlement/vendors/{vendor}/statements",
                                  headers=world.bearer("owner0"))).json()["statements"]
    response = await api.get(statement["csv_url"], headers=world.bearer("owner0"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    summary = {row[0]: row[1] for row in rows[:10]}
    assert summary["입점기업"] == "햇살협동조합"
    assert summary["기초 잔액"] == "0" and summary["기말 잔액 (지급 예정액)"] == "12500"
    header = rows.index(["일시", "구분", "주문번호", "내용", "판매금액", "배송비", "수수료",
                         "환불금액", "수수료 반환", "지급액", "정산 금액"])
    body = rows[header + 1:]
    assert [(r[1], r[-1]) for r in body[:-1]] == [("판매", "22000"), ("환불", "-9500")]
    assert (body[-1][0], body[-1][-1]) == ("합계", "12500")
    assert body[0][0] == "2025-03-03 10:00"  # Seoul time


async def test_admins_set_commission_rates_with_strict_integers(
    world: World, api: Client
) -> None:
    admin = world.bearer("admin")
    rates = (await api.get("/api/settlement/commission-rates", headers=admin)).json()
    food = next(c for c in rates["categories"] if c["category"] == "food")
    assert (food["rate_bp"], food["rate_label"], food["is_default"]) == (500, "5%", True)
    assert "0.5원은 내립니다" in rates["rounding"]

    done = await api.put("/api/settlement/commission-rates/categories/food",
                         json={"rate_bp": 650, "note": "이사회 의결"}, headers=admin)
    assert done.status_code == 200, done.text
    assert (done.json()["rate_bp"], done.json()["is_default"]) == (650, False)
    for bad in ({"rate_bp": 650.0}, {"rate_bp": "650"}, {"rate_bp": 6_000}, {"rate_bp": -1}):
        refused = await api.put("/api/settlement/commission-rates/categories/food", json=bad,
                                headers=admin)
        assert refused.status_code == 400, bad
        assert problem_field(refused) == "rate_bp"
    unknown = await api.put("/api/settlement/commission-rates/categories/weapons",
                            json={"rate_bp": 100}, headers=admin)
    assert unknown.status_code == 404 and problem_field(unknown) == "category"
    vendor_rate = await api.put(f"/api/settlement/commission-rates/vendors/{world.vendors[1].id}",
                                json={"rate_bp": 200, "reason": "창업 지원"}, headers=admin)
    assert vendor_rate.status_code == 200 and vendor_rate.json()["rate_label"] == "2%"
    listed = (await api.get("/api/settlement/commission-rates", headers=admin)).json()
    assert [v["vendor_name"] for v in listed["vendors"]] == ["차마을기업"]
    cleared = await api.delete(f"/api/settlement/commission-rates/vendors/{world.vendors[1].id}",
                               headers=admin)
    assert cleared.status_code == 204
    forbidden = await api.put("/api/settlement/commission-rates/categories/food",
                              json={"rate_bp": 0}, headers=world.bearer("owner0"))
    assert forbidden.status_code == 403


async def test_closing_weeks_through_the_api(
    world: World, session_factory: Factory, api: Client
) -> None:
    async with session_factory() as session:
        await place_order(session, [Line(world.vendors[0], world.variants[0], "food", 10_000, 1)],
                          placed_at=seoul(WEEK1, 10))
        await session.commit()
    await Relay(session_factory).deliver()
    admin = world.bearer("admin")
    closed = await api.post("/api/settlement/weeks/close", json={"week": "2025-03-06"},
                            headers=admin)
    assert closed.status_code == 200, closed.text
    assert closed.json()["created"] is True
    assert [(w["week_start"], w["statement_count"]) for w in closed.json()["weeks"]] == [
        ("2025-03-03", 1)]
    bad = await api.post("/api/settlement/weeks/close", json={"week": "3월 첫 주"}, headers=admin)
    assert bad.status_code == 400 and problem_field(bad) == "week"
    # The running week is the Seoul week of the server's clock, not the machine's UTC date:
    # on Sunday after 15:00 UTC the UTC date's week has already ended in Seoul.
    this_week = rules.week_of(utcnow())
    running = await api.post("/api/settlement/weeks/close",
                             json={"week": this_week.isoformat()}, headers=admin)
    assert running.status_code == 409 and running.json()["code"] == "week_not_ended"
    week = await api.get("/api/settlement/statements?week=2025-03-09", headers=admin)
    assert [s["vendor_name"] for s in week.json()["items"]] == ["햇살협동조합"]
    check = (await api.get("/api/settlement/ledger/check", headers=admin)).json()
    assert check["ok"] is True and check["grand_total"] == 0 and check["transactions"] == 1
    assert (await api.post("/api/settlement/weeks/close", json={},
                           headers=world.bearer("owner0"))).status_code == 403


async def test_payout_account_and_bank_batch_through_the_api(
    world: World, session_factory: Factory, api: Client
) -> None:
    await trade_and_close(world, session_factory)
    vendor = world.vendors[0].id
    path = f"/api/settlement/vendors/{vendor}/payout-account"
    bad = await api.put(path, json={"method": "bank_transfer", "bank_code": "004",
                                    "account_number": "12", "holder_name": ""},
                        headers=world.bearer("owner0"))
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"account_number", "holder_name"}
    staff = await api.put(path, json={"method": "bank_transfer"}, headers=world.bearer("staff"))
    assert staff.status_code == 403
    saved = await api.put(path, json={"method": "bank_transfer", "bank_code": "004",
                                      "account_number": "123456-01-234567",
                                      "holder_name": "햇살협동조합"},
                          headers=world.bearer("owner0"))
    assert saved.status_code == 200, saved.text
    assert saved.json()["account_number"] == "12345601234567"
    masked = (await api.get(path, headers=world.bearer("staff"))).json()
    assert masked["account_number"] == "**********4567" and masked["bank_name"] == "KB국민은행"
    banks = (await api.get("/api/settlement/banks")).json()
    assert {"code": "090", "name": "카카오뱅크"} in banks

    admin = world.bearer("admin")
    created = await api.post("/api/settlement/payout-batches",
                             json={"method": "bank_transfer"}, headers=admin)
    assert created.status_code == 201, created.text
    batch = created.json()
    assert (batch["total"], batch["item_count"], batch["status"]) == (12_500, 1, "created")
    file = await api.get(batch["file_url"], headers=admin)
    assert file.status_code == 200 and "cp949" in file.headers["content-type"]
    assert file.content.decode(bankfile.ENCODING).startswith("은행코드,계좌번호,이체금액")
    again = await api.post("/api/settlement/payout-batches", json={"method": "bank_transfer"},
                           headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "nothing_to_pay"
    bad_method = await api.post("/api/settlement/payout-batches", json={"method": "cash"},
                                headers=admin)
    assert bad_method.status_code == 400 and problem_field(bad_method) == "method"
    sent = await api.post(f"/api/settlement/payout-batches/{batch['id']}/send", headers=admin)
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert (await api.get(f"/api/settlement/vendors/{vendor}/statements",
                          headers=admin)).json()["balance"] == 0
    twice = await api.post(f"/api/settlement/payout-batches/{batch['id']}/send", headers=admin)
    assert twice.status_code == 409 and twice.json()["code"] == "payout_batch_wrong_state"


async def test_stripe_batch_through_the_api_transfers_in_krw(
    world: World, session_factory: Factory, api: Client, fake_stripe: FakeStripeServer
) -> None:
    await trade_and_close(world, session_factory)
    account = await api.put(
        f"/api/settlement/vendors/{world.vendors[1].id}/payout-account",
        json={"method": "stripe_connect", "stripe_account_id": "acct_1TeaVillage01"},
        headers=world.bearer("owner1"))
    assert account.status_code == 200, account.text
    bad = await api.put(
        f"/api/settlement/vendors/{world.vendors[1].id}/payout-account",
        json={"method": "stripe_connect", "stripe_account_id": "ba_123"},
        headers=world.bearer("owner1"))
    assert bad.status_code == 400 and problem_field(bad) == "stripe_account_id"
    admin = world.bearer("admin")
    batch = (await api.post("/api/settlement/payout-batches",
                            json={"method": "stripe_connect"}, headers=admin)).json()
    assert batch["total"] == 8_000 - 640 and batch["file_url"] is None
    sent = await api.post(f"/api/settlement/payout-batches/{batch['id']}/send", headers=admin)
    assert sent.status_code == 200, sent.text
    (item,) = sent.json()["items"]
    assert item["status"] == "paid" and item["transfer_id"].startswith("tr_")
    (request,) = fake_stripe.transfer_requests()
    assert (request.form["amount"], request.form["currency"], request.form["destination"]) == (
        "7360", "krw", "acct_1TeaVillage01")
    assert request.headers["idempotency-key"] == f"jangteo-payout-item-{item['id']}"


async def test_openapi_lists_the_settlement_api(api: Client) -> None:
    schema = (await api.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for path in ("/api/settlement/vendors/{vendor_id}/statements",
                 "/api/settlement/statements/{statement_id}/csv",
                 "/api/settlement/commission-rates", "/api/settlement/weeks/close",
                 "/api/settlement/payout-batches", "/api/settlement/ledger/check"):
        assert path in paths, path
    assert paths["/api/settlement/weeks/close"]["post"]["operationId"] == "closeSettlementWeek"
