"""The demo snack box: '햇음 다과꾸러미' in 10, 20 and 50 person sizes, made of the demo
vendors' products, with weekday delivery slots for the next four weeks, public holidays
skipped (idempotent).

Run after the shop's demo loader (``jangteo demo``): it needs the demo products.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import outbox
from shop.catalog.models import Product, ProductVariant
from shop.snackboxes import delivery_days, rules
from shop.snackboxes.events import SnackBoxComposed, SnackBoxSlotSaved
from shop.snackboxes.models import SnackBox, SnackBoxComponent, SnackBoxSize, SnackBoxSlot

NAME = "햇음 다과꾸러미"
DESCRIPTION = (
    "회의·행사·손님맞이 다과를 서울 사회적경제 기업의 상품으로만 꾸렸습니다. 마을기업 "
    "어르신들의 조청약과, 발달장애인 제빵사들의 우리밀 단팥빵, 자립준비청년들의 과일컵, "
    "도시농업 교사들의 허브차를 담아 원하는 날 배달합니다."
)
#: (product name, option label) → units per box, for 10, 20 and 50 people.
COMPONENTS: dict[tuple[str, str], tuple[int, int, int]] = {
    ("수제조청약과", "10개입"): (1, 2, 5),
    ("우리밀단팥빵", "5개입"): (2, 4, 10),
    ("과일컵디저트", "6컵"): (2, 4, 9),
    ("말린허브차 3종", "3종"): (0, 1, 2),
}
#: (head count, set price). A bigger box never costs more per person (6,500 / 6,400 / 6,200원);
#: list values are 73,000 / 164,000 / 380,000원, the 20인 box adds a herb tea.
SIZES = ((10, 65_000), (20, 128_000), (50, 310_000))
SLOT_WEEKS = 4
SLOT_CAPACITY = 10
SLOT_WINDOW = "오전 10~12시"
LEAD_DAYS = 3


async def _variants(session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(Product.name, ProductVariant.option_label, ProductVariant.id)
        .join(ProductVariant, ProductVariant.product_id == Product.id)
        .where(Product.name.in_({name for name, _ in COMPONENTS}))
    )
    return {(name, option): int(vid) for name, option, vid in rows.all()}


async def load(session: AsyncSession, *, today: dt.date | None = None) -> str:
    if await session.scalar(select(SnackBox.id).where(SnackBox.name == NAME)):
        return "다과꾸러미 데모가 이미 있어 건너뜁니다."
    variants = await _variants(session)
    missing = [f"{n} ({o})" for n, o in COMPONENTS if (n, o) not in variants]
    if missing:
        return f"다과꾸러미 데모를 건너뜁니다: 데모 상품이 없습니다 ({', '.join(missing)})."
    box = SnackBox(
        name=NAME, description=DESCRIPTION, lead_days=LEAD_DAYS, is_active=True,
        sizes=[
            SnackBoxSize(headcount=headcount, price=price, is_active=True, components=[
                SnackBoxComponent(variant_id=variants[key], quantity=units[i], position=p)
                for p, (key, units) in enumerate(COMPONENTS.items()) if units[i]
            ])
            for i, (headcount, price) in enumerate(SIZES)
        ],
    )
    session.add(box)
    await session.flush()
    outbox.record(session, SnackBoxComposed(
        id=box.id, created=True, is_active=True,
        sizes=tuple({"size_id": s.id, "headcount": s.headcount, "price": s.price}
                    for s in box.sizes),
    ))
    first = rules.earliest_delivery(today or rules.local_today(), LEAD_DAYS)
    days = [first + dt.timedelta(days=n) for n in range(SLOT_WEEKS * 7)]
    slots = [
        SnackBoxSlot(box_id=box.id, delivery_date=day, window_label=SLOT_WINDOW,
                     capacity=SLOT_CAPACITY, is_active=True)
        for day in delivery_days.delivery_days(days) if day.weekday() < 5
    ]
    session.add_all(slots)
    await session.flush()
    for slot in slots:
        outbox.record(session, SnackBoxSlotSaved(
            id=box.id, slot_id=slot.id, delivery_date=slot.delivery_date.isoformat(),
            window_label=slot.window_label, capacity=slot.capacity, is_active=True,
            created=True,
        ))
    await session.commit()
    return (
        f"다과꾸러미 데모를 불러왔습니다: {NAME} ({', '.join(f'{h}인' for h, _ in SIZES)}), "
        f"배송일 {len(slots)}일"
    )
