"""The plan, the yearly report and the dashboard through the buyer portal and the JSON API:
an institution admin drafts, fills, submits, publishes and amends a plan from the pages; the
report downloads as CSV (with BOM) and XLSX; the dashboard draws its charts above tables."""

from __future__ import annotations

import datetime as dt
import io

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from infra.accounts.services import issue_token
from infra.clock import seoul_today
from shop.procurement import institutions
from tests.fixtures.apps import csrf_from, login
from tests.shop.factories import make_user
from tests.shop.procurement.world import make_world

Client = AsyncTestClient[Litestar]


async def _post(client: Client, page_path: str, action: str,
                data: dict[str, str]) -> httpx.Response:
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(action, data={"_csrf_token": csrf_from(page.text), **data},
                             follow_redirects=False)


async def test_an_institution_admin_runs_a_plan_through_the_pages_and_the_api(
    client: Client, db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    boss = await make_user(db_session, Role.PUBLIC_BUYER, email="boss@sb.go.kr")
    await db_session.commit()
    await institutions.grant_role(db_session, world.admin, world.institution.id,
                                  email=boss.email, role="institution_admin")
    await world.approved(db_session, quantity=400, unit_price=11_000,
                         contract_date=dt.date(2025, 3, 9))
    institution_id, department_id = world.institution.id, world.department.id
    await login(client, boss.email)

    home = await client.get(f"/procurement?institution={institution_id}")
    assert 'id="plans-link"' in home.text and 'id="dashboard-link"' in home.text
    plans_page = f"/procurement/plans?institution={institution_id}"
    created = await _post(client, plans_page, "/procurement/plans/new", {
        "institution_id": str(institution_id), "fiscal_year": "2025",
        "planned_total": "100,000,000", "target_amount": "4,000,000"})
    assert created.status_code in (302, 303), created.text
    plan_path = created.headers["location"]

    refused = await _post(client, plan_path, f"{plan_path}/edit", {
        "planned_total": "100000000", "target_amount": "4000000",
        "line-0-department_id": str(department_id), "line-0-category": "food",
        "line-0-planned_amount": "1000", "line-0-target_amount": "2000"})
    assert refused.status_code == 400 and "목표액은 그 줄의 계획액보다" in refused.text
    saved = await _post(client, plan_path, f"{plan_path}/edit", {
        "planned_total": "100000000", "target_amount": "4000000",
        "line-0-department_id": str(department_id), "line-0-category": "food",
        "line-0-planned_amount": "60,000,000", "line-0-target_amount": "4,000,000",
        "line-1-department_id": "", "line-1-planned_amount": ""})
    assert saved.status_code in (302, 303), saved.text
    for action in ("submit", "publish"):
        done = await _post(client, plan_path, f"{plan_path}/{action}", {})
        assert done.status_code in (302, 303)
    page = await client.get(plan_path)
    assert "공표됨" in page.text and "60,000,000원" in page.text and "4.00 %" in page.text
    amended = await _post(client, plan_path, f"{plan_path}/amend", {"reason": "추경 반영"})
    assert amended.status_code in (302, 303)
    page = await client.get(plan_path)
    assert "2판" in page.text and "추경 반영" in page.text and 'id="edit-plan"' in page.text

    report = await client.get(f"/procurement/reports?institution={institution_id}&year=2025")
    # 400 × 11,000 = 4,400,000 + 440,000 VAT counted against a 4,000,000 target.
    assert "4,840,000원" in report.text and "121.0 %" in report.text
    assert 'id="downloads"' in report.text
    csv = await client.get(f"/procurement/reports/{institution_id}/2025/csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert "121.0" in csv.content.decode("utf-8-sig")
    xlsx = await client.get(f"/procurement/reports/{institution_id}/2025/xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["요약", "계획 대비 실적", "품목·기업유형별", "예외 대장"]
    dashboard = await client.get(f"/procurement/dashboard?institution={institution_id}"
                                 "&year=2025")
    assert dashboard.text.count("data-chart") == 3 and 'id="months"' in dashboard.text
    assert "echarts.min.js" in dashboard.text and "UTC" not in dashboard.text

    token = await issue_token(db_session, boss)
    await db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    api = "/api/procurement"
    listed = (await client.get(f"{api}/institutions/{institution_id}/plans",
                               headers=headers)).json()
    assert [v["state"] for v in listed[0]["versions"]] == ["published", "draft"]
    plan_id = listed[0]["id"]
    bad = await client.post(f"{api}/plans/{plan_id}/draft", headers=headers,
                            json={"planned_total": 1, "target_amount": 2})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "target_amount"
    for action in ("submit", "publish"):
        assert (await client.post(f"{api}/plans/{plan_id}/{action}",
                                  headers=headers)).status_code == 200
    shown = (await client.get(f"{api}/plans/{plan_id}", headers=headers)).json()
    assert shown["status"] == "amended" and shown["late"] is True
    assert (await client.post(f"{api}/plans/{plan_id}/publish",
                              headers=headers)).status_code == 409
    body = (await client.get(f"{api}/institutions/{institution_id}/reports/2025",
                             headers=headers)).json()
    assert body["institution"]["achievement"] == "121.0"
    assert body["plan_version"] == 2 and body["late"] is True
    board = (await client.get(f"{api}/institutions/{institution_id}/dashboard?year=2025",
                              headers=headers)).json()
    assert board["months"][2]["cumulative_social_economy"] == 4_840_000
    assert (await client.get(f"{api}/institutions/{institution_id}/dashboard",
                             headers=headers)).json()["fiscal_year"] == seoul_today().year
    client.cookies.clear()
    outsider = await client.get(f"{api}/institutions/{institution_id}/reports/2025")
    assert outsider.status_code == 401
    schema = (await client.get("/schema/openapi.json")).text
    assert "publishPurchasePlan" in schema and "getInstitutionDashboard" in schema
