"""Purchases made outside the platform, imported from XLSX/CSV: a file with a wrong row imports
nothing and names the row and column; a good file adds to the yearly report's total
purchases (the rate's denominator), and its declared social-economy rows to the counted
amount; the monthly disclosures count them from the day of their import; the same file twice
is refused. Through the use case, the buyer portal and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import spreadsheets
from infra.accounts.services import issue_token
from infra.errors import Conflict, InvalidInput
from shop.catalog.taxonomy import Category
from shop.procurement import disclosures, outside_purchases, yearly_report
from shop.procurement.disclosure import FigureKey, Month
from shop.procurement.outside_models import OutsidePurchase, OutsidePurchaseImport
from shop.procurement.outside_purchases import TEMPLATE_HEADER
from tests.fixtures.apps import csrf_from, login
from tests.shop.factories import _brn
from tests.shop.procurement.world import World, make_world

BRN = _brn(4242)
AS_OF = dt.date(2099, 12, 31)  # after the approval, whenever the test runs


def _bad_csv() -> bytes:
    return spreadsheets.csv_bytes([
        TEMPLATE_HEADER,
        ("2025-04-01", "사회적경제과", "나라상사", BRN, "사무·전산", "11,000,000", "나라장터",
         "일반"),
        ("2025-04-02", "사회적경제과", "카드가게", BRN, "식품", "12,000원x", "현금", "일반"),
        (),
        ("2025-04-03", "총무과", "햇살협동조합", BRN, "식품", 1_100_000, "기타", "협동조합"),
    ])


def _good_xlsx() -> bytes:
    return spreadsheets.xlsx_bytes([("구매내역", [
        TEMPLATE_HEADER,
        (dt.datetime(2025, 4, 1), "사회적경제과", "나라상사", BRN, "사무·전산", 11_000_000,
         "나라장터", "일반"),
        ("2025.05.20", "사회적경제과", "카드가게", BRN, "food", "4,320,000", "카드", "일반 구매"),
        ("2025-06-10", "사회적경제과", "햇살협동조합", f"{BRN[:3]}-{BRN[3:5]}-{BRN[5:]}", "식품",
         1_100_000, "기타", "협동조합"),
        ("2024-12-31", "사회적경제과", "작년상사", BRN, "식품", 5_000_000, "카드", "일반"),
    ])])


async def _world_with_plan(db_session: AsyncSession) -> World:
    world = await make_world(db_session)
    await world.published_plan(db_session, planned_total=50_000_000, target_amount=6_000_000)
    # On the platform: 400 × 11,000 + VAT = 4,840,000, counted as 인증 사회적기업.
    await world.approved(db_session, quantity=400, unit_price=11_000,
                         contract_date=dt.date(2025, 3, 9))
    return world


async def test_a_bad_row_imports_nothing_and_a_good_file_changes_the_rate(
    db_session: AsyncSession,
) -> None:
    world = await _world_with_plan(db_session)
    institution_id = world.institution.id
    before = (await yearly_report.yearly_report(db_session, institution_id, 2025, AS_OF)
              ).institution_result
    assert (before.total_purchases, before.counted_amount, before.share) == (
        4_840_000, 4_840_000, Decimal("100.00"))

    with pytest.raises(InvalidInput) as refused:
        await outside_purchases.import_file(db_session, world.accountant, institution_id,
                                            filename="3월.csv", content=_bad_csv())
    errors = {e["field"]: e["message"] for e in refused.value.extra["errors"]}
    assert set(errors) == {"rows[3].amount", "rows[3].channel", "rows[5].department"}
    assert errors["rows[3].amount"].startswith("3행 금액(부가세 포함):")
    assert errors["rows[5].department"].startswith("5행 부서: '총무과'")  # row 4 is empty
    assert await db_session.scalar(select(func.count(OutsidePurchase.id))) == 0
    assert await db_session.scalar(select(func.count(OutsidePurchaseImport.id))) == 0

    with pytest.raises(Exception) as not_allowed:  # the requester may not import
        await outside_purchases.import_file(db_session, world.requester, institution_id,
                                            filename="a.xlsx", content=_good_xlsx())
    assert getattr(not_allowed.value, "status_code", None) == 403

    batch = await outside_purchases.import_file(db_session, world.accountant, institution_id,
                                                filename="상반기.xlsx", content=_good_xlsx())
    assert (batch.rows, batch.total_amount) == (4, 21_420_000)

    report = await yearly_report.yearly_report(db_session, institution_id, 2025, AS_OF)
    after = report.institution_result
    # 4,840,000 on the platform + 11,000,000 + 4,320,000 + 1,100,000 outside (the 2024 row is
    # another year) = 21,260,000; social economy 4,840,000 + 1,100,000 (협동조합) = 5,940,000.
    assert (after.total_purchases, after.counted_amount) == (21_260_000, 5_940_000)
    assert after.share == Decimal("27.94")  # 5,940,000 / 21,260,000
    assert after.achievement == Decimal("99.0")  # against the 6,000,000 target
    assert (report.outside_total, report.outside_social_economy) == (16_420_000, 1_100_000)
    assert report.months[3].total == 11_000_000 and report.months[5].social_economy == 1_100_000

    with pytest.raises(Conflict) as again:
        await outside_purchases.import_file(db_session, world.accountant, institution_id,
                                            filename="상반기(2).xlsx", content=_good_xlsx())
    assert again.value.code == "outside_purchases_duplicate_file"


async def test_the_portal_page_and_the_api_import_and_refuse_by_row(
    client: AsyncTestClient[Litestar], db_session: AsyncSession,
) -> None:
    world = await _world_with_plan(db_session)
    institution_id = world.institution.id
    token = await issue_token(db_session, world.accountant)
    await db_session.commit()
    await login(client, world.accountant.email)

    home = await client.get(f"/procurement?institution={institution_id}")
    assert 'id="outside-link"' in home.text
    page = await client.get(f"/procurement/outside-purchases?institution={institution_id}")
    assert page.status_code == 200 and 'id="template-links"' in page.text
    template = await client.get("/procurement/outside-purchases/template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert tuple(c.value for c in next(sheet.iter_rows())) == TEMPLATE_HEADER
    csv_template = await client.get("/procurement/outside-purchases/template.csv")
    assert csv_template.content.decode("utf-8-sig").startswith("구매일자,부서,공급자명")

    refused = await client.post(
        "/procurement/outside-purchases/import",
        data={"_csrf_token": csrf_from(page.text), "institution_id": str(institution_id)},
        files={"file": ("3월.csv", _bad_csv(), "text/csv")})
    assert refused.status_code == 400 and 'id="import-errors"' in refused.text
    assert "3행 금액(부가세 포함)" in refused.text and "5행 부서" in refused.text
    done = await client.post(
        "/procurement/outside-purchases/import",
        data={"_csrf_token": csrf_from(page.text), "institution_id": str(institution_id)},
        files={"file": ("상반기.xlsx", _good_xlsx(), spreadsheets.XLSX_MEDIA_TYPE)},
        follow_redirects=False)
    assert done.status_code in (302, 303), done.text
    listed = await client.get(done.headers["location"])
    assert "상반기.xlsx" in listed.text and "21,420,000원" in listed.text
    report = await client.get(f"/procurement/reports?institution={institution_id}&year=2025")
    assert 'id="outside-line"' in report.text and "16,420,000원" in report.text

    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    api = f"/api/procurement/institutions/{institution_id}/outside-purchases"
    bad = await client.post(api, headers=headers,
                            files={"file": ("3월.csv", _bad_csv(), "text/csv")})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {
        "rows[3].amount", "rows[3].channel", "rows[5].department"}
    again = await client.post(api, headers=headers, files={
        "file": ("b.xlsx", _good_xlsx(), spreadsheets.XLSX_MEDIA_TYPE)})
    assert again.status_code == 409
    imports = (await client.get(api, headers=headers)).json()
    assert [(i["filename"], i["rows"]) for i in imports] == [("상반기.xlsx", 4)]
    body = (await client.get(f"/api/procurement/institutions/{institution_id}/reports/2025",
                             headers=headers)).json()
    assert body["outside_total"] == 16_420_000
    assert body["institution"]["total_purchases"] == 21_260_000


async def test_monthly_disclosures_count_them_from_the_day_of_import(
    db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """April was published before the file came in: April v1 stays as it was and April v2
    shows the imported 11,000,000 as a difference; May, published after, has them in v1."""
    world = await _world_with_plan(db_session)
    institution_id = world.institution.id
    april = await disclosures.publish_month(db_session, world.discloser, institution_id,
                                            year=2025, month=4, published_on=dt.date(2025, 5, 2))
    assert (april.version, [r.amount for r in april.rows]) == (1, [])
    monkeypatch.setattr(outside_purchases, "utcnow",
                        lambda: dt.datetime(2025, 5, 10, 1, tzinfo=dt.UTC))
    await outside_purchases.import_file(db_session, world.accountant, institution_id,
                                        filename="상반기.xlsx", content=_good_xlsx())

    again = await disclosures.publish_month(db_session, world.discloser, institution_id,
                                            year=2025, month=4, published_on=dt.date(2025, 5, 11))
    [v1, v2] = [disclosures.as_rule(v) for v in
                await disclosures.versions_of(db_session, institution_id, Month(2025, 4))]
    assert again.version == 2 and v1.figures == ()
    key = FigureKey("사회적경제과", Category.OFFICE_IT, None)
    assert [(c.key, c.amount) for c in v2.changes] == [(key, 11_000_000)]
    assert v2.total_for(None) == 11_000_000 and v2.social_economy_total == 0

    may = await disclosures.publish_month(db_session, world.discloser, institution_id,
                                          year=2025, month=5, published_on=dt.date(2025, 6, 1))
    assert (may.version, [(r.kind, r.amount) for r in may.rows]) == (
        1, [("figure", 4_320_000), ("change", 4_320_000)])
