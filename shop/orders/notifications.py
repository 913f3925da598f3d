"""Order mails (주문 알림): who is told what when an order is placed or a parcel ships.

- ``order.placed`` → an order confirmation to the shopper (every line, grouped by enterprise,
  the totals, the delivery address, the order page) and a new-order notice to each
  enterprise's contact address with only that enterprise's lines and where to ship them;
- ``vendor_order.shipped`` → a shipped notice to the shopper: which enterprise sent what,
  with the carrier and the tracking number;
- ``vendor_order.cancelled`` → a cancellation notice to the shopper (what was cancelled, the
  money refunded and why) and, when the shopper or an admin cancelled, a "do not ship"
  notice to the enterprise;
- ``vendor_order.refunded`` → a refund notice to the shopper (the lines, the amount, why),
  except for the refund that is part of a cancellation: the cancellation notice says it.

Everything is read from the database (the event names the rows); the mails are rendered from
``templates/mail/`` (plain text, and HTML as the alternative). Sending is not done here: the
worker hands the :class:`~infra.mail.Mail` objects to the mailer under their send-once keys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_time
from infra.mail import Mail
from shop.orders.events import (
    OrderPlaced,
    VendorOrderCancelled,
    VendorOrderRefunded,
    VendorOrderShipped,
)
from shop.orders.models import Order, OrderLine, OrderRefund, VendorOrder
from shop.vendors.models import MemberRole, Vendor

#: Pages the mails link to (shopper's order page, the vendor console's order page).
ORDER_PAGE = "/orders/{number}"
VENDOR_ORDER_PAGE = "/console/orders/{vendor_order_id}"

#: The events that send order mail (the worker's subscription).
MAIL_EVENTS = frozenset({
    OrderPlaced.name, VendorOrderShipped.name, VendorOrderCancelled.name,
    VendorOrderRefunded.name,
})

TEMPLATES = Path(__file__).resolve().parent / "templates"


def won(amount: int) -> str:
    return f"{int(amount):,}원"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["won"] = won
    env.filters["seoul"] = seoul_time
    return env


_env = _environment()


def _render(name: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The text and HTML bodies of ``mail/<name>.txt`` and ``mail/<name>.html``."""
    text = _env.get_template(f"mail/{name}.txt").render(context)
    html = _env.get_template(f"mail/{name}.html").render(context)
    return text, html


def _context(order: Order, site_url: str, **more: Any) -> dict[str, Any]:
    return {
        "order": order,
        "placed_at": seoul_time(order.placed_at),
        "order_url": site_url.rstrip("/") + ORDER_PAGE.format(number=order.number),
        **more,
    }


async def _order(session: AsyncSession, order_id: int) -> Order | None:
    return await session.scalar(select(Order).where(Order.id == order_id))


async def _vendor_addresses(
    session: AsyncSession, vendor_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Where each enterprise hears about orders: its contact address, else its owners'."""
    vendors = (await session.scalars(select(Vendor).where(Vendor.id.in_(vendor_ids)))).all()
    addresses: dict[int, list[str]] = {}
    for vendor in vendors:
        if vendor.email.strip():
            addresses[vendor.id] = [vendor.email.strip()]
            continue
        owner_ids = [m.user_id for m in vendor.members if m.role is MemberRole.OWNER]
        owners = await session.scalars(select(User.email).where(User.id.in_(owner_ids)))
        addresses[vendor.id] = sorted(owners.all())
    return addresses


def order_confirmation(order: Order, *, site_url: str = "") -> Mail:
    text, html = _render("order_placed", _context(order, site_url))
    return Mail(
        to=order.email,
        subject=f"[장터] 주문이 접수되었습니다 (주문번호 {order.number})",
        text=text,
        html=html,
        kind="order_placed",
    )


def vendor_new_order(
    order: Order, vendor_order: VendorOrder, to: str, *, site_url: str = ""
) -> Mail:
    console_url = site_url.rstrip("/") + VENDOR_ORDER_PAGE.format(vendor_order_id=vendor_order.id)
    units = sum(line.quantity for line in vendor_order.lines)
    text, html = _render(
        "vendor_new_order",
        _context(order, site_url, vo=vendor_order, console_url=console_url),
    )
    return Mail(
        to=to,
        to_name=vendor_order.vendor_name,
        subject=f"[장터] 새 주문이 들어왔습니다 (주문번호 {order.number}, {units}개)",
        text=text,
        html=html,
        kind=f"vendor_order:{vendor_order.id}",
    )


def order_shipped(
    order: Order,
    vendor_order: VendorOrder,
    *,
    carrier: str,
    tracking_number: str,
    site_url: str = "",
) -> Mail:
    text, html = _render(
        "order_shipped",
        _context(
            order, site_url, vo=vendor_order, carrier=carrier, tracking_number=tracking_number
        ),
    )
    return Mail(
        to=order.email,
        subject=(
            f"[장터] 상품이 발송되었습니다 (주문번호 {order.number}, {vendor_order.vendor_name})"
        ),
        text=text,
        html=html,
        kind=f"shipped:{vendor_order.id}",
    )


async def order_placed_mails(
    session: AsyncSession, order_id: int, *, site_url: str = ""
) -> list[Mail]:
    """The shopper's confirmation, then one notice per enterprise in the order."""
    order = await _order(session, order_id)
    if order is None:
        return []
    mails = [order_confirmation(order, site_url=site_url)]
    addresses = await _vendor_addresses(session, [vo.vendor_id for vo in order.vendor_orders])
    for vendor_order in order.vendor_orders:
        for address in addresses.get(vendor_order.vendor_id, []):
            mails.append(vendor_new_order(order, vendor_order, address, site_url=site_url))
    return mails


async def order_shipped_mails(
    session: AsyncSession,
    vendor_order_id: int,
    *,
    carrier: str | None = None,
    tracking_number: str | None = None,
    site_url: str = "",
) -> list[Mail]:
    """The shopper's shipped notice; carrier and tracking number as the event stated them."""
    vendor_order = await session.scalar(
        select(VendorOrder).where(VendorOrder.id == vendor_order_id)
    )
    if vendor_order is None:
        return []
    order = await _order(session, vendor_order.order_id)
    if order is None:
        return []
    return [
        order_shipped(
            order,
            vendor_order,
            carrier=vendor_order.carrier if carrier is None else carrier,
            tracking_number=(
                vendor_order.tracking_number if tracking_number is None else tracking_number
            ),
            site_url=site_url,
        )
    ]


@dataclasses.dataclass(frozen=True)
class RefundedItem:
    line: OrderLine
    quantity: int
    amount: int


def _items(vendor_order: VendorOrder, refund: OrderRefund) -> list[RefundedItem]:
    by_id = {line.id: line for line in vendor_order.lines}
    return [RefundedItem(by_id[item.order_line_id], item.quantity, item.amount)
            for item in refund.lines if item.order_line_id in by_id]


async def _vendor_order_and_order(
    session: AsyncSession, vendor_order_id: int
) -> tuple[VendorOrder, Order] | None:
    vendor_order = await session.scalar(
        select(VendorOrder).where(VendorOrder.id == vendor_order_id)
    )
    if vendor_order is None:
        return None
    order = await _order(session, vendor_order.order_id)
    return (vendor_order, order) if order is not None else None


def order_cancelled(
    order: Order, vendor_order: VendorOrder, refund: OrderRefund, *, by_shopper: bool,
    site_url: str = "",
) -> Mail:
    text, html = _render("order_cancelled", _context(
        order, site_url, vo=vendor_order, refund=refund, items=_items(vendor_order, refund),
        by_shopper=by_shopper,
    ))
    return Mail(
        to=order.email,
        subject=(
            f"[장터] 주문이 취소되었습니다 (주문번호 {order.number}, {vendor_order.vendor_name})"
        ),
        text=text, html=html, kind=f"cancelled:{vendor_order.id}",
    )


def vendor_order_cancelled(
    order: Order, vendor_order: VendorOrder, refund: OrderRefund, to: str, *, site_url: str = ""
) -> Mail:
    console_url = site_url.rstrip("/") + VENDOR_ORDER_PAGE.format(vendor_order_id=vendor_order.id)
    text, html = _render("vendor_order_cancelled", _context(
        order, site_url, vo=vendor_order, refund=refund, items=_items(vendor_order, refund),
        console_url=console_url,
    ))
    return Mail(
        to=to, to_name=vendor_order.vendor_name,
        subject=f"[장터] 주문이 취소되었습니다. 발송하지 마세요 (주문번호 {order.number})",
        text=text, html=html, kind=f"vendor_cancelled:{vendor_order.id}",
    )


def order_refunded(
    order: Order, vendor_order: VendorOrder, refund: OrderRefund, *, site_url: str = ""
) -> Mail:
    text, html = _render("order_refunded", _context(
        order, site_url, vo=vendor_order, refund=refund, items=_items(vendor_order, refund),
    ))
    return Mail(
        to=order.email,
        subject=f"[장터] {refund.amount:,}원이 환불되었습니다 (주문번호 {order.number})",
        text=text, html=html, kind=f"refunded:{refund.id}",
    )


async def order_cancelled_mails(
    session: AsyncSession, vendor_order_id: int, actor_user_id: int | None, *, site_url: str = ""
) -> list[Mail]:
    """The shopper's notice; the enterprise's too unless one of its own people cancelled."""
    found = await _vendor_order_and_order(session, vendor_order_id)
    if found is None:
        return []
    vendor_order, order = found
    # Everything left was refunded by the cancellation, so it is the vendor order's last refund.
    refund = await session.scalar(
        select(OrderRefund).where(OrderRefund.vendor_order_id == vendor_order.id)
        .order_by(OrderRefund.id.desc()).limit(1)
    )
    if refund is None:
        return []
    by_shopper = actor_user_id is not None and actor_user_id == order.user_id
    mails = [order_cancelled(order, vendor_order, refund, by_shopper=by_shopper,
                             site_url=site_url)]
    vendor = await session.get(Vendor, vendor_order.vendor_id)
    members = {m.user_id for m in vendor.members} if vendor is not None else set()
    if actor_user_id not in members:
        addresses = await _vendor_addresses(session, [vendor_order.vendor_id])
        mails += [vendor_order_cancelled(order, vendor_order, refund, address, site_url=site_url)
                  for address in addresses.get(vendor_order.vendor_id, [])]
    return mails


async def order_refunded_mails(
    session: AsyncSession, refund_id: int, *, site_url: str = ""
) -> list[Mail]:
    refund = await session.get(OrderRefund, refund_id)
    if refund is None:
        return []
    found = await _vendor_order_and_order(session, refund.vendor_order_id)
    if found is None:
        return []
    vendor_order, order = found
    return [order_refunded(order, vendor_order, refund, site_url=site_url)]


async def mails_for_event(
    session: AsyncSession, name: str, payload: Mapping[str, Any], *, site_url: str = ""
) -> list[Mail]:
    """Every mail an order event calls for (none for events that send no mail)."""
    if name == OrderPlaced.name:
        return await order_placed_mails(session, int(payload["id"]), site_url=site_url)
    if name == VendorOrderShipped.name:
        return await order_shipped_mails(
            session,
            int(payload["id"]),
            carrier=payload.get("carrier"),
            tracking_number=payload.get("tracking_number"),
            site_url=site_url,
        )
    if name == VendorOrderCancelled.name:
        return await order_cancelled_mails(
            session, int(payload["id"]), payload.get("actor_user_id"), site_url=site_url
        )
    if name == VendorOrderRefunded.name and not payload.get("cancels"):
        return await order_refunded_mails(session, int(payload["refund_id"]), site_url=site_url)
    return []
