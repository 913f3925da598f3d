"""A later correction of an approved order's counted amount is its own row with a reason:
the order's fixed amount never changes, reports add the correction from the day it was
recorded, it cannot take the amount below zero, and nobody can alter it afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.services import issue_token
from infra.errors import DomainError
from shop.procurement import approval, corrections, disclosures, yearly_report
from shop.procurement.models import PurchaseOrder
from shop.procurement.record_models import AppendOnlyError
from tests.shop.procurement.world import make_world


async def test_a_correction_is_a_row_the_reports_add_from_its_day(
    db_session: AsyncSession, client: AsyncTestClient[Litestar],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Approved on 2025-03-10, corrected on 2025-04-10 (Seoul), whatever day the test runs.
    monkeypatch.setattr(approval, "utcnow", lambda: dt.datetime(2025, 3, 10, 3, tzinfo=dt.UTC))
    monkeypatch.setattr(corrections, "utcnow",
                        lambda: dt.datetime(2025, 4, 10, 3, tzinfo=dt.UTC))
    world = await make_world(db_session)
    # 400 × 11,000 + VAT = 4,840,000 counted as 인증 사회적기업 (certificate valid to 03-09).
    order = await world.approved(db_session, quantity=400, unit_price=11_000,
                                 contract_date=dt.date(2025, 3, 9))
    order_id, institution_id = order.id, world.institution.id

    async def refused(user: object, change: int, reason: str) -> tuple[int, str]:
        with pytest.raises(DomainError) as exc:
            await corrections.correct_counted_amount(db_session, user, order_id,  # type: ignore[arg-type]
                                                     amount_change=change, reason=reason)
        return exc.value.status_code, str(exc.value.code)

    assert await refused(world.requester, -440_000, "단가 정정") == (
        403, "procurement_role_required")
    assert await refused(world.discloser, -440_000, "  ") == (400, "correction_reason_required")
    assert await refused(world.discloser, 0, "단가 정정") == (400, "correction_amount_zero")
    assert await refused(world.discloser, -4_840_001, "전액 반품") == (409, "correction_below_zero")

    row = await corrections.correct_counted_amount(
        db_session, world.discloser, order_id, amount_change=-440_000,
        reason="단가 정정 (수정 세금계산서)")
    effective = row.effective_on
    assert effective == dt.date(2025, 4, 10)
    db_session.expunge_all()
    fixed = await db_session.get(PurchaseOrder, order_id)
    assert fixed is not None and fixed.counted_amount == 4_840_000  # never changes

    before = await yearly_report.yearly_report(db_session, institution_id, 2025,
                                               as_of=effective - dt.timedelta(days=1))
    after = await yearly_report.yearly_report(db_session, institution_id, 2025, as_of=effective)
    assert before.institution_result.counted_amount == 4_840_000
    assert after.institution_result.counted_amount == 4_400_000
    [purchase] = await disclosures.counted_purchases(db_session, institution_id)
    assert (purchase.amount_as_of(effective - dt.timedelta(days=1)),
            purchase.amount_as_of(effective)) == (4_840_000, 4_400_000)
    # What is left is 4,400,000: taking 4,400,001 more is refused, 4,400,000 is not.
    assert await refused(world.discloser, -4_400_001, "전액 반품") == (409, "correction_below_zero")

    [stored] = await corrections.corrections_of(db_session, order_id)
    stored.reason = "고쳐 쓰기"
    with pytest.raises(AppendOnlyError):
        await db_session.flush()
    await db_session.rollback()

    token = await issue_token(db_session, world.discloser)
    await db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    api = f"/api/procurement/orders/{order_id}/corrections"
    bad = await client.post(api, headers=headers, json={"amount_change": 100, "reason": ""})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reason"
    made = await client.post(api, headers=headers,
                             json={"amount_change": 110_000, "reason": "추가 납품분 반영"})
    assert made.status_code == 201, made.text
    listed = (await client.get(api, headers=headers)).json()
    assert [(c["amount_change"], c["reason"]) for c in listed] == [
        (-440_000, "단가 정정 (수정 세금계산서)"), (110_000, "추가 납품분 반영")]
