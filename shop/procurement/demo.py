"""Demo public buying: 성북구청 with three departments, a requester and an approver, orders
in several states, one priority-purchase exception and last month's published disclosure
(idempotent).

Run after the shop's demo loader (``jangteo demo``): it needs the demo admin, vendors and
products. Everything goes through the procurement use cases, so the orders carry their
events (outbox) and status history exactly as if people had clicked through the portal,
and ``/procurement/disclosures`` and the OCDS release package show something on a fresh
``make run``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import spreadsheets
from infra.accounts.models import Role, User
from infra.accounts.services import create_user
from infra.clock import seoul_today
from shop.catalog.models import Product, ProductStatus
from shop.demo_data import DEMO_PASSWORD, DemoUser
from shop.procurement import (
    approval,
    certificate_history,
    disclosures,
    exception_register,
    institutions,
    invoicing,
    ordering,
    outside_purchases,
    quote_demo,
    receiving,
)
from shop.procurement.models import Department, Institution, PurchaseOrder
from shop.procurement.outside_purchases import TEMPLATE_HEADER
from shop.procurement.plan_demo import load_plan
from shop.vendors.models import Vendor, VendorStatus

NAME = "성북구청"
KIND = "district_office"
DISTRICT = "성북구"
#: 209-83-00013: the shape of a local government's number (8x: 국가·지자체), checksum valid.
BRN = "2098300013"
DEPARTMENTS = ("일자리정책과", "보건행정과", "총무과")
BUYER = DemoUser("buyer@jangteo.kr", "김민지 (성북구청 일자리정책과)", DEMO_PASSWORD,
                 (Role.PUBLIC_BUYER.value,))
APPROVER = DemoUser("approver@jangteo.kr", "박정훈 (성북구청 총무과장)", DEMO_PASSWORD,
                    (Role.PUBLIC_BUYER.value,))
#: The buyer requests; the approver also inspects, pays and discloses, so that one person
#: can take a demo order from approval to the published month.
ROLES = {BUYER.email: ("requester",),
         APPROVER.email: ("approver", "inspector", "accountant", "discloser")}
ADMIN_EMAIL = "admin@jangteo.kr"
#: The most a demo order's supply comes to (won, before VAT).
MAX_SUPPLY = 4_000_000


@dataclass(frozen=True)
class DemoOrder:
    title: str
    department: str
    day: int  # day of last month (the contract date)
    quantity: int
    #: submitted, approved, delivered (not inspected: on the inspection-overdue report), paid,
    #: cancelled, lapsed (approved, counts as general)
    state: str


ORDERS = (
    DemoOrder("청년 일자리 박람회 다과", "일자리정책과", 5, 120, "paid"),
    DemoOrder("건강증진 캠페인 기념품", "보건행정과", 12, 300, "delivered"),
    DemoOrder("구청 회의실 비품", "총무과", 19, 40, "submitted"),
    DemoOrder("구민 한마당 행사 물품", "일자리정책과", 22, 80, "cancelled"),
    DemoOrder("재난 대비 비상 물품 (긴급)", "총무과", 26, 60, "lapsed"),
)


async def _person(session: AsyncSession, seed: DemoUser) -> User:
    user = await session.scalar(select(User).where(User.email == seed.email))
    if user is None:
        user = await create_user(session, email=seed.email, password=seed.password,
                                 display_name=seed.display_name,
                                 roles=[Role(r) for r in seed.roles])
    return user


async def _certified_vendors(
    session: AsyncSession, admin: User, first: dt.date, last: dt.date
) -> tuple[list[Vendor], list[Vendor]]:
    """Vendors whose certificate is valid from ``first`` to ``last`` and vendors whose
    certificate lapsed before ``first``, a few of each with their certificate recorded in
    the history."""
    vendors = list((await session.scalars(
        select(Vendor).where(Vendor.status == VendorStatus.APPROVED).order_by(Vendor.id))).all())
    valid = [v for v in vendors
             if v.certification_valid_on(first) and v.certification_valid_on(last)]
    lapsed = [v for v in vendors if v.certified_to is not None and v.certified_to < first]
    for n, vendor in enumerate([*valid[:4], *lapsed[:1]]):
        if not await certificate_history.certificates_of(session, vendor.id):
            await certificate_history.record_certificate(
                session, admin, vendor.id, enterprise_type=vendor.enterprise_type.value,
                number=vendor.certification_number, valid_from=vendor.certified_from,
                valid_to=vendor.certified_to, vulnerable_share_bp=(2000, 3500)[n % 2])
    return valid, lapsed


async def _product(session: AsyncSession, vendor: Vendor) -> Product | None:
    return await session.scalar(
        select(Product).where(Product.vendor_id == vendor.id,
                              Product.status == ProductStatus.PUBLISHED)
        .order_by(Product.id).limit(1))


#: Suppliers outside the platform (registration numbers with a valid checksum, made up).
OUTSIDE_SUPPLIERS = (("성북사무기기", "6128100516"), ("동네문구", "8338100734"))


def outside_csv(month_end: dt.date, vendor: Vendor) -> bytes:
    """Last month's purchases made outside the platform, in the import template: a 나라장터
    contract and a card purchase (general), and one from a social enterprise (declared)."""
    rows = [
        TEMPLATE_HEADER,
        (month_end.replace(day=8).isoformat(), "총무과", *OUTSIDE_SUPPLIERS[0], "사무·전산",
         "8,800,000", "나라장터", "일반"),
        (month_end.replace(day=15).isoformat(), "보건행정과", *OUTSIDE_SUPPLIERS[1],
         "사무·전산", "352,000", "카드", "일반"),
        (month_end.replace(day=20).isoformat(), "일자리정책과", vendor.name,
         vendor.business_registration_number, "식품", "1,650,000", "카드",
         vendor.enterprise_type.label),
    ]
    return spreadsheets.csv_bytes(rows)


async def load(session: AsyncSession) -> str:
    """Load the demo once; the dates are around today (Seoul), since approval and publication
    stamp the real clock: the orders are contracted last month, which is published today."""
    if await session.scalar(select(Institution.id).where(Institution.name == NAME)):
        return "공공구매 데모(성북구청)가 이미 있어 건너뜁니다."
    admin = await session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        return "공공구매 데모를 건너뜁니다: 데모 관리자가 없습니다 (먼저 상품 데모를 불러오세요)."
    today = seoul_today()
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    valid, lapsed = await _certified_vendors(session, admin, month_end.replace(day=1),
                                            month_end)
    if not valid or not lapsed:
        return "공공구매 데모를 건너뜁니다: 인증이 유효한 기업과 만료된 기업이 모두 있어야 합니다."

    institution = await institutions.register_institution(
        session, admin, kind=KIND, name=NAME, business_registration_number=BRN,
        district=DISTRICT)
    departments: dict[str, Department] = {}
    for name in DEPARTMENTS:
        departments[name] = await institutions.add_department(session, admin, institution.id,
                                                              name)
    people = {seed.email: await _person(session, seed) for seed in (BUYER, APPROVER)}
    await session.commit()
    for email, roles in ROLES.items():
        for role in roles:
            await institutions.grant_role(
                session, admin, institution.id, email=email, role=role,
                department_id=departments[DEPARTMENTS[0 if email == BUYER.email else 2]].id)
    buyer, approver = people[BUYER.email], people[APPROVER.email]

    orders: list[PurchaseOrder] = []
    for n, seed in enumerate(ORDERS):
        vendor = lapsed[0] if seed.state == "lapsed" else valid[n % min(4, len(valid))]
        product = await _product(session, vendor)
        if product is None:
            continue
        variant = product.variants[0]
        contract_date = month_end.replace(day=seed.day)
        # Small enough for one approver (two are needed from 10,000,000 won).
        quantity = max(1, min(seed.quantity, MAX_SUPPLY // variant.price))
        order = await ordering.create_order(session, buyer, ordering.OrderInput(
            institution_id=institution.id, department_id=departments[seed.department].id,
            vendor_id=vendor.id, title=seed.title, method="single_quote",
            contract_date=contract_date,
            lines=(ordering.LineInput(product.category.value,
                                      f"{product.name} ({variant.option_label})",
                                      quantity, variant.price),)))
        await ordering.submit_order(session, buyer, order.id)
        if seed.state != "submitted":
            await approval.approve(session, approver, order.id)
        if seed.state == "delivered":  # more than 14 days ago, so inspection is overdue
            await receiving.deliver(session, buyer, order.id,
                                    delivered_on=contract_date + dt.timedelta(days=1))
        if seed.state == "paid":
            delivered = contract_date + dt.timedelta(days=3)
            await receiving.deliver(session, buyer, order.id, delivered_on=delivered)
            await receiving.inspect(session, approver, order.id,
                                    {line.id: line.quantity for line in order.lines},
                                    inspected_on=delivered + dt.timedelta(days=1))
            invoice = await invoicing.approve_invoice(
                session, approver, order.id, number=f"DEMO-{contract_date:%Y%m%d}-0001",
                supply=order.supply_amount, vat=order.vat_amount,
                issued_on=delivered + dt.timedelta(days=1))
            await invoicing.record_payment(
                session, approver, order.id, amount=invoice.total,
                bank_reference=f"성북구금고-{contract_date:%m%d}-001",
                paid_on=delivered + dt.timedelta(days=6))
        if seed.state == "cancelled":
            await ordering.cancel_order(session, buyer, order.id, "행사가 다음 분기로 연기됨")
        if seed.state == "lapsed":
            await exception_register.record_entry(
                session, buyer, institution.id, department_id=departments[seed.department].id,
                category=product.category.value, reason="emergency",
                explanation="태풍 대비 비상 물품을 당일 확보해야 해 인증이 만료된 기업에서 구매",
                order_id=order.id, decided_on=contract_date)
        orders.append(order)
    outside = await outside_purchases.import_file(
        session, approver, institution.id, filename="지난달-플랫폼밖-구매.csv",
        content=outside_csv(month_end, valid[0]))
    await disclosures.publish_month(session, approver, institution.id, year=month_end.year,
                                    month=month_end.month, published_on=today)
    planned = await load_plan(session, admin, approver, institution, departments)
    quotes_note = await quote_demo.load(session, institution, departments[DEPARTMENTS[0]], buyer)
    return (f"공공구매 데모를 불러왔습니다: {NAME} (부서 {len(departments)}곳), 구매 주문 "
            f"{len(orders)}건, 예외 기록 1건, 플랫폼 밖 구매 {outside.rows}건, "
            f"{month_end.year}년 {month_end.month}월 실적 공시, "
            f"{planned}, {quotes_note} "
            f"(로그인 {BUYER.email}, {APPROVER.email}; 데모 비밀번호 {DEMO_PASSWORD})")
