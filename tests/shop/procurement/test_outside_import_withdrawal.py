"""A wrong import of purchases made outside the platform is withdrawn whole, with a reason,
by whoever may import: its rows stop counting from the day of the withdrawal, a month
published before keeps its version and the next version shows the difference (as for a
cancelled order), the import stays listed with who withdrew it, when and why, and the same
rows cannot come back. Through the use case, the buyer portal and the API; once under a race.
"""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra import spreadsheets
from infra.accounts.services import issue_token
from infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from infra.outbox import OutboxEvent
from shop.catalog.taxonomy import Category
from shop.procurement import (
    disclosures,
    outside_purchases,
    outside_withdrawals,
    yearly_report,
)
from shop.procurement.disclosure import FigureKey, Month
from shop.procurement.outside_models import OutsideImportWithdrawal
from tests.fixtures.apps import csrf_from, login
from tests.fixtures.races import race
from tests.shop.procurement.test_outside_purchases_import import (
    AS_OF,
    BRN,
    _good_xlsx,
    _world_with_plan,
)
from tests.shop.procurement.world import World


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 1, tzinfo=dt.UTC)  # 10:00 in Seoul


async def _imported(db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch,
                    on: dt.date) -> tuple[World, int]:
    world = await _world_with_plan(db_session)
    monkeypatch.setattr(outside_purchases, "utcnow", lambda: _at(on))
    batch = await outside_purchases.import_file(
        db_session, world.accountant, world.institution.id, filename="상반기.xlsx",
        content=_good_xlsx())
    return world, batch.id


async def test_a_withdrawn_import_stops_counting_and_shows_in_the_next_version(
    db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch,
) -> None:
    world, import_id = await _imported(db_session, monkeypatch, dt.date(2025, 5, 10))
    institution_id = world.institution.id
    april = await disclosures.publish_month(db_session, world.discloser, institution_id,
                                            year=2025, month=4, published_on=dt.date(2025, 5, 11))
    assert [(r.kind, r.amount) for r in april.rows] == [("figure", 11_000_000),
                                                       ("change", 11_000_000)]
    counted = (await yearly_report.yearly_report(db_session, institution_id, 2025, AS_OF))
    assert (counted.outside_total, counted.institution_result.total_purchases) == (
        16_420_000, 21_260_000)

    withdraw = outside_withdrawals.withdraw_import
    with pytest.raises(Forbidden):
        await withdraw(db_session, world.requester, institution_id, import_id, reason="잘못")
    with pytest.raises(InvalidInput) as no_reason:
        await withdraw(db_session, world.accountant, institution_id, import_id, reason="  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as hidden:
        await withdraw(db_session, world.accountant, institution_id, import_id,
                       reason="잘못\u202e올림")
    assert hidden.value.field == "reason"
    with pytest.raises(NotFound):
        await withdraw(db_session, world.accountant, institution_id, import_id + 99,
                       reason="다른 달 파일")

    monkeypatch.setattr(outside_withdrawals, "utcnow", lambda: _at(dt.date(2025, 5, 20)))
    row = await withdraw(db_session, world.accountant, institution_id, import_id,
                         reason=" 다른 기관의 내역을 올림 ")
    assert (row.withdrawn_by, row.reason, row.withdrawn_at) == (
        world.accountant.id, "다른 기관의 내역을 올림", _at(dt.date(2025, 5, 20)))
    with pytest.raises(Conflict) as twice:
        await withdraw(db_session, world.accountant, institution_id, import_id, reason="또")
    assert twice.value.code == "outside_purchases_already_withdrawn"

    after = await yearly_report.yearly_report(db_session, institution_id, 2025, AS_OF)
    assert (after.outside_total, after.institution_result.total_purchases) == (0, 4_840_000)
    before = await yearly_report.yearly_report(db_session, institution_id, 2025,
                                               dt.date(2025, 5, 19))
    assert before.outside_total == 11_000_000  # the day before, April's row still counted

    again = await disclosures.publish_month(db_session, world.discloser, institution_id,
                                            year=2025, month=4, published_on=dt.date(2025, 5, 21))
    v1, v2 = [disclosures.as_rule(v) for v in
              await disclosures.versions_of(db_session, institution_id, Month(2025, 4))]
    key = FigureKey("사회적경제과", Category.OFFICE_IT, None)
    assert again.version == 2 and [(f.key, f.amount) for f in v1.figures] == [(key, 11_000_000)]
    assert v2.figures == () and [(c.key, c.amount) for c in v2.changes] == [(key, -11_000_000)]

    with pytest.raises(Conflict) as back:
        await outside_purchases.import_file(db_session, world.accountant, institution_id,
                                            filename="다시.xlsx", content=_good_xlsx())
    assert "2025-05-20에 철회" in back.value.message
    (entry,) = await outside_withdrawals.imports_with_withdrawals(db_session, institution_id)
    assert entry.withdrawal is not None and entry.withdrawn_by == world.accountant.display_name
    assert await db_session.scalar(select(func.count(OutboxEvent.id)).where(
        OutboxEvent.name == "procurement.outside_purchases_withdrawn")) == 1


async def test_the_portal_page_and_the_api_withdraw_an_import(
    client: AsyncTestClient[Litestar], db_session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world, import_id = await _imported(db_session, monkeypatch, dt.date(2025, 5, 10))
    institution_id = world.institution.id
    second = await outside_purchases.import_file(
        db_session, world.accountant, institution_id, filename="카드.csv",
        content=spreadsheets.csv_bytes([outside_purchases.TEMPLATE_HEADER, (
            "2025-06-01", "사회적경제과", "카드가게", BRN, "식품", 550_000, "카드",
            "일반")]))
    token = await issue_token(db_session, world.accountant)
    await db_session.commit()
    await login(client, world.accountant.email)

    page_url = f"/procurement/outside-purchases?institution={institution_id}"
    page = await client.get(page_url)
    assert page.status_code == 200 and f'action="/procurement/outside-purchases/{import_id}/' \
        'withdraw"' in page.text
    form = {"_csrf_token": csrf_from(page.text), "institution_id": str(institution_id)}
    refused = await client.post(f"/procurement/outside-purchases/{import_id}/withdraw",
                                data={**form, "reason": ""})
    assert refused.status_code == 400 and f'id="e-reason-{import_id}"' in refused.text
    done = await client.post(f"/procurement/outside-purchases/{import_id}/withdraw",
                             data={**form, "reason": "5월분을 4월로 잘못 올림"},
                             follow_redirects=False)
    assert done.status_code in (302, 303), done.text
    listed = await client.get(done.headers["location"])
    assert "철회</strong>" in listed.text and "5월분을 4월로 잘못 올림" in listed.text
    assert f'/procurement/outside-purchases/{import_id}/withdraw"' not in listed.text

    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    api = f"/api/procurement/institutions/{institution_id}/outside-purchases"
    twice = await client.post(f"{api}/{import_id}/withdrawal", headers=headers,
                              json={"reason": "또"})
    assert twice.status_code == 409
    unknown = await client.post(f"{api}/{import_id}/withdrawal", headers=headers,
                                json={"reason": "또", "extra": 1})
    assert unknown.status_code == 400
    made = await client.post(f"{api}/{second.id}/withdrawal", headers=headers,
                             json={"reason": "중복 카드 내역"})
    assert made.status_code == 201, made.text
    assert made.json()["import_id"] == second.id and made.json()["reason"] == "중복 카드 내역"
    imports = (await client.get(api, headers=headers)).json()
    assert {i["id"]: i["withdrawal"]["reason"] for i in imports} == {
        second.id: "중복 카드 내역", import_id: "5월분을 4월로 잘못 올림"}


async def test_two_withdrawals_at_once_record_one(
    db_session: AsyncSession, racing_sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world, import_id = await _imported(db_session, monkeypatch, dt.date(2025, 5, 10))
    institution_id = world.institution.id
    await db_session.commit()
    results = await race(racing_sessions, [
        lambda s, reason=reason: outside_withdrawals.withdraw_import(
            s, world.accountant, institution_id, import_id, reason=reason)
        for reason in ("첫째", "둘째")])
    assert sorted(results) == ["ok", "outside_purchases_already_withdrawn"]
    assert await db_session.scalar(select(func.count(OutsideImportWithdrawal.id))) == 1
