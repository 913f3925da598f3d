"""Order mails end to end in one process: an ``order.placed`` outbox row, as the relay hands it
over, through the worker's actor to .eml files; redelivery sends nothing twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra import outbox
from infra.clock import utcnow
from infra.mail import SentMail
from infra.settings import Settings
from shop.checkout.models import Checkout, CheckoutStatus, ReservationStatus, StockReservation
from shop.orders import notifications
from shop.orders.events import OrderPlaced, VendorOrderShipped
from shop.orders.models import Order, OrderLine, VendorOrder, VendorOrderStatus
from shop.payments.models import Payment, PaymentStatus
from shop.vendors.models import Vendor
from tests.fixtures.mail import SITE, body, inbox
from tests.fixtures.outbox import relayed
from tests.shop.factories import make_product, make_user, make_vendor


async def _place_order(session: AsyncSession) -> tuple[Order, list[Vendor]]:
    """Two enterprises, three lines, as checkout would leave them; the event in the outbox."""
    shopper = await make_user(session, email="shopper@example.kr")
    bakery = await make_vendor(session, name="우리밀 협동조합")
    crafts = await make_vendor(session, name="성북 마을공방")
    cookie = await make_product(session, bakery, "유기농 수제쿠키 선물세트", price=12_000)
    bread = await make_product(session, bakery, "통밀 식빵", price=4_500)
    cup = await make_product(session, crafts, "업사이클 머그컵", price=18_000)

    reservation = StockReservation(
        status=ReservationStatus.CONFIRMED, user_id=shopper.id, expires_at=utcnow()
    )
    session.add(reservation)
    await session.flush()
    payment = Payment(
        token=secrets.token_urlsafe(32),
        kind="checkout",
        reference=str(reservation.id),
        user_id=shopper.id,
        amount=60_000,
        status=PaymentStatus.SUCCEEDED,
        succeeded_at=utcnow(),
    )
    session.add(payment)
    await session.flush()
    address = {
        "email": "shopper@example.kr",
        "recipient": "김장터",
        "phone": "010-1234-5678",
        "postal_code": "02841",
        "road_address": "서울특별시 성북구 보문로 168",
        "detail_address": "3층",
        "delivery_note": "문 앞에 놓아 주세요",
    }
    checkout = Checkout(
        token=secrets.token_urlsafe(32),
        status=CheckoutStatus.PAID,
        user_id=shopper.id,
        reservation_id=reservation.id,
        lines=[],
        delivery_fees={str(bakery.id): 3_000, str(crafts.id): 0},
        items_total=57_000,
        delivery_total=3_000,
        total=60_000,
        **address,
    )
    session.add(checkout)
    await session.flush()
    placed_at = dt.datetime(2026, 5, 3, 2, 30, tzinfo=dt.UTC)  # 11:30 in Seoul
    order = Order(
        number="pending",
        checkout_id=checkout.id,
        payment_id=payment.id,
        user_id=shopper.id,
        items_total=57_000,
        delivery_total=3_000,
        total=60_000,
        placed_at=placed_at,
        **address,
    )
    session.add(order)
    await session.flush()
    order.number = f"JT-260503-{order.id:06d}"

    def line(product: Any, quantity: int, option: str = "") -> OrderLine:
        variant = product.variants[0]
        return OrderLine(
            variant_id=variant.id,
            product_id=product.id,
            product_name=product.name,
            option_label=option,
            sku=variant.sku,
            category="food",
            unit_price=variant.price,
            quantity=quantity,
            line_total=variant.price * quantity,
        )

    session.add_all(
        [
            VendorOrder(
                order_id=order.id,
                vendor_id=bakery.id,
                vendor_name=bakery.name,
                items_total=39_000,
                delivery_fee=3_000,
                total=42_000,
                lines=[line(cookie, 2, "10개입"), line(bread, 2)],
            ),
            VendorOrder(
                order_id=order.id,
                vendor_id=crafts.id,
                vendor_name=crafts.name,
                items_total=18_000,
                delivery_fee=0,
                total=18_000,
                lines=[line(cup, 1)],
            ),
        ]
    )
    await session.flush()
    vendor_order_ids = tuple(
        (
            await session.scalars(select(VendorOrder.id).where(VendorOrder.order_id == order.id))
        ).all()
    )
    outbox.record(
        session,
        OrderPlaced(
            id=order.id,
            number=order.number,
            checkout_id=checkout.id,
            payment_id=payment.id,
            user_id=shopper.id,
            email=order.email,
            total=order.total,
            vendor_order_ids=vendor_order_ids,
        ),
    )
    await session.commit()
    return order, [bakery, crafts]


async def _deliver(message: dict[str, Any]) -> None:
    from workers import actors

    await asyncio.to_thread(actors.send_order_mails, message)


async def test_order_placed_mails_the_shopper_and_each_vendor_once(
    mail_worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors, routing

    async with session_factory() as session:
        order, (bakery, crafts) = await _place_order(session)
        message = await relayed(session, OrderPlaced.name)
    subscribed = [
        actor for matches, actor, _batch in routing.SUBSCRIPTIONS if matches(OrderPlaced.name)
    ]
    assert actors.send_order_mails in subscribed

    await _deliver(message)

    sent = inbox(mail_worker)
    assert sorted(sent) == sorted(["shopper@example.kr", bakery.email, crafts.email])
    assert all(len(mails) == 1 for mails in sent.values())

    (confirmation,) = sent["shopper@example.kr"]
    assert confirmation["Subject"] == f"[장터] 주문이 접수되었습니다 (주문번호 {order.number})"
    assert confirmation["From"].addresses[0].display_name == "장터"
    text = body(confirmation)
    for expected in (
        order.number,
        "2026-05-03 11:30",
        "■ 우리밀 협동조합",
        "유기농 수제쿠키 선물세트 / 10개입",
        "12,000원 × 2개 = 24,000원",
        "통밀 식빵",
        "■ 성북 마을공방",
        "업사이클 머그컵",
        "배송비 0원 (무료배송) · 소계 18,000원",
        "상품 금액  57,000원",
        "합계       60,000원",
        "김장터 (010-1234-5678)",
        "(02841) 서울특별시 성북구 보문로 168 3층",
        "문 앞에 놓아 주세요",
        f"{SITE}/orders/{order.number}",
    ):
        assert expected in text, expected
    html = body(confirmation, "html")
    assert f'href="{SITE}/orders/{order.number}"' in html
    assert "60,000원" in html

    (bakery_notice,) = sent[bakery.email]
    subject = bakery_notice["Subject"]
    assert subject == f"[장터] 새 주문이 들어왔습니다 (주문번호 {order.number}, 4개)"
    bakery_text = body(bakery_notice)
    assert "유기농 수제쿠키 선물세트" in bakery_text and "통밀 식빵" in bakery_text
    assert "업사이클 머그컵" not in bakery_text, "a vendor sees only its own lines"
    assert "합계       42,000원" in bakery_text
    assert "60,000원" not in bakery_text
    assert "(02841) 서울특별시 성북구 보문로 168 3층" in bakery_text

    crafts_text = body(sent[crafts.email][0])
    assert "업사이클 머그컵" in crafts_text
    assert "쿠키" not in crafts_text and "식빵" not in crafts_text

    # The relay delivers at least once: a second delivery sends nothing.
    await _deliver(message)
    assert sum(len(m) for m in inbox(mail_worker).values()) == 3
    async with session_factory() as session:
        keys = (await session.scalars(select(SentMail.key))).all()
    assert len(keys) == 3
    assert all(key.startswith(message["event_id"] + ":") for key in keys)


async def test_shipped_event_tells_the_shopper_carrier_and_tracking_number(
    mail_worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        order, (bakery, _) = await _place_order(session)
        vendor_order = await session.scalar(
            select(VendorOrder).where(VendorOrder.vendor_id == bakery.id)
        )
        assert vendor_order is not None
        vendor_order.status = VendorOrderStatus.SHIPPED
        vendor_order.carrier = "CJ대한통운"
        vendor_order.tracking_number = "123456789012"
        outbox.record(
            session,
            VendorOrderShipped(
                id=vendor_order.id,
                order_id=order.id,
                vendor_id=bakery.id,
                carrier="CJ대한통운",
                tracking_number="123456789012",
            ),
        )
        await session.commit()
        message = await relayed(session, VendorOrderShipped.name)

    await _deliver(message)
    await _deliver(message)

    sent = inbox(mail_worker)
    assert list(sent) == ["shopper@example.kr"]
    (notice,) = sent["shopper@example.kr"]
    assert notice["Subject"] == (
        f"[장터] 상품이 발송되었습니다 (주문번호 {order.number}, 우리밀 협동조합)"
    )
    text = body(notice)
    assert "택배사      CJ대한통운" in text
    assert "운송장 번호 123456789012" in text
    assert "통밀 식빵" in text and "업사이클 머그컵" not in text
    async with session_factory() as session:
        assert await session.scalar(select(func.count(SentMail.id))) == 1


async def test_vendors_sharing_one_address_each_get_their_notice(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        order, (bakery, crafts) = await _place_order(session)
        crafts.email = bakery.email
        await session.commit()
    async with session_factory() as session:
        mails = await notifications.order_placed_mails(session, order.id, site_url=SITE)
    assert [m.to for m in mails] == ["shopper@example.kr", bakery.email, bakery.email]
    keys = {m.once_key("evt") for m in mails}
    assert len(keys) == 3


async def test_events_without_mail_and_missing_orders_send_nothing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        assert await notifications.mails_for_event(session, "vendor_order.paid", {"id": 1}) == []
        assert await notifications.mails_for_event(session, OrderPlaced.name, {"id": 999}) == []
