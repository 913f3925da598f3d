"""Reading statements (vendor console, admin, API) and the CSV download.

The CSV is UTF-8 with a byte-order mark, so Excel in Korea opens it in the right encoding,
with Korean headers: a summary block (opening balance, movements, closing balance) and then
one row per statement line, times in Seoul.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import spreadsheets
from infra.clock import seoul_time
from infra.errors import NotFound
from infra.spreadsheets import Row
from shop.settlement import rules
from shop.settlement.errors import SettlementErrorCode as Code
from shop.settlement.models import SettlementStatement, SettlementStatementLine, SettlementWeek

LINE_HEADER = (
    "일시", "구분", "주문번호", "내용", "판매금액", "배송비", "수수료", "환불금액", "수수료 반환",
    "지급액", "정산 금액",
)


async def statement_or_404(
    session: AsyncSession, statement_id: int, *, vendor_id: int | None = None
) -> SettlementStatement:
    """The statement; with ``vendor_id``, only if it is that vendor's (404 otherwise)."""
    statement = await session.get(SettlementStatement, statement_id)
    if statement is None or (vendor_id is not None and statement.vendor_id != vendor_id):
        raise NotFound(Code.STATEMENT_NOT_FOUND, "정산서를 찾을 수 없습니다.",
                       field="statement_id")
    return statement


async def lines_of(session: AsyncSession, statement_id: int) -> list[SettlementStatementLine]:
    return list((await session.scalars(
        select(SettlementStatementLine)
        .where(SettlementStatementLine.statement_id == statement_id)
        .order_by(SettlementStatementLine.occurred_at, SettlementStatementLine.id)
    )).all())


async def vendor_statements(
    session: AsyncSession, vendor_id: int, *, limit: int = 52
) -> list[SettlementStatement]:
    return list((await session.scalars(
        select(SettlementStatement).where(SettlementStatement.vendor_id == vendor_id)
        .order_by(SettlementStatement.week_start.desc()).limit(limit)
    )).all())


async def weeks(session: AsyncSession, *, limit: int = 26) -> list[SettlementWeek]:
    return list((await session.scalars(
        select(SettlementWeek).order_by(SettlementWeek.week_start.desc()).limit(limit)
    )).all())


async def week_statements(
    session: AsyncSession, week_start: dt.date | None = None
) -> tuple[dt.date | None, list[SettlementStatement]]:
    """Every vendor's statement of one week (default: the latest closed week)."""
    if week_start is None:
        week_start = await session.scalar(select(func.max(SettlementWeek.week_start)))
        if week_start is None:
            return None, []
    rows = await session.scalars(
        select(SettlementStatement).where(SettlementStatement.week_start == week_start)
        .order_by(SettlementStatement.vendor_name, SettlementStatement.id)
    )
    return week_start, list(rows.all())


def csv_bytes(statement: SettlementStatement, lines: list[SettlementStatementLine]) -> bytes:
    rows: list[Row] = [
        ("정산서 번호", statement.id),
        ("입점기업", statement.vendor_name),
        ("정산 기간", rules.week_label(statement.week_start)),
        ("기초 잔액", statement.opening_balance),
        ("판매", statement.sales),
        ("수수료", -statement.commission),
        ("환불", -statement.refunds),
        ("환불 수수료 반환", statement.commission_refunded),
        ("지급", -statement.payouts),
        ("기말 잔액 (지급 예정액)", statement.closing_balance),
        (),
        LINE_HEADER,
    ]
    for line in lines:
        rows.append((
            seoul_time(line.occurred_at), line.kind.label, line.order_number, line.description,
            line.sales, line.delivery, line.commission, line.refunds, line.commission_refunded,
            line.payouts, line.amount,
        ))
    rows.append((
        "합계", "", "", "", statement.sales, "",
        statement.commission, statement.refunds, statement.commission_refunded,
        statement.payouts, statement.closing_balance - statement.opening_balance,
    ))
    return spreadsheets.csv_bytes(rows)


def csv_filename(statement: SettlementStatement) -> str:
    return f"jangteo-statement-{statement.id}-{statement.week_start.isoformat()}.csv"
