"""Withdrawing a wrong import of purchases made outside the platform (issue 10 §7).

A file imported by mistake (the wrong month's export, another institution's sheet, amounts
typed wrong) is withdrawn **whole**, by the accountant or the institution admin — the roles
that import — with a reason. Nothing is deleted: the import and its rows stay as they were,
and an :class:`~shop.procurement.outside_models.OutsideImportWithdrawal` row records who,
when (UTC; shown in Seoul time) and why. From the Seoul day of the withdrawal the rows stop
counting (:func:`shop.procurement.outside_purchases.counted_purchases` reads them as cancelled
that day), exactly like a cancelled order: the yearly report and the dashboard leave them out,
a month already published keeps its version, and its next version shows the difference
(decision 68). An import is withdrawn once (a unique key settles two withdrawals racing; the
second gets 409). The same rows cannot be imported again (their fingerprint is taken); a
corrected file differs and imports as usual.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_date, utcnow
from infra.db import transaction
from infra.errors import Conflict, NotFound
from infra.outbox import record
from shop.procurement.access import require_role
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import OutsidePurchasesWithdrawn
from shop.procurement.models import ProcurementRole
from shop.procurement.outside_models import OutsideImportWithdrawal, OutsidePurchaseImport
from shop.procurement.reasons import required_reason

MAX_REASON = 500
#: Who may withdraw: whoever may import.
WITHDRAWERS = (ProcurementRole.ACCOUNTANT, ProcurementRole.INSTITUTION_ADMIN)


async def withdraw_import(
    session: AsyncSession, user: User, institution_id: int, import_id: int, *, reason: str,
) -> OutsideImportWithdrawal:
    """Withdraw the whole import (404 unknown here, 403 without the role, 409 once done)."""
    reason = required_reason(reason, code=Code.OUTSIDE_WITHDRAWAL_REASON_REQUIRED,
                             what="철회 사유", limit=MAX_REASON)
    done = Conflict(Code.OUTSIDE_ALREADY_WITHDRAWN, "이 가져오기는 이미 철회했습니다.",
                    field="import_id")
    async with transaction(session, on_integrity_error=done):
        batch = await session.get(OutsidePurchaseImport, import_id)
        if batch is None or batch.institution_id != institution_id:
            raise NotFound(Code.OUTSIDE_IMPORT_NOT_FOUND,
                           "이 기관이 가져온 파일 중에 없습니다.", field="import_id")
        await require_role(session, user, institution_id, *WITHDRAWERS)
        if await session.scalar(select(OutsideImportWithdrawal.id).where(
                OutsideImportWithdrawal.import_id == import_id)):
            raise done
        now = utcnow()
        row = OutsideImportWithdrawal(import_id=import_id, institution_id=institution_id,
                                      reason=reason, withdrawn_by=user.id, withdrawn_at=now)
        session.add(row)
        await session.flush()
        record(session, OutsidePurchasesWithdrawn(
            id=institution_id, import_id=import_id, withdrawal_id=row.id, rows=batch.rows,
            total_amount=batch.total_amount, effective_on=seoul_date(now).isoformat(),
            reason=reason, withdrawn_by=user.id))
    return row


@dataclass(frozen=True)
class ImportEntry:
    """One imported file as the page and the API list it, with its withdrawal if any."""

    batch: OutsidePurchaseImport
    imported_by: str
    withdrawal: OutsideImportWithdrawal | None
    withdrawn_by: str | None


async def imports_with_withdrawals(
    session: AsyncSession, institution_id: int
) -> list[ImportEntry]:
    """Every import of the institution, newest first, with who imported it and its
    withdrawal (no access check)."""
    importer, withdrawer = User.__table__.alias("importer"), User.__table__.alias("withdrawer")
    rows = (await session.execute(
        select(OutsidePurchaseImport, importer.c.display_name, OutsideImportWithdrawal,
               withdrawer.c.display_name)
        .join(importer, importer.c.id == OutsidePurchaseImport.imported_by)
        .outerjoin(OutsideImportWithdrawal,
                   OutsideImportWithdrawal.import_id == OutsidePurchaseImport.id)
        .outerjoin(withdrawer, withdrawer.c.id == OutsideImportWithdrawal.withdrawn_by)
        .where(OutsidePurchaseImport.institution_id == institution_id)
        .order_by(OutsidePurchaseImport.imported_at.desc(), OutsidePurchaseImport.id.desc())
    )).all()
    return [ImportEntry(batch, by, withdrawal, withdrawn_by)
            for batch, by, withdrawal, withdrawn_by in rows]
