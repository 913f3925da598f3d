"""Importing purchases made outside the platform (나라장터, purchasing cards, other), so that
an institution's rates have their whole denominator (issue 10 §7, decision 43 §3).

A file (XLSX or CSV, read by ``infra.spreadsheets``) has a header row naming its columns (any
order; Korean or English names, :data:`COLUMNS`) and one purchase per row. Every row is checked
before anything is written: a file with any wrong cell imports nothing, and the answer names
every wrong cell by its row number in the file (the header is row 1) and its column
(``rows[3].amount``, "3행 금액: …"). The same purchases twice are refused (the SHA-256 of the
checked rows is unique per institution), even from a file saved again. The accountant or the
institution admin imports; any member reads.

What a row declares is taken as declared: its enterprise type (구분; "일반" = general) is not
checked against the certificate history, because the supplier is often not on the platform.
The yearly report and the dashboard count these rows with the platform's orders by purchase
date and show how much came from outside.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_date, utcnow
from infra.db import transaction
from infra.errors import Conflict, InvalidInput, PayloadTooLarge, Problems
from infra.outbox import record
from infra.spreadsheets import read_numbered_rows
from shop.catalog.taxonomy import Category
from shop.procurement.access import institution_or_404, require_role
from shop.procurement.disclosure import CountedPurchase
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import OutsidePurchasesImported
from shop.procurement.models import Department, ProcurementRole
from shop.procurement.outside_models import (
    OutsideChannel,
    OutsideImportWithdrawal,
    OutsidePurchase,
    OutsidePurchaseImport,
)
from shop.vendors.rules import normalise_registration_number
from shop.vendors.types import EnterpriseType

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: Errors listed at most (the file imports nothing anyway; the first ones are enough to fix).
MAX_ERRORS = 200
GENERAL_WORDS = ("일반", "일반구매", "일반 구매", "general")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's Korean header
    aliases: tuple[str, ...]
    hint: str  # what the template's guide says goes in it


COLUMNS: tuple[Column, ...] = (
    Column("purchased_on", "구매일자", ("구매일", "일자", "date", "purchased_on"),
           "2025-03-05 형식의 날짜"),
    Column("department", "부서", ("부서명", "department"), "기관에 등록된 부서 이름"),
    Column("supplier_name", "공급자명", ("공급자", "업체명", "supplier_name", "supplier"),
           "공급한 업체 이름"),
    Column("registration_number", "사업자등록번호",
           ("business_registration_number", "registration_number"),
           "123-45-67890 (하이픈 없어도 됨)"),
    Column("category", "품목", ("품목분류", "item_category", "category"),
           " / ".join(c.label for c in Category)),
    Column("amount", "금액(부가세 포함)", ("금액", "구매금액", "amount"), "원 단위 정수, 0보다 큼"),
    Column("channel", "구매경로", ("경로", "channel"),
           " / ".join(c.label for c in OutsideChannel)),
    Column("classification", "구분", ("기업유형", "classification", "enterprise_type"),
           "일반, 또는 사회적경제 기업 유형: " + " / ".join(t.label for t in EnterpriseType)),
)
TEMPLATE_HEADER = tuple(c.header for c in COLUMNS)


def _norm(text: Any) -> str:
    return re.sub(r"[\s·()\-_]", "", str(text or "")).lower()


_HEADER_KEYS = {_norm(name): c for c in COLUMNS for name in (c.header, *c.aliases)}
_CATEGORIES = {_norm(name): c for c in Category for name in (c.value, c.label)}
_CHANNELS = {_norm(name): c for c in OutsideChannel for name in (c.value, c.label)}
_TYPES: dict[str, EnterpriseType | None] = {
    **{_norm(name): t for t in EnterpriseType for name in (t.value, t.label)},
    **{_norm(word): None for word in GENERAL_WORDS},
}


@dataclass(frozen=True)
class OutsideRow:
    """One checked row, ready to be written."""

    row_number: int
    purchased_on: dt.date
    department_id: int
    supplier_name: str
    registration_number: str
    category: Category
    amount: int
    channel: OutsideChannel
    enterprise_type: EnterpriseType | None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?", text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _amount(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = re.sub(r"[\s,원]", "", str(value or ""))
    return int(text) if re.fullmatch(r"-?\d+", text) else None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number Excel stored for a text column
    return str(value if value is not None else "").strip()


def check_rows(
    rows: Sequence[tuple[int, Sequence[Any]]], departments: dict[str, int]
) -> list[OutsideRow]:
    """Every data row checked (pure); raises one problem naming every wrong cell."""
    problems = Problems()
    if not rows:
        problems.add(Code.OUTSIDE_NO_ROWS, "file", "파일에 머리글과 구매 내역이 없습니다.")
        problems.raise_if_any()
    header_number, header = rows[0]
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _HEADER_KEYS.get(_norm(cell))
        if column is not None and column.key not in where:
            where[column.key] = index
    for column in COLUMNS:
        if column.key not in where:
            problems.add(Code.OUTSIDE_COLUMN_MISSING, f"columns.{column.key}",
                         f"{header_number}행(머리글)에 '{column.header}' 열이 없습니다.")
    if len(rows) == 1 and not problems:
        problems.add(Code.OUTSIDE_NO_ROWS, "file", "머리글 아래에 구매 내역이 없습니다.")
    if len(rows) - 1 > MAX_ROWS:
        problems.add(Code.OUTSIDE_FILE_TOO_LARGE, "file",
                     f"한 번에 {MAX_ROWS:,}행까지 가져올 수 있습니다.", status=413)
    problems.raise_if_any()

    checked = []
    for number, cells in rows[1:]:
        if len(problems.items) >= MAX_ERRORS:
            break

        def cell(key: str, cells: Sequence[Any] = cells) -> Any:
            index = where[key]
            return cells[index] if index < len(cells) else None

        def bad(key: str, message: str, number: int = number) -> None:
            header_text = next(c.header for c in COLUMNS if c.key == key)
            problems.add(Code.OUTSIDE_INVALID_CELL, f"rows[{number}].{key}",
                         f"{number}행 {header_text}: {message}")

        day = _date(cell("purchased_on"))
        if day is None:
            bad("purchased_on", "날짜를 2025-03-05 형식으로 적어 주세요.")
        department_id = departments.get(_text(cell("department")))
        if department_id is None:
            bad("department", f"'{_text(cell('department'))}'은(는) 이 기관의 부서가 아닙니다 "
                f"(등록된 부서: {', '.join(departments) or '없음'}).")
        supplier = _text(cell("supplier_name"))
        if not supplier or len(supplier) > 200:
            bad("supplier_name", "공급자명을 200자 이내로 적어 주세요.")
        brn = normalise_registration_number(_text(cell("registration_number")))
        if brn is None:
            bad("registration_number", "올바른 사업자등록번호(10자리)가 아닙니다.")
        category = _CATEGORIES.get(_norm(cell("category")))
        if category is None:
            bad("category", "품목은 " + " / ".join(c.label for c in Category) + " 중 하나입니다.")
        amount = _amount(cell("amount"))
        if amount is None or amount <= 0 or amount > 10**13:
            bad("amount", "금액은 0보다 큰 원 단위 정수입니다.")
        channel = _CHANNELS.get(_norm(cell("channel")))
        if channel is None:
            bad("channel", "구매경로는 나라장터 / 카드 / 기타 중 하나입니다.")
        kind_key = _norm(cell("classification"))
        if kind_key not in _TYPES:
            bad("classification", "구분은 '일반' 또는 사회적경제 기업 유형(예: 인증 사회적기업, "
                "협동조합, 마을기업)입니다.")
        if (day is not None and department_id is not None and brn is not None
                and category is not None and amount is not None and channel is not None
                and kind_key in _TYPES and supplier):
            checked.append(OutsideRow(number, day, department_id, supplier, brn, category,
                                      amount, channel, _TYPES[kind_key]))
    problems.raise_if_any()
    return checked


def read_file(filename: str, content: bytes) -> list[tuple[int, list[Any]]]:
    if len(content) > MAX_FILE_BYTES:
        raise PayloadTooLarge(Code.OUTSIDE_FILE_TOO_LARGE, "파일은 5MB까지 올릴 수 있습니다.",
                              field="file")
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise InvalidInput(Code.OUTSIDE_FILE_UNREADABLE,
                           "XLSX 또는 CSV 파일을 올려 주세요.", field="file")
    try:
        return read_numbered_rows(filename, content)
    except Exception as exc:  # a broken workbook raises whatever openpyxl or zipfile raise
        raise InvalidInput(Code.OUTSIDE_FILE_UNREADABLE,
                           "파일을 읽을 수 없습니다. 서식 파일에 맞춰 다시 저장해 주세요.",
                           field="file") from exc


def fingerprint(rows: Sequence[OutsideRow]) -> str:
    """SHA-256 of the checked rows (not of the bytes: a workbook saved again differs in its
    metadata, yet is the same purchases), so the same purchases are not imported twice."""
    digest = hashlib.sha256()
    for r in rows:
        digest.update("\x1f".join((
            r.purchased_on.isoformat(), str(r.department_id), r.supplier_name,
            r.registration_number, r.category.value, str(r.amount), r.channel.value,
            r.enterprise_type.value if r.enterprise_type else "")).encode() + b"\x1e")
    return digest.hexdigest()


async def import_file(
    session: AsyncSession, user: User, institution_id: int, *, filename: str, content: bytes,
) -> OutsidePurchaseImport:
    """Check every row, then write them all with their import in one transaction."""
    await institution_or_404(session, institution_id)
    await require_role(session, user, institution_id, ProcurementRole.ACCOUNTANT,
                       ProcurementRole.INSTITUTION_ADMIN)
    filename = (filename or "upload").strip()[-200:]
    rows = read_file(filename, content)
    departments = dict((await session.execute(
        select(Department.name, Department.id).where(Department.institution_id == institution_id)
    )).all())
    checked = check_rows(rows, {str(k).strip(): int(v) for k, v in departments.items()})
    digest = fingerprint(checked)
    duplicate = Conflict(Code.OUTSIDE_DUPLICATE_FILE, "이 파일은 이미 가져왔습니다.",
                         field="file")
    async with transaction(session, on_integrity_error=duplicate):
        earlier = await session.scalar(select(OutsidePurchaseImport.id).where(
            OutsidePurchaseImport.institution_id == institution_id,
            OutsidePurchaseImport.content_sha256 == digest))
        if earlier is not None:
            withdrawn = await session.scalar(select(OutsideImportWithdrawal.withdrawn_at).where(
                OutsideImportWithdrawal.import_id == earlier))
            if withdrawn is not None:
                raise Conflict(Code.OUTSIDE_DUPLICATE_FILE,
                               f"이 내역은 가져왔다가 {seoul_date(withdrawn).isoformat()}에 "
                               "철회했습니다. 같은 내역은 다시 가져올 수 없습니다.", field="file")
            raise duplicate
        batch = OutsidePurchaseImport(
            institution_id=institution_id, filename=filename, content_sha256=digest,
            rows=len(checked), total_amount=sum(r.amount for r in checked),
            imported_by=user.id, imported_at=utcnow())
        session.add(batch)
        await session.flush()
        session.add_all(OutsidePurchase(
            import_id=batch.id, institution_id=institution_id, department_id=r.department_id,
            row_number=r.row_number, purchased_on=r.purchased_on, supplier_name=r.supplier_name,
            supplier_registration_number=r.registration_number, category=r.category,
            amount=r.amount, channel=r.channel, enterprise_type=r.enterprise_type)
            for r in checked)
        record(session, OutsidePurchasesImported(
            id=institution_id, import_id=batch.id, filename=filename, rows=len(checked),
            total_amount=batch.total_amount,
            social_economy_amount=sum(r.amount for r in checked if r.enterprise_type),
            imported_by=user.id))
    return batch


async def imports_of(session: AsyncSession, institution_id: int) -> list[OutsidePurchaseImport]:
    return list((await session.scalars(
        select(OutsidePurchaseImport).where(OutsidePurchaseImport.institution_id == institution_id)
        .order_by(OutsidePurchaseImport.imported_at.desc(), OutsidePurchaseImport.id.desc())
    )).all())


async def counted_purchases(
    session: AsyncSession, institution_id: int, *, fiscal_year: int | None = None,
) -> list[CountedPurchase]:
    """The outside purchases as results count them: by purchase date, as declared, known from
    the Seoul day of their import (so a month published before the import is not reopened: its
    next version shows them as a difference), and no longer from the Seoul day their import
    was withdrawn (:mod:`shop.procurement.outside_withdrawals`), as a cancelled order. All of
    them, or those of one fiscal year."""
    stmt = (select(OutsidePurchase.id, Department.name, OutsidePurchase.category,
                   OutsidePurchase.enterprise_type, OutsidePurchase.purchased_on,
                   OutsidePurchase.amount, OutsidePurchaseImport.imported_at,
                   OutsideImportWithdrawal.withdrawn_at)
            .join(Department, Department.id == OutsidePurchase.department_id)
            .join(OutsidePurchaseImport, OutsidePurchaseImport.id == OutsidePurchase.import_id)
            .outerjoin(OutsideImportWithdrawal,
                       OutsideImportWithdrawal.import_id == OutsidePurchase.import_id)
            .where(OutsidePurchase.institution_id == institution_id))
    if fiscal_year is not None:
        stmt = stmt.where(OutsidePurchase.purchased_on >= dt.date(fiscal_year, 1, 1),
                          OutsidePurchase.purchased_on <= dt.date(fiscal_year, 12, 31))
    rows = (await session.execute(stmt.order_by(OutsidePurchase.id))).all()
    return [CountedPurchase(order_id=f"outside:{i}", department=name, category=category,
                            enterprise_type=kind, contract_date=day, amount=int(amount),
                            recorded_on=max(day, seoul_date(imported_at)),
                            cancelled_on=seoul_date(withdrawn_at) if withdrawn_at else None)
            for i, name, category, kind, day, amount, imported_at, withdrawn_at in rows]


async def totals_by_channel(
    session: AsyncSession, institution_id: int, fiscal_year: int
) -> dict[OutsideChannel, int]:
    """The year's outside purchases by channel, without withdrawn imports."""
    withdrawn = select(OutsideImportWithdrawal.import_id)
    rows = (await session.execute(
        select(OutsidePurchase.channel, func.sum(OutsidePurchase.amount))
        .where(OutsidePurchase.institution_id == institution_id,
               OutsidePurchase.import_id.not_in(withdrawn),
               OutsidePurchase.purchased_on >= dt.date(fiscal_year, 1, 1),
               OutsidePurchase.purchased_on <= dt.date(fiscal_year, 12, 31))
        .group_by(OutsidePurchase.channel))).all()
    return {OutsideChannel(c): int(a or 0) for c, a in rows}
