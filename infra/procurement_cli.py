"""``jangteo procurement …``: public buying reports for operators (composition, like
:mod:`infra.cli`, which adds this group to ``jangteo``).

- ``overdue --institution X [--today D] [--days N]``: deliveries waiting for inspection past
  their due date (the same rows as the portal's 검수 기한 경과 page), oldest first.
- ``corrections --institution X [--order NUMBER]``: the audit trail of counted-amount
  corrections (the portal's 실적 정정 list), newest first, times in Seoul.

``X`` is the institution's id, its exact name or its 사업자등록번호. An unknown institution or
order ends with exit code 1 and says which option was wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import click

#: Runs one piece of work in a database session and returns its result (``infra.cli``'s).
InSession = Callable[[Callable[[Any], Awaitable[Any]]], Any]

_DAY = click.DateTime(formats=["%Y-%m-%d"])


async def _institution(session: Any, text: str) -> Any:
    from sqlalchemy import or_, select

    from shop.procurement.models import Institution
    from shop.vendors.rules import normalise_registration_number

    wanted = text.strip()
    conditions = [Institution.name == wanted]
    if wanted.isdigit():
        conditions.append(Institution.id == int(wanted))
    brn = normalise_registration_number(wanted)
    if brn is not None:
        conditions.append(Institution.business_registration_number == brn)
    found = list((await session.scalars(select(Institution).where(or_(*conditions))
                                        .order_by(Institution.id))).all())
    if not found:
        raise click.ClickException(f"--institution: '{text}'에 해당하는 기관이 없습니다.")
    return found[0]


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell, counting a Hangul syllable as two columns (as a
    terminal shows it), so a report lines up."""
    def width(text: str) -> int:
        return sum(2 if "\u1100" <= ch <= "\uffdc" and not ch.isascii() else 1 for ch in text)

    widths = [max(width(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    return ["  ".join(str(cell) + " " * (w - width(str(cell)))
                      for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in (header, *rows)]


def procurement_group(in_session: InSession) -> click.Group:
    @click.group(help="공공구매 운영 보고")
    def procurement() -> None:
        pass

    @procurement.command("overdue", help="검수 기한이 지난 납품(오래 기다린 것부터)을 보여 줍니다.")
    @click.option("--institution", required=True, metavar="ID|이름|사업자등록번호")
    @click.option("--today", type=_DAY, default=None, metavar="YYYY-MM-DD",
                  help="이 날 기준 (생략하면 오늘, 서울).")
    @click.option("--days", type=click.IntRange(1, 365), default=None,
                  help="납품 후 검수 기한(일). 생략하면 설정값(JANGTEO_INSPECTION_DAYS, 14).")
    def overdue(institution: str, today: dt.datetime | None, days: int | None) -> None:
        from infra.clock import seoul_today
        from infra.settings import get_settings
        from shop.procurement.overdue_inspections import overdue_inspections

        day = today.date() if today else seoul_today()
        limit = days or get_settings().inspection_days

        async def work(session: Any) -> tuple[str, list[Any]]:
            chosen = await _institution(session, institution)
            rows = await overdue_inspections(session, chosen.id, today=day, days=limit)
            return chosen.name, rows

        name, rows = in_session(work)
        click.echo(f"{name} 검수 기한 경과 ({day.isoformat()} 기준, 납품 후 {limit}일): "
                   f"{len(rows)}건")
        if rows:
            for line in table(
                    ("주문번호", "부서", "공급기업", "납품일", "검수 기한", "지난 날", "금액"),
                    [(r.number, r.department, r.vendor, r.delivered_on.isoformat(),
                      r.due_on.isoformat(), f"{r.days_overdue}일", f"{r.total:,}원")
                     for r in rows]):
                click.echo(line)

    @procurement.command(
        "corrections", help="인정 금액 정정 기록(누가, 언제, 얼마, 왜)을 최근 것부터 보여 줍니다.")
    @click.option("--institution", required=True, metavar="ID|이름|사업자등록번호")
    @click.option("--order", "number", default=None, metavar="주문번호",
                  help="이 주문의 정정만.")
    def corrections_trail(institution: str, number: str | None) -> None:
        from infra.clock import seoul_time
        from shop.procurement import corrections

        async def work(session: Any) -> tuple[str, list[Any]]:
            chosen = await _institution(session, institution)
            if number is not None:
                orders = await session.scalar(_order_exists(chosen.id, number))
                if not orders:
                    raise click.ClickException(
                        f"--order: {chosen.name}에 주문번호 '{number}'인 주문이 없습니다.")
            trail = await corrections.trail_of(session, chosen.id)
            return chosen.name, [t for t in trail
                                 if number is None or t.order_number == number.strip()]

        name, trail = in_session(work)
        scope = f" 주문 {number.strip()}" if number else ""
        click.echo(f"{name}{scope} 인정 금액 정정: {len(trail)}건 (시각은 서울 기준)")
        if trail:
            for line in table(
                    ("기록 시각", "기록한 사람", "주문번호", "부서", "정정 금액", "반영일", "사유"),
                    [(seoul_time(t.correction.recorded_at), t.recorded_by, t.order_number,
                      t.department, f"{t.correction.amount_change:+,}원",
                      t.correction.effective_on.isoformat(), t.correction.reason)
                     for t in trail]):
                click.echo(line)

    return procurement


def _order_exists(institution_id: int, number: str) -> Any:
    from sqlalchemy import select

    from shop.procurement.models import PurchaseOrder

    return select(PurchaseOrder.id).where(PurchaseOrder.institution_id == institution_id,
                                          PurchaseOrder.number == number.strip())
