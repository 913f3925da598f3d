"""Operators read public buying's overdue inspections and the corrections trail from the
command line (``jangteo procurement overdue|corrections``), as the portal shows them: the
institution by name, id or 사업자등록번호, the day given, Seoul times, and a clear refusal
naming the option for an unknown institution or order."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from infra.settings import Settings
from shop.procurement import approval, corrections, receiving
from tests.infra.test_cli import jangteo
from tests.shop.procurement.world import make_world

pytestmark = pytest.mark.slow  # each command is a process of its own


async def test_overdue_and_corrections_reports_from_the_command_line(
    settings: Settings, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(approval, "utcnow", lambda: dt.datetime(2025, 3, 1, 3, tzinfo=dt.UTC))
    monkeypatch.setattr(corrections, "utcnow",
                        lambda: dt.datetime(2025, 3, 12, 15, 30, tzinfo=dt.UTC))  # 00:30 Seoul
    world = await make_world(db_session)
    late = await world.approved(db_session, quantity=10, unit_price=10_000,
                                contract_date=dt.date(2025, 3, 1))
    corrected = await world.approved(db_session, quantity=10, unit_price=10_000,
                                     contract_date=dt.date(2025, 3, 1))
    late_number, corrected_number = late.number, corrected.number
    await receiving.deliver(db_session, world.requester, late.id, delivered_on=dt.date(2025, 3, 3))
    await corrections.correct_counted_amount(db_session, world.discloser, corrected.id,
                                             amount_change=-11_000, reason="단가 정정")
    brn = world.institution.business_registration_number
    await db_session.commit()

    overdue = jangteo(settings, "procurement", "overdue", "--institution", "성북구청",
                      "--today", "2025-03-20")
    assert overdue.returncode == 0, overdue.stderr
    lines = overdue.stdout.splitlines()
    assert lines[0] == "성북구청 검수 기한 경과 (2025-03-20 기준, 납품 후 14일): 1건"
    assert lines[1].split() == ["주문번호", "부서", "공급기업", "납품일", "검수", "기한", "지난",
                                "날", "금액"]
    assert lines[2].split() == [late_number, "사회적경제과", world.vendor.name, "2025-03-03",
                                "2025-03-17", "3일", "110,000원"]

    trail = jangteo(settings, "procurement", "corrections", "--institution", brn,
                    "--order", corrected_number)
    assert trail.returncode == 0, trail.stderr
    lines = trail.stdout.splitlines()
    assert lines[0] == f"성북구청 주문 {corrected_number} 인정 금액 정정: 1건 (시각은 서울 기준)"
    assert lines[2].split() == ["2025-03-13", "00:30", world.discloser.display_name,
                                corrected_number, "사회적경제과", "-11,000원", "2025-03-13",
                                "단가", "정정"]

    unknown = jangteo(settings, "procurement", "corrections", "--institution", "없는구청")
    assert unknown.returncode == 1 and "--institution: '없는구청'" in unknown.stderr
