"""The district office of ``world.py`` asking two vendors for quotes: 햇살 (35 % vulnerable
employees, certificate to 2025-03-09) and 푸른숲 (20 %), each with a member who answers."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.clock import SEOUL
from shop.catalog.taxonomy import Category
from shop.procurement import certificate_history, quotations, quoting
from shop.procurement.quotation_models import Quote, QuoteRequest
from shop.vendors.models import MemberRole, Vendor, VendorMember
from tests.shop.factories import make_product, make_user, make_vendor
from tests.shop.procurement.world import World, make_world

#: When the request is sent, its deadline, when quotes come in, when the award is made.
SENT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=SEOUL)
DEADLINE = dt.datetime(2025, 3, 6, 17, 0)  # naive: Seoul time
QUOTED = dt.datetime(2025, 3, 5, 15, 0, tzinfo=SEOUL)
AWARDED = dt.datetime(2025, 3, 7, 10, 0, tzinfo=SEOUL)


@dataclasses.dataclass
class QuoteWorld:
    world: World
    sunny: Vendor  # 35 %
    forest: Vendor  # 20 %
    sunny_member: User
    forest_member: User

    def member_of(self, vendor: Vendor) -> User:
        return self.sunny_member if vendor.id == self.sunny.id else self.forest_member

    async def request(self, session: AsyncSession, estimated_price: int,
                      vendors: tuple[Vendor, ...] | None = None) -> QuoteRequest:
        w = self.world
        return await quotations.request_quotes(session, w.requester, quotations.QuoteRequestInput(
            institution_id=w.institution.id, department_id=w.department.id,
            title="친환경 행사 물품", delivery_place="성북구청 별관 2층 회의실",
            delivery_date=dt.date(2025, 3, 20), estimated_price=estimated_price,
            deadline=DEADLINE,
            vendor_ids=tuple(v.id for v in (vendors or (self.sunny, self.forest))),
            lines=(quotations.RequestLineInput("household", "재생지 노트", 1000, "권"),)),
            now=SENT)

    async def quote(self, session: AsyncSession, request: QuoteRequest, vendor: Vendor,
                    unit_price: int, *, at: dt.datetime = QUOTED) -> Quote:
        # Read again: a refused use case before this one rolled back and expired the row.
        identity = inspect(request).identity
        assert identity is not None
        fresh = await quotations.request_or_404(session, identity[0])
        return await quoting.submit_quote(
            session, self.member_of(vendor), vendor.id, fresh.id,
            {fresh.lines[0].id: unit_price}, dt.date(2025, 3, 31), now=at)


async def make_quote_world(session: AsyncSession) -> QuoteWorld:
    world = await make_world(session)
    sunny_member = await make_user(session, Role.VENDOR_MEMBER, email="sunny@example.kr")
    forest_member = await make_user(session, Role.VENDOR_MEMBER, email="forest@example.kr")
    forest = await make_vendor(session, name="푸른숲자활센터")
    session.add_all([
        VendorMember(vendor_id=world.vendor.id, user_id=sunny_member.id, role=MemberRole.OWNER),
        VendorMember(vendor_id=forest.id, user_id=forest_member.id, role=MemberRole.OWNER),
    ])
    await make_product(session, forest, "재생지 노트", category=Category.HOUSEHOLD,
                       strategic_items=["green_cycle"])
    await session.commit()
    await certificate_history.record_certificate(
        session, world.admin, forest.id, enterprise_type="self_sufficiency", number="2023-77",
        valid_from=dt.date(2023, 1, 1), valid_to=None, vulnerable_share_bp=2000)
    session.expunge_all()
    return QuoteWorld(world=world, sunny=world.vendor, forest=forest,
                      sunny_member=sunny_member, forest_member=forest_member)
