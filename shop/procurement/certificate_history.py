"""A vendor's certificate history, on the database: every certificate it ever held.

New certificates are added, never written over, so an order approved under an old one still
names it. The dates are checked by the pure rule (:class:`shop.procurement.certificates.
Certificate`), the same as onboarding.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.db import transaction
from infra.errors import AccessErrorCode, Forbidden, InvalidInput, NotFound
from infra.outbox import record
from shop.procurement.certificates import Certificate
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import CertificateRecorded
from shop.procurement.models import VendorCertificate
from shop.vendors.models import Vendor
from shop.vendors.types import EnterpriseType


async def certificates_of(session: AsyncSession, vendor_id: int) -> list[VendorCertificate]:
    rows = await session.scalars(
        select(VendorCertificate).where(VendorCertificate.vendor_id == vendor_id)
        .order_by(VendorCertificate.valid_from, VendorCertificate.id))
    return list(rows.all())


async def record_certificate(
    session: AsyncSession, admin: User, vendor_id: int, *, enterprise_type: str, number: str,
    valid_from: dt.date, valid_to: dt.date | None = None, revoked_on: dt.date | None = None,
    vulnerable_share_bp: int = 0,
) -> VendorCertificate:
    """Add a certificate to the history (a renewal or a new designation is a new row)."""
    if not admin.is_admin:
        raise Forbidden(AccessErrorCode.ADMIN_ONLY, "플랫폼 관리자만 인증 이력을 고칠 수 있습니다.")
    try:
        kind = EnterpriseType(enterprise_type)
    except ValueError:
        raise InvalidInput(Code.INVALID_CERTIFICATE, "기업 유형을 골라 주세요.",
                           field="enterprise_type") from None
    # The pure rule validates dates, number and share; it raises a 400 naming each field.
    rule = Certificate(kind, number.strip(), valid_from, valid_to, revoked_on,
                       Decimal(vulnerable_share_bp).scaleb(-2))
    async with transaction(session):
        if await session.get(Vendor, vendor_id) is None:
            raise NotFound(Code.VENDOR_NOT_FOUND, "입점기업을 찾을 수 없습니다.",
                           field="vendor_id")
        row = VendorCertificate(
            vendor_id=vendor_id, enterprise_type=rule.enterprise_type, number=rule.number,
            valid_from=rule.valid_from, valid_to=rule.valid_to, revoked_on=rule.revoked_on,
            vulnerable_share_bp=vulnerable_share_bp)
        session.add(row)
        await session.flush()
        record(session, CertificateRecorded(
            id=vendor_id, certificate_id=row.id, enterprise_type=kind.value, number=row.number,
            valid_from=row.valid_from.isoformat(),
            valid_to=row.valid_to.isoformat() if row.valid_to else None,
            revoked_on=row.revoked_on.isoformat() if row.revoked_on else None))
    return row


async def revoke_certificate(
    session: AsyncSession, admin: User, certificate_id: int, revoked_on: dt.date
) -> VendorCertificate:
    """Record that a certificate was revoked (인증 취소) from ``revoked_on`` on.

    Orders approved before keep what they counted as: approval fixed it on the order.
    """
    if not admin.is_admin:
        raise Forbidden(AccessErrorCode.ADMIN_ONLY, "플랫폼 관리자만 인증 이력을 고칠 수 있습니다.")
    async with transaction(session):
        row = await session.get(VendorCertificate, certificate_id)
        if row is None:
            raise NotFound(Code.INVALID_CERTIFICATE, "인증을 찾을 수 없습니다.",
                           field="certificate_id")
        rule = row.rule()
        Certificate(rule.enterprise_type, rule.number, rule.valid_from, rule.valid_to,
                    revoked_on, rule.vulnerable_employee_share)  # the date rules, 400 if broken
        row.revoked_on = revoked_on
        record(session, CertificateRecorded(
            id=row.vendor_id, certificate_id=row.id, enterprise_type=row.enterprise_type.value,
            number=row.number, valid_from=row.valid_from.isoformat(),
            valid_to=row.valid_to.isoformat() if row.valid_to else None,
            revoked_on=revoked_on.isoformat()))
    return row
