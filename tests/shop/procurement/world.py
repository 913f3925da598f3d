"""A district office with its staff and a certified vendor, built through the use cases."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from shop.procurement import (
    approval,
    certificate_history,
    institutions,
    ordering,
    plans,
    receiving,
)
from shop.procurement.models import Department, Institution, PurchaseOrder, VendorCertificate
from shop.procurement.plan_rules import PlanFigures
from shop.vendors.models import Vendor
from tests.shop.factories import make_user, make_vendor


@dataclasses.dataclass
class World:
    admin: User
    institution: Institution
    department: Department
    requester: User  # also an approver: the self-approval rule is what stops them
    approver: User
    second_approver: User
    inspector: User
    accountant: User
    discloser: User
    vendor: Vendor
    certificate: VendorCertificate

    async def order(
        self, session: AsyncSession, *, quantity: int, unit_price: int,
        contract_date: dt.date = dt.date(2025, 3, 9), method: str = "single_quote",
        quotes: int = 1, submit: bool = True, category: str = "food",
    ) -> PurchaseOrder:
        order = await ordering.create_order(session, self.requester, ordering.OrderInput(
            institution_id=self.institution.id, department_id=self.department.id,
            vendor_id=self.vendor.id, title="행사용 도시락", method=method, quotes=quotes,
            contract_date=contract_date,
            lines=(ordering.LineInput(category, "친환경 도시락", quantity, unit_price),)))
        if submit:
            await ordering.submit_order(session, self.requester, order.id)
        return order

    async def approved(self, session: AsyncSession, **kwargs: object) -> PurchaseOrder:
        order = await self.order(session, **kwargs)  # type: ignore[arg-type]
        await approval.approve(session, self.approver, order.id)
        if order.approvals_required > 1:
            await approval.approve(session, self.second_approver, order.id)
        return order

    async def published_plan(self, session: AsyncSession, *, planned_total: int,
                             target_amount: int, year: int = 2025) -> None:
        """A plan of ``year`` with these totals, published on time (20 December before)."""
        plan = await plans.draft_plan(session, self.admin, self.institution.id, year,
                                      PlanFigures(planned_total, target_amount, ()))
        plan_id = plan.id
        await plans.submit(session, self.admin, plan_id)
        await plans.publish(session, self.admin, plan_id,
                            at=dt.datetime(year - 1, 12, 20, tzinfo=dt.UTC))

    async def inspected(
        self, session: AsyncSession, order: PurchaseOrder, accepted: int,
        on: dt.date = dt.date(2025, 3, 12),
    ) -> None:
        await receiving.deliver(session, self.requester, order.id, delivered_on=on)
        await receiving.inspect(session, self.inspector, order.id,
                                {order.lines[0].id: accepted}, inspected_on=on)


def _valid_brn() -> str:
    from tests.shop.factories import _brn

    return _brn(9000)


async def make_world(session: AsyncSession) -> World:
    admin = await make_user(session, Role.ADMIN)
    await session.commit()
    institution = await institutions.register_institution(
        session, admin, kind="district_office", name="성북구청",
        business_registration_number=_valid_brn(), district="성북구")
    department = await institutions.add_department(session, admin, institution.id,
                                                   "사회적경제과")
    people: dict[str, User] = {}
    for key, roles in {
        "requester": ("requester", "approver"), "approver": ("approver",),
        "second_approver": ("approver",), "inspector": ("inspector",),
        "accountant": ("accountant",), "discloser": ("discloser",),
    }.items():
        person = await make_user(session, email=f"{key}@sb.go.kr")
        await session.commit()
        for role in roles:
            await institutions.grant_role(session, admin, institution.id, email=person.email,
                                          role=role, department_id=department.id)
        people[key] = person
    vendor = await make_vendor(session, name="햇살사회적협동조합")
    await session.commit()
    certificate = await certificate_history.record_certificate(
        session, admin, vendor.id, enterprise_type="certified_social", number="2022-101",
        valid_from=dt.date(2022, 3, 10), valid_to=dt.date(2025, 3, 9), vulnerable_share_bp=3500)
    # Detached, as the signed-in person of a request is: a refused use case rolls the
    # session back, which would otherwise expire these rows under the test's feet.
    session.expunge_all()
    return World(admin=admin, institution=institution, department=department,
                 vendor=vendor, certificate=certificate, **people)
