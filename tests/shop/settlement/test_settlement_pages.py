"""Settlement pages: the vendor console (statements, one statement, CSV, payout account form
with messages beside the fields) and the admin pages (all statements, week closing, ledger
check, commission rates marked as placeholders, payout batches with the bank file)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.settlement import bankfile
from shop.settlement.models import PayoutAccount, PayoutBatch, SettlementStatement
from tests.shop.settlement.conftest import World, csrf_from, sign_in
from tests.shop.settlement.test_settlement_api import trade_and_close

Factory = async_sessionmaker[AsyncSession]
Client = AsyncTestClient[Litestar]


async def test_vendor_console_shows_statements_detail_and_csv(
    world: World, session_factory: Factory, client: Client
) -> None:
    await trade_and_close(world, session_factory)
    vendor = world.vendors[0].id
    await sign_in(client, "staff@example.kr")
    page = await client.get(f"/console/vendors/{vendor}/settlement")
    assert page.status_code == 200
    html = page.text
    assert "주간 정산서" in html and "2025.03.03(월) ~ 03.09(일)" in html
    assert "12,500원" in html and "지급 예정" in html
    assert "지급 계좌는 대표 관리자만" in html  # staff cannot change the account

    async with session_factory() as session:
        statement = await session.scalar(select(SettlementStatement).where(
            SettlementStatement.vendor_id == vendor))
    assert statement is not None
    detail = await client.get(f"/console/vendors/{vendor}/settlement/statements/{statement.id}")
    assert detail.status_code == 200
    assert "기말 잔액 (지급 예정액)" in detail.text and "파손" in detail.text
    assert "2025-03-03 10:00" in detail.text
    csv_file = await client.get(
        f"/console/vendors/{vendor}/settlement/statements/{statement.id}/statement.csv")
    assert csv_file.status_code == 200 and csv_file.content.startswith(b"\xef\xbb\xbf")
    assert "정산서 번호" in csv_file.content.decode("utf-8-sig")
    other = world.vendors[1].id
    assert (await client.get(f"/console/vendors/{other}/settlement")).status_code == 403
    # A statement of another vendor through this vendor's console is not found.
    async with session_factory() as session:
        theirs = await session.scalar(select(SettlementStatement.id).where(
            SettlementStatement.vendor_id == other))
    assert (await client.get(
        f"/console/vendors/{vendor}/settlement/statements/{theirs}")).status_code == 404


async def test_owner_registers_a_bank_account_with_messages_beside_the_fields(
    world: World, session_factory: Factory, client: Client
) -> None:
    vendor = world.vendors[0].id
    await sign_in(client, "owner0@example.kr")
    page = await client.get(f"/console/vendors/{vendor}/settlement")
    assert "KB국민은행 (004)" in page.text and "카카오뱅크 (090)" in page.text
    refused = await client.post(f"/console/vendors/{vendor}/settlement/payout-account", data={
        "_csrf_token": csrf_from(page.text), "method": "bank_transfer", "bank_code": "004",
        "account_number": "12-34", "holder_name": "",
    })
    assert refused.status_code == 400
    assert 'id="e-account_number"' in refused.text and 'id="e-holder_name"' in refused.text
    assert 'value="12-34"' in refused.text  # what was typed comes back
    async with session_factory() as session:
        assert await session.scalar(select(PayoutAccount.id)) is None
    saved = await client.post(f"/console/vendors/{vendor}/settlement/payout-account", data={
        "_csrf_token": csrf_from(refused.text), "method": "bank_transfer", "bank_code": "004",
        "account_number": "123456-01-234567", "holder_name": "햇살협동조합",
    }, follow_redirects=False)
    assert saved.status_code in (302, 303), saved.text
    after = await client.get(f"/console/vendors/{vendor}/settlement")
    assert "지급 계좌를 저장했습니다" in after.text and "KB국민은행 12345601234567" in after.text


async def test_admin_pages_close_weeks_set_rates_and_run_a_bank_batch(
    world: World, session_factory: Factory, client: Client
) -> None:
    await trade_and_close(world, session_factory)
    async with session_factory() as session:
        session.add(PayoutAccount(vendor_id=world.vendors[0].id, method="bank_transfer",
                                  bank_code="088", account_number="110123456789",
                                  holder_name="햇살협동조합"))
        await session.commit()
    await sign_in(client, "admin@example.kr")
    index = await client.get("/admin/settlement")
    assert index.status_code == 200
    assert "햇살협동조합" in index.text and "차마을기업" in index.text
    assert "전체 계정 합계가 0원입니다" in index.text
    refused = await client.post("/admin/settlement/close-week", data={
        "_csrf_token": csrf_from(index.text), "week": "2099-01-05"})
    assert refused.status_code == 409 and "아직 끝나지 않았습니다" in refused.text
    again = await client.post("/admin/settlement/close-week", data={
        "_csrf_token": csrf_from(index.text), "week": "2025-03-03"})
    assert "이미 마감되어 있습니다" in again.text

    rates = await client.get("/admin/settlement/commission")
    assert "임시 기본값" in rates.text and "자리표시 값" in rates.text
    bad = await client.post("/admin/settlement/commission/categories/food", data={
        "_csrf_token": csrf_from(rates.text), "rate": "오 퍼센트"})
    assert bad.status_code == 400 and 'id="e-rate_food"' in bad.text
    good = await client.post("/admin/settlement/commission/categories/food", data={
        "_csrf_token": csrf_from(rates.text), "rate": "5.5", "note": "시범 운영"})
    assert "5.5%(으)로 바꿨습니다" in good.text
    assert "시범 운영" in good.text
    no_vendor = await client.post("/admin/settlement/commission/vendors", data={
        "_csrf_token": csrf_from(good.text), "vendor_id": "", "vendor_rate": "3"})
    assert no_vendor.status_code == 400 and "입점기업을 골라 주세요" in no_vendor.text
    bad_rate = await client.post("/admin/settlement/commission/vendors", data={
        "_csrf_token": csrf_from(good.text), "vendor_id": str(world.vendors[1].id),
        "vendor_rate": "60", "reason": "x"})
    assert bad_rate.status_code == 400 and 'id="e-vendor_rate"' in bad_rate.text
    assert 'value="60"' in bad_rate.text
    vendor_rate = await client.post("/admin/settlement/commission/vendors", data={
        "_csrf_token": csrf_from(good.text), "vendor_id": str(world.vendors[1].id),
        "vendor_rate": "2", "reason": "창업 지원"})
    assert "차마을기업에 기업별 수수료율 2%" in vendor_rate.text
    cleared = await client.post(
        f"/admin/settlement/commission/vendors/{world.vendors[1].id}/delete",
        data={"_csrf_token": csrf_from(vendor_rate.text)})
    assert "기업별 수수료율을 해제했습니다" in cleared.text

    payouts_page = await client.get("/admin/settlement/payouts")
    assert "계좌 미등록" in payouts_page.text  # 차마을기업 has no account
    created = await client.post("/admin/settlement/payouts", data={
        "_csrf_token": csrf_from(payouts_page.text), "method": "bank_transfer"},
        follow_redirects=False)
    assert created.status_code in (302, 303), created.text
    async with session_factory() as session:
        batch = await session.scalar(select(PayoutBatch))
    assert batch is not None and batch.total == 12_500
    batch_page = await client.get(f"/admin/settlement/payouts/{batch.id}")
    assert "대량이체 파일" in batch_page.text and "은행코드, 계좌번호" in batch_page.text
    file = await client.get(f"/admin/settlement/payouts/{batch.id}/file")
    assert file.content.decode(bankfile.ENCODING).splitlines()[1].startswith(
        "088,110123456789,12500,햇살협동조합")
    sent = await client.post(f"/admin/settlement/payouts/{batch.id}/send",
                             data={"_csrf_token": csrf_from(batch_page.text)})
    assert sent.status_code == 200 and "송금을 마쳤습니다" in sent.text and "송금 완료" in sent.text
    nothing = await client.post("/admin/settlement/payouts", data={
        "_csrf_token": csrf_from(sent.text), "method": "bank_transfer"})
    assert nothing.status_code == 409 and "지급할 정산서가 없습니다" in nothing.text


async def test_only_admins_see_the_admin_pages(world: World, client: Client) -> None:
    assert (await client.get("/admin/settlement", follow_redirects=False)).status_code in (
        302, 303, 401)
    await sign_in(client, "owner0@example.kr")
    for path in ("/admin/settlement", "/admin/settlement/commission",
                 "/admin/settlement/payouts"):
        assert (await client.get(path)).status_code == 403, path
