"""Registering public bodies, their departments and their staff.

A platform admin registers an institution; its institution admin (or a platform admin) adds
departments and gives people roles. A person given a role also gets the platform role
``public_buyer``, which opens the buyer pages.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.db import transaction
from infra.errors import AccessErrorCode, Conflict, Forbidden, InvalidInput, NotFound, Problems
from infra.outbox import record
from shop.procurement.access import department_of, institution_or_404, require_role
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import InstitutionRegistered, MembershipGranted
from shop.procurement.models import (
    Department,
    Institution,
    InstitutionKind,
    Membership,
    ProcurementRole,
)
from shop.vendors.rules import normalise_registration_number
from shop.vendors.types import District


async def register_institution(
    session: AsyncSession, admin: User, *, kind: str, name: str,
    business_registration_number: str, district: str,
) -> Institution:
    if not admin.is_admin:
        raise Forbidden(AccessErrorCode.ADMIN_ONLY, "플랫폼 관리자만 기관을 등록할 수 있습니다.")
    problems = Problems()
    chosen_kind = _enum(problems, InstitutionKind, kind, "kind", "기관 종류를 골라 주세요.")
    chosen_district = _enum(problems, District, district, "district", "자치구를 골라 주세요.")
    name = name.strip()
    if not name:
        problems.add(Code.REQUIRED, "name", "기관 이름을 입력해 주세요.")
    brn = normalise_registration_number(business_registration_number)
    if brn is None:
        problems.add(Code.REQUIRED, "business_registration_number",
                     "올바른 사업자등록번호(10자리)를 입력해 주세요.")
    problems.raise_if_any()
    assert chosen_kind is not None and chosen_district is not None and brn is not None
    duplicate = Conflict(Code.DUPLICATE_INSTITUTION,
                         "같은 이름이나 사업자등록번호의 기관이 이미 있습니다.", field="name")
    async with transaction(session, on_integrity_error=duplicate):
        institution = Institution(kind=chosen_kind, name=name,
                                  business_registration_number=brn, district=chosen_district)
        session.add(institution)
        await session.flush()
        record(session, InstitutionRegistered(
            id=institution.id, kind=institution.kind.value, institution_name=institution.name,
            district=institution.district.value))
    return institution


async def add_department(
    session: AsyncSession, user: User, institution_id: int, name: str
) -> Department:
    name = name.strip()
    if not name:
        raise InvalidInput(Code.REQUIRED, "부서 이름을 입력해 주세요.", field="name")
    duplicate = Conflict(Code.DUPLICATE_DEPARTMENT, "같은 이름의 부서가 이미 있습니다.",
                         field="name")
    async with transaction(session, on_integrity_error=duplicate):
        await institution_or_404(session, institution_id)
        await require_role(session, user, institution_id, ProcurementRole.INSTITUTION_ADMIN)
        department = Department(institution_id=institution_id, name=name)
        session.add(department)
        await session.flush()
    return department


async def grant_role(
    session: AsyncSession, user: User, institution_id: int, *, email: str, role: str,
    department_id: int | None = None,
) -> Membership:
    """Give the person with ``email`` a role in the institution (institution admins)."""
    problems = Problems()
    chosen = _enum(problems, ProcurementRole, role, "role", "역할을 골라 주세요.")
    problems.raise_if_any()
    assert chosen is not None
    duplicate = Conflict(Code.DUPLICATE_MEMBERSHIP, "이미 그 역할을 가진 직원입니다.",
                         field="role")
    async with transaction(session, on_integrity_error=duplicate):
        await institution_or_404(session, institution_id)
        await require_role(session, user, institution_id, ProcurementRole.INSTITUTION_ADMIN)
        if department_id is not None:
            await department_of(session, institution_id, department_id)
        person = await session.scalar(
            select(User).where(User.email == email.strip().lower()))
        if person is None:
            raise NotFound(Code.USER_NOT_FOUND, "그 이메일로 가입한 사람이 없습니다.",
                           field="email")
        if Role.PUBLIC_BUYER.value not in person.roles:
            person.roles = [*person.roles, Role.PUBLIC_BUYER.value]
        membership = Membership(institution_id=institution_id, user_id=person.id,
                                department_id=department_id, role=chosen)
        session.add(membership)
        await session.flush()
        record(session, MembershipGranted(
            id=institution_id, membership_id=membership.id, user_id=person.id,
            role=chosen.value, department_id=department_id))
    return membership


async def memberships_of(session: AsyncSession, institution_id: int) -> list[Membership]:
    rows = await session.scalars(
        select(Membership).where(Membership.institution_id == institution_id)
        .order_by(Membership.id))
    return list(rows.all())


async def all_institutions(session: AsyncSession) -> list[Institution]:
    return list((await session.scalars(select(Institution).order_by(Institution.id))).all())


async def institutions_page(
    session: AsyncSession, page: int, size: int
) -> tuple[list[Institution], int]:
    """One page of the institutions by id, and how many there are in all."""
    total = await session.scalar(select(func.count(Institution.id))) or 0
    rows = await session.scalars(select(Institution).order_by(Institution.id)
                                 .limit(size).offset((max(1, page) - 1) * size))
    return list(rows.all()), total


E = TypeVar("E")


def _enum(problems: Problems, enum_cls: type[E], raw: str, field: str, message: str) -> E | None:
    try:
        return enum_cls(raw)  # type: ignore[call-arg]
    except ValueError:
        problems.add(Code.REQUIRED, field, message)
        return None
