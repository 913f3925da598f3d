"""Snack-box use cases: organizers compose boxes and open delivery slots; anyone reads the
active boxes with their components, vendors and the slots still open.

Each writing use case is one transaction with its outbox event (decision 9); bad input raises
before anything is written. Only organizers (``Role.ORGANIZER``, admins always) compose.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import require_organizer
from infra.clock import utcnow
from infra.db import end_read, transaction
from infra.errors import Conflict, Forbidden, NotFound
from infra.outbox import record
from infra.settings import Settings
from shop.catalog import images
from shop.catalog import rules as catalog_rules
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.catalog.services import public_dir
from shop.checkout import availability
from shop.snackboxes import delivery_days, ordering, rules
from shop.snackboxes.errors import FieldError, invalid
from shop.snackboxes.errors import SnackBoxErrorCode as Code
from shop.snackboxes.events import SnackBoxComposed, SnackBoxSlotSaved
from shop.snackboxes.models import (
    SnackBox,
    SnackBoxBooking,
    SnackBoxComponent,
    SnackBoxSize,
    SnackBoxSlot,
)
from shop.vendors.models import Vendor, VendorStatus

ELIGIBLE_LIMIT = 500
#: What the buyer reads when no enterprise assembles the box.
ORGANIZER_ASSEMBLES = "장터 운영자"


def is_organizer(user: User | None) -> bool:
    return user is not None and user.is_active and user.has_role(Role.ORGANIZER)


# -- reading ------------------------------------------------------------------------------


async def get_box(
    session: AsyncSession, box_id: int, *, viewer: User | None = None
) -> SnackBox:
    """The box with its sizes (inactive boxes only for organizers)."""
    box = await session.get(SnackBox, box_id, populate_existing=True)
    if box is None or (not box.is_active and not is_organizer(viewer)):
        raise NotFound(Code.BOX_NOT_FOUND, "다과꾸러미를 찾을 수 없습니다.", field="box_id")
    return box


async def owned_box(session: AsyncSession, box_id: int, organizer: User) -> SnackBox:
    """The box, for the organizer who created it (its owner) or an admin to change.

    Like a market's owner (``markets.access``), a box's creator runs it: another organizer
    may read it but not change its composition, picture or delivery slots.
    """
    box = await get_box(session, box_id, viewer=organizer)
    if not organizer.is_admin and box.created_by_user_id != organizer.id:
        raise Forbidden(Code.NOT_BOX_OWNER, "이 다과꾸러미를 만든 운영자만 바꿀 수 있습니다.",
                        field="box_id")
    return box


async def list_boxes(session: AsyncSession, *, include_inactive: bool = False) -> list[SnackBox]:
    stmt = select(SnackBox).order_by(SnackBox.id)
    if not include_inactive:
        stmt = stmt.where(SnackBox.is_active.is_(True))
    return list((await session.scalars(stmt.execution_options(populate_existing=True))).all())


@dataclasses.dataclass(frozen=True)
class ComponentView:
    """A component as people read it: the product, its vendor and its list price."""

    variant_id: int
    quantity: int
    product_id: int
    product_name: str
    option_label: str
    vendor_id: int
    vendor_name: str
    list_price: int
    on_sale: bool

    @property
    def list_total(self) -> int:
        return self.list_price * self.quantity


@dataclasses.dataclass(frozen=True)
class SizeView:
    size: SnackBoxSize
    components: tuple[ComponentView, ...]

    @property
    def list_value(self) -> int:
        """What the components cost bought loose (for "정가 대비")."""
        return sum(c.list_total for c in self.components)

    @property
    def orderable(self) -> bool:
        return self.size.is_active and all(c.on_sale for c in self.components)


async def size_views(
    session: AsyncSession, box: SnackBox, *, include_inactive: bool = False
) -> list[SizeView]:
    sizes = [s for s in box.sizes if include_inactive or s.is_active]
    ids = sorted({c.variant_id for s in sizes for c in s.components})
    rows = (
        await session.execute(
            select(ProductVariant, Product, Vendor)
            .join(Product, Product.id == ProductVariant.product_id)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(ProductVariant.id.in_(ids))
        )
    ).all() if ids else []
    found = {variant.id: (variant, product, vendor) for variant, product, vendor in rows}
    facts = await availability.sale_facts(session, ids)
    views = []
    for size in sizes:
        components = []
        for component in size.components:
            variant, product, vendor = found[component.variant_id]
            components.append(ComponentView(
                variant_id=variant.id, quantity=component.quantity, product_id=product.id,
                product_name=product.name, option_label=variant.option_label,
                vendor_id=vendor.id, vendor_name=vendor.name, list_price=variant.price,
                on_sale=facts[variant.id].on_sale,
            ))
        views.append(SizeView(size, tuple(components)))
    return views


@dataclasses.dataclass(frozen=True)
class SlotView:
    slot: SnackBoxSlot
    held: int
    #: Why it cannot be ordered today (closed, too soon, full), or None.
    problem: str | None

    @property
    def available(self) -> int:
        return max(0, self.slot.capacity - self.held)

    @property
    def orderable(self) -> bool:
        return self.problem is None

    @property
    def label(self) -> str:
        return rules.slot_label(self.slot.delivery_date, self.slot.window_label)


async def slot_views(
    session: AsyncSession,
    box: SnackBox,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    include_closed: bool = False,
) -> list[SlotView]:
    """Slots from today on (organizers also see closed ones), with the boxes they hold."""
    moment = now or utcnow()
    today = today or rules.local_today(moment)
    stmt = (
        select(SnackBoxSlot)
        .where(SnackBoxSlot.box_id == box.id, SnackBoxSlot.delivery_date >= today)
        .order_by(SnackBoxSlot.delivery_date, SnackBoxSlot.window_label)
    )
    if not include_closed:
        stmt = stmt.where(SnackBoxSlot.is_active.is_(True))
    slots = list((await session.scalars(stmt.execution_options(populate_existing=True))).all())
    held = await ordering.held_boxes(session, [s.id for s in slots], moment)
    closed = delivery_days.parse_closed_days(box.closed_days)
    views = []
    for slot in slots:
        problem = rules.slot_problem(
            day=slot.delivery_date, active=slot.is_active, today=today, lead_days=box.lead_days,
            closed=closed,
        )
        message = problem[1] if problem else None
        if message is None and held[slot.id] >= slot.capacity:
            message = "마감되었습니다."
        views.append(SlotView(slot, held[slot.id], message))
    return views


@dataclasses.dataclass(frozen=True)
class EligibleVariant:
    variant_id: int
    product_id: int
    product_name: str
    option_label: str
    vendor_name: str
    price: int
    category: str

    @property
    def label(self) -> str:
        return f"{self.vendor_name} · {self.product_name} ({self.option_label}) {self.price:,}원"


async def eligible_variants(
    session: AsyncSession, user: User | None, *, q: str = "", limit: int = ELIGIBLE_LIMIT
) -> list[EligibleVariant]:
    """Variants a box may be composed of: active, published, of an approved vendor."""
    require_organizer(user)
    stmt = (
        select(ProductVariant, Product, Vendor)
        .join(Product, Product.id == ProductVariant.product_id)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(
            ProductVariant.is_active.is_(True),
            Product.status == ProductStatus.PUBLISHED,
            Vendor.status == VendorStatus.APPROVED,
        )
        .order_by(Product.category, Vendor.name, Product.name, ProductVariant.id)
        .limit(max(1, min(limit, ELIGIBLE_LIMIT)))
    )
    words = (q or "").split()
    for word in words[:5]:
        pattern = f"%{word}%"
        stmt = stmt.where(or_(Product.name.ilike(pattern), Vendor.name.ilike(pattern)))
    rows = (await session.execute(stmt)).all()
    return [
        EligibleVariant(
            variant_id=variant.id, product_id=product.id, product_name=product.name,
            option_label=variant.option_label, vendor_name=vendor.name, price=variant.price,
            category=product.category.label,
        )
        for variant, product, vendor in rows
    ]


# -- composing ----------------------------------------------------------------------------


async def _check_components(session: AsyncSession, clean: rules.CleanBox) -> None:
    """Every component is a variant on sale (active, published, approved vendor), and the
    assembling enterprise, if any, is an approved vendor."""
    fields = clean.component_fields()
    facts = await availability.sale_facts(session, [v for _, v in fields])
    errors = []
    if clean.assembler_vendor_id is not None:
        assembler = await session.get(Vendor, clean.assembler_vendor_id)
        if assembler is None or assembler.status is not VendorStatus.APPROVED:
            errors.append(FieldError(
                "assembler_vendor_id", Code.INVALID_ASSEMBLER,
                "조립·배송은 승인된 입점기업이나 운영자만 맡을 수 있습니다.",
            ))
    for field, variant_id in fields:
        fact = facts.get(variant_id)
        if fact is None:
            errors.append(FieldError(field, Code.VARIANT_NOT_ELIGIBLE, "없는 상품 옵션입니다."))
        elif not fact.on_sale:
            errors.append(FieldError(
                field, Code.VARIANT_NOT_ELIGIBLE,
                f"{fact.label}: 승인된 입점기업의 판매 중인 상품만 넣을 수 있습니다.",
            ))
    if errors:
        raise invalid(errors)


def _sizes_payload(box: SnackBox) -> tuple[dict[str, int], ...]:
    return tuple(
        {"size_id": s.id, "headcount": s.headcount, "price": s.price}
        for s in box.sizes if s.is_active
    )


def _components(clean: rules.CleanSize) -> list[SnackBoxComponent]:
    return [
        SnackBoxComponent(variant_id=c.variant_id, quantity=c.quantity, position=i)
        for i, c in enumerate(clean.components)
    ]


async def create_box(session: AsyncSession, user: User | None, draft: rules.BoxDraft) -> SnackBox:
    """A new box with its sizes and components (inactive unless ``draft.is_active``)."""
    organizer = require_organizer(user)
    clean = rules.clean_box(draft)
    await _check_components(session, clean)
    async with transaction(session):
        box = SnackBox(
            name=clean.name, description=clean.description, lead_days=clean.lead_days,
            is_active=clean.is_active, created_by_user_id=organizer.id,
            assembler_vendor_id=clean.assembler_vendor_id, closed_days=clean.closed_days,
            sizes=[
                SnackBoxSize(headcount=s.headcount, price=s.price, is_active=True,
                             components=_components(s))
                for s in clean.sizes
            ],
        )
        session.add(box)
        await session.flush()
        record(session, SnackBoxComposed(
            id=box.id, actor_user_id=organizer.id, created=True, is_active=box.is_active,
            sizes=_sizes_payload(box),
        ))
    return await get_box(session, box.id, viewer=organizer)


async def _booked(session: AsyncSession, size_id: int) -> bool:
    return bool(await session.scalar(
        select(exists().where(SnackBoxBooking.size_id == size_id))
    ))


def _recompose(size: SnackBoxSize, clean: rules.CleanSize) -> None:
    """Update the size's components in place, by variant (the unique key)."""
    size.price = clean.price
    size.is_active = True
    wanted = {c.variant_id: (i, c) for i, c in enumerate(clean.components)}
    for component in list(size.components):
        if component.variant_id not in wanted:
            size.components.remove(component)
    have = {c.variant_id: c for c in size.components}
    for variant_id, (position, clean_component) in wanted.items():
        if variant_id in have:
            have[variant_id].quantity = clean_component.quantity
            have[variant_id].position = position
        else:
            size.components.append(SnackBoxComponent(
                variant_id=variant_id, quantity=clean_component.quantity, position=position
            ))


async def compose_box(
    session: AsyncSession, user: User | None, box_id: int, draft: rules.BoxDraft
) -> SnackBox:
    """Replace the box's composition. Sizes are matched by head count; a size left out is
    deleted, or only deactivated when it was ever ordered (orders name it). What was already
    ordered keeps its own snapshot and prices."""
    organizer = require_organizer(user)
    clean = rules.clean_box(draft)
    await _check_components(session, clean)
    async with transaction(session):
        box = await owned_box(session, box_id, organizer)
        box.name, box.description = clean.name, clean.description
        box.lead_days, box.is_active = clean.lead_days, clean.is_active
        box.assembler_vendor_id, box.closed_days = clean.assembler_vendor_id, clean.closed_days
        existing = {s.headcount: s for s in box.sizes}
        for clean_size in clean.sizes:
            size = existing.pop(clean_size.headcount, None)
            if size is None:
                box.sizes.append(SnackBoxSize(
                    headcount=clean_size.headcount, price=clean_size.price, is_active=True,
                    components=_components(clean_size),
                ))
            else:
                _recompose(size, clean_size)
        for size in existing.values():
            if await _booked(session, size.id):
                size.is_active = False
            else:
                box.sizes.remove(size)
        await session.flush()
        record(session, SnackBoxComposed(
            id=box.id, actor_user_id=organizer.id, created=False, is_active=box.is_active,
            sizes=_sizes_payload(box),
        ))
    return await get_box(session, box_id, viewer=organizer)


async def set_image(
    session: AsyncSession, settings: Settings, user: User | None, box_id: int, data: bytes
) -> SnackBox:
    """Re-encode an upload (``shop.catalog.images``) as the box's picture
    (``public/snack-boxes/<id>/<sha256 of the upload>.webp`` and its card)."""
    organizer = require_organizer(user)
    clean = await asyncio.to_thread(
        catalog_rules.validate_image, data, max_bytes=settings.max_upload_bytes, existing=0
    )
    box = await owned_box(session, box_id, organizer)
    stem = f"snack-boxes/{box.id}/{hashlib.sha256(data).hexdigest()}"
    relative = await asyncio.to_thread(images.store, public_dir(settings), stem, clean.renditions)
    async with transaction(session):
        box.image_path = relative
        record(session, SnackBoxComposed(
            id=box.id, actor_user_id=organizer.id, created=False, is_active=box.is_active,
            sizes=_sizes_payload(box),
        ))
    return box


async def reencode_stored_images(session: AsyncSession, settings: Settings) -> tuple[int, int]:
    """Box pictures stored as uploaded, before the pipeline (decision 58): re-encoded, or
    dropped from the box when they do not decode. Returns (re-encoded, removed)."""
    public = public_dir(settings)
    boxes = (await session.scalars(select(SnackBox).where(
        SnackBox.image_path.is_not(None),
        ~SnackBox.image_path.endswith(f".{images.EXTENSION}"),
    ).order_by(SnackBox.id))).all()
    await end_read(session)
    done = removed = 0
    for box in boxes:
        old = box.image_path or ""
        stored = await asyncio.to_thread(images.reencode_file, public, old)
        async with transaction(session):
            box.image_path = stored
            done, removed = (done + 1, removed) if stored else (done, removed + 1)
        await asyncio.to_thread(images.remove, public, old)
    return done, removed


# -- slots --------------------------------------------------------------------------------


def _slot_event(slot: SnackBoxSlot, actor: int, *, created: bool) -> SnackBoxSlotSaved:
    return SnackBoxSlotSaved(
        id=slot.box_id, actor_user_id=actor, slot_id=slot.id,
        delivery_date=slot.delivery_date.isoformat(), window_label=slot.window_label,
        capacity=slot.capacity, is_active=slot.is_active, created=created,
    )


def _duplicate_slot() -> Conflict:
    return Conflict(
        Code.DUPLICATE_SLOT, "같은 날짜와 시간대의 배송일이 이미 있습니다.", field="delivery_date"
    )


async def add_slot(
    session: AsyncSession,
    user: User | None,
    box_id: int,
    draft: rules.SlotDraft,
    *,
    today: dt.date | None = None,
) -> SnackBoxSlot:
    """Open a delivery date (and window) for ``capacity`` boxes."""
    organizer = require_organizer(user)
    box = await owned_box(session, box_id, organizer)
    clean = rules.clean_slot(draft, today or rules.local_today(),
                             delivery_days.parse_closed_days(box.closed_days))
    taken = await session.scalar(
        select(func.count(SnackBoxSlot.id)).where(
            SnackBoxSlot.box_id == box.id,
            SnackBoxSlot.delivery_date == clean.delivery_date,
            SnackBoxSlot.window_label == clean.window_label,
        )
    )
    if taken:
        raise _duplicate_slot()
    try:
        async with transaction(session):
            slot = SnackBoxSlot(
                box_id=box.id, delivery_date=clean.delivery_date,
                window_label=clean.window_label, capacity=clean.capacity, is_active=True,
            )
            session.add(slot)
            await session.flush()
            record(session, _slot_event(slot, organizer.id, created=True))
    except IntegrityError as exc:  # the same slot opened a moment ago
        raise _duplicate_slot() from exc
    return slot


async def change_slot(
    session: AsyncSession,
    user: User | None,
    box_id: int,
    slot_id: int,
    *,
    capacity: object = None,
    is_active: bool | None = None,
) -> SnackBoxSlot:
    """Change a slot's capacity (never below the boxes it holds) or close / reopen it.

    Runs under the slot's row lock, like every booking, so a capacity cut and a checkout
    cannot both win.
    """
    organizer = require_organizer(user)
    new_capacity = None
    if capacity is not None:
        new_capacity, error = rules.check_capacity(capacity)
        if error:
            raise invalid([error])
    async with transaction(session):
        await owned_box(session, box_id, organizer)
        slot = (await ordering.lock_slots(session, [slot_id])).get(slot_id)
        if slot is None or slot.box_id != box_id:
            raise NotFound(Code.SLOT_NOT_FOUND, "배송일을 찾을 수 없습니다.", field="slot_id")
        if new_capacity is not None:
            held = (await ordering.held_boxes(session, [slot.id], utcnow()))[slot.id]
            if new_capacity < held:
                raise Conflict(
                    Code.CAPACITY_BELOW_BOOKED,
                    f"이미 {held}상자가 주문(또는 결제 대기)되어 {held}상자보다 줄일 수 없습니다.",
                    field="capacity", extra={"held": held},
                )
            slot.capacity = new_capacity
        if is_active is not None:
            slot.is_active = is_active
        record(session, _slot_event(slot, organizer.id, created=False))
    return slot


async def slots_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, SnackBoxSlot]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(SnackBoxSlot).where(SnackBoxSlot.id.in_(wanted)))
    return {slot.id: slot for slot in rows.all()}


async def assembler_name(session: AsyncSession, box: SnackBox) -> str:
    """Who assembles and delivers the box, as the buyer reads it."""
    if box.assembler_vendor_id is not None:
        vendor = await session.get(Vendor, box.assembler_vendor_id)
        if vendor is not None:
            return vendor.name
    return ORGANIZER_ASSEMBLES


async def approved_vendors(session: AsyncSession) -> list[Vendor]:
    """Vendors that may assemble a box (the console's choices)."""
    rows = await session.scalars(
        select(Vendor).where(Vendor.status == VendorStatus.APPROVED).order_by(Vendor.name)
    )
    return list(rows.all())


async def sizes_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, SnackBoxSize]:
    if not ids:
        return {}
    rows = await session.scalars(select(SnackBoxSize).where(SnackBoxSize.id.in_(ids)))
    return {size.id: size for size in rows.all()}
