"""The snack-box rules, in pure code: what a valid composition and a valid slot are, when a
slot may be ordered, how a set price is split across the components, and the labels people
read.

Nothing here touches the database or the web. Every error names the field the way the client
sent it (``sizes[0].components[1].quantity``), and all errors of a draft come at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence

from infra.clock import seoul_date, utcnow
from infra.errors import InvalidInput
from infra.text import unsafe_characters
from shop.catalog.rules import whole_number
from shop.checkout.demand import MAX_QUANTITY
from shop.snackboxes import delivery_days
from shop.snackboxes.errors import FieldError, invalid
from shop.snackboxes.errors import SnackBoxErrorCode as Code

NAME_MIN, NAME_MAX = 2, 100
DESCRIPTION_MAX = 5_000
LEAD_DAYS_MAX = 60
MAX_SIZES = 6
HEADCOUNT_MAX = 1_000
PRICE_MAX = 100_000_000  # 1억 원
MAX_COMPONENTS = 20
#: Units of one variant in one box; a checkout line holds at most MAX_QUANTITY units.
COMPONENT_QUANTITY_MAX = MAX_QUANTITY
WINDOW_MAX = 40
CAPACITY_MAX = 10_000
#: How far ahead an organizer may open slots.
SLOT_DAYS_AHEAD_MAX = 366
#: Snack-box lines in one checkout, and boxes in one line (a bigger order is a quote request).
MAX_BOX_LINES = 10
MAX_BOXES_PER_LINE = 100

WEEKDAYS = "월화수목금토일"


# -- composition --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ComponentDraft:
    """A component as typed: ids and numbers may still be raw text (a form) or ints (JSON)."""

    variant_id: int | str
    quantity: int | str


@dataclasses.dataclass(frozen=True)
class SizeDraft:
    headcount: int | str
    price: int | str
    components: Sequence[ComponentDraft]


@dataclasses.dataclass(frozen=True)
class BoxDraft:
    name: str
    sizes: Sequence[SizeDraft]
    description: str = ""
    lead_days: int | str = 3
    is_active: bool = False
    #: An approved vendor that assembles and delivers the boxes; None: the organizer does.
    assembler_vendor_id: int | str | None = None
    #: The organizer's closed days as typed (YYYY-MM-DD, one per line).
    closed_days: str = ""


@dataclasses.dataclass(frozen=True)
class CleanComponent:
    variant_id: int
    quantity: int


@dataclasses.dataclass(frozen=True)
class CleanSize:
    headcount: int
    price: int
    components: tuple[CleanComponent, ...]


@dataclasses.dataclass(frozen=True)
class CleanBox:
    name: str
    description: str
    lead_days: int
    is_active: bool
    sizes: tuple[CleanSize, ...]
    assembler_vendor_id: int | None = None
    closed_days: str = ""

    def component_fields(self) -> list[tuple[str, int]]:
        """``(field, variant_id)`` of every component, for the eligibility check."""
        return [
            (f"sizes[{i}].components[{j}].variant_id", c.variant_id)
            for i, size in enumerate(self.sizes)
            for j, c in enumerate(size.components)
        ]


def _bounded(
    value: object, field: str, code: Code, low: int, high: int, what: str, unit: str
) -> tuple[int | None, FieldError | None]:
    number = whole_number(value)
    if number is None:
        return None, FieldError(field, code, f"{what}은(는) 정수로 입력해 주세요.")
    if number < low or number > high:
        return None, FieldError(
            field, code, f"{what}은(는) {low:,}{unit}에서 {high:,}{unit} 사이여야 합니다."
        )
    return number, None


def _component(
    draft: ComponentDraft, field: str, errors: list[FieldError]
) -> CleanComponent | None:
    variant_id = whole_number(draft.variant_id)
    if variant_id is None or variant_id < 1:
        errors.append(FieldError(
            f"{field}.variant_id", Code.INVALID_VARIANT, "구성 상품을 골라 주세요."
        ))
    quantity, error = _bounded(
        draft.quantity, f"{field}.quantity", Code.INVALID_QUANTITY, 1, COMPONENT_QUANTITY_MAX,
        "수량", "개",
    )
    if error:
        errors.append(error)
    if variant_id is None or variant_id < 1 or quantity is None:
        return None
    return CleanComponent(variant_id, quantity)


def _size(draft: SizeDraft, field: str, errors: list[FieldError]) -> CleanSize | None:
    before = len(errors)
    headcount, error = _bounded(
        draft.headcount, f"{field}.headcount", Code.INVALID_HEADCOUNT, 1, HEADCOUNT_MAX,
        "인원", "명",
    )
    if error:
        errors.append(error)
    price, error = _bounded(
        draft.price, f"{field}.price", Code.INVALID_PRICE, 1, PRICE_MAX, "가격", "원"
    )
    if error:
        errors.append(error)
    components: list[CleanComponent] = []
    if not draft.components:
        errors.append(FieldError(
            f"{field}.components", Code.NO_COMPONENTS, "구성 상품을 하나 이상 넣어 주세요."
        ))
    elif len(draft.components) > MAX_COMPONENTS:
        errors.append(FieldError(
            f"{field}.components", Code.TOO_MANY_COMPONENTS,
            f"구성 상품은 {MAX_COMPONENTS}가지까지 넣을 수 있습니다.",
        ))
    else:
        seen: set[int] = set()
        for j, component in enumerate(draft.components):
            clean = _component(component, f"{field}.components[{j}]", errors)
            if clean is None:
                continue
            if clean.variant_id in seen:
                errors.append(FieldError(
                    f"{field}.components[{j}].variant_id", Code.DUPLICATE_VARIANT,
                    "같은 상품을 두 번 넣었습니다. 수량을 늘려 주세요.",
                ))
                continue
            seen.add(clean.variant_id)
            components.append(clean)
    if len(errors) > before or headcount is None or price is None:
        return None
    return CleanSize(headcount, price, tuple(components))


def clean_box(draft: BoxDraft) -> CleanBox:
    """A composition checked field by field; raises a 400 naming every wrong field."""
    errors: list[FieldError] = []
    name = (draft.name or "").strip()
    if not NAME_MIN <= len(name) <= NAME_MAX:
        errors.append(FieldError(
            "name", Code.INVALID_NAME, f"이름은 {NAME_MIN}~{NAME_MAX}자로 적어 주세요."
        ))
    elif (unsafe := unsafe_characters(name)) is not None:
        errors.append(FieldError("name", Code.INVALID_NAME, unsafe))
    description = (draft.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors.append(FieldError(
            "description", Code.INVALID_DESCRIPTION,
            f"설명은 {DESCRIPTION_MAX:,}자 이내로 적어 주세요.",
        ))
    lead_days, error = _bounded(
        draft.lead_days, "lead_days", Code.INVALID_LEAD_DAYS, 0, LEAD_DAYS_MAX, "준비 기간", "일"
    )
    if error:
        errors.append(error)
    sizes: list[CleanSize] = []
    if not draft.sizes:
        errors.append(FieldError(
            "sizes", Code.NO_SIZES, "구성(인원별 크기)을 하나 이상 넣어 주세요."
        ))
    elif len(draft.sizes) > MAX_SIZES:
        errors.append(FieldError(
            "sizes", Code.TOO_MANY_SIZES, f"크기는 {MAX_SIZES}가지까지 만들 수 있습니다."
        ))
    else:
        headcounts: set[int] = set()
        for i, size_draft in enumerate(draft.sizes):
            size = _size(size_draft, f"sizes[{i}]", errors)
            if size is None:
                continue
            if size.headcount in headcounts:
                errors.append(FieldError(
                    f"sizes[{i}].headcount", Code.DUPLICATE_HEADCOUNT,
                    f"{size.headcount}인 크기가 이미 있습니다.",
                ))
                continue
            headcounts.add(size.headcount)
            sizes.append(size)
    assembler: int | None = None
    if draft.assembler_vendor_id not in (None, ""):
        assembler = whole_number(draft.assembler_vendor_id)
        if assembler is None or assembler < 1:
            errors.append(FieldError(
                "assembler_vendor_id", Code.INVALID_ASSEMBLER,
                "조립·배송을 맡을 입점기업을 고르거나 '운영자'를 골라 주세요.",
            ))
    closed_days, error = delivery_days.clean_closed_days(draft.closed_days)
    if error:
        errors.append(error)
    if errors:
        raise invalid(errors)
    assert lead_days is not None
    return CleanBox(name, description, lead_days, bool(draft.is_active), tuple(sizes),
                    assembler, closed_days)


# -- slots --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SlotDraft:
    delivery_date: dt.date | str
    capacity: int | str
    window_label: str = ""


@dataclasses.dataclass(frozen=True)
class CleanSlot:
    delivery_date: dt.date
    capacity: int
    window_label: str


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Seoul (the boxes are delivered there)."""
    return seoul_date(now or utcnow())


def earliest_delivery(today: dt.date, lead_days: int) -> dt.date:
    """The first date a box ordered today can be delivered."""
    return today + dt.timedelta(days=lead_days)


def check_capacity(value: object, field: str = "capacity") -> tuple[int | None, FieldError | None]:
    return _bounded(value, field, Code.INVALID_CAPACITY, 0, CAPACITY_MAX, "수량(상자)", "")


def parse_date(value: dt.date | str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def clean_slot(
    draft: SlotDraft, today: dt.date, closed: Collection[dt.date] = ()
) -> CleanSlot:
    """A slot from today to a year ahead, never on a Korean public holiday or one of the
    organizer's ``closed`` days, with a capacity; raises a 400 naming every field."""
    errors: list[FieldError] = []
    day = parse_date(draft.delivery_date)
    if day is None:
        errors.append(FieldError(
            "delivery_date", Code.INVALID_DATE, "배송일을 YYYY-MM-DD로 적어 주세요."
        ))
    elif day < today:
        errors.append(FieldError(
            "delivery_date", Code.INVALID_DATE, "지난 날짜에는 배송할 수 없습니다."
        ))
    elif day > today + dt.timedelta(days=SLOT_DAYS_AHEAD_MAX):
        errors.append(FieldError(
            "delivery_date", Code.INVALID_DATE, "배송일은 1년 안쪽으로만 열 수 있습니다."
        ))
    elif reason := delivery_days.no_delivery_reason(day, closed):
        errors.append(FieldError(
            "delivery_date", Code.INVALID_DATE, f"{date_label(day)}은 {reason}"
        ))
    window = " ".join((draft.window_label or "").split())
    if len(window) > WINDOW_MAX:
        errors.append(FieldError(
            "window_label", Code.INVALID_WINDOW, f"시간대는 {WINDOW_MAX}자 이내로 적어 주세요."
        ))
    capacity, error = check_capacity(draft.capacity)
    if error:
        errors.append(error)
    if errors:
        raise invalid(errors)
    assert day is not None and capacity is not None
    return CleanSlot(day, capacity, window)


def date_label(day: dt.date) -> str:
    """``6월 12일(목)``."""
    return f"{day.month}월 {day.day}일({WEEKDAYS[day.weekday()]})"


def slot_label(day: dt.date, window: str = "") -> str:
    """``6월 12일(목) 오전 10~12시``."""
    return f"{date_label(day)} {window}".strip()


def bundle_label(box_name: str, headcount: int, boxes: int) -> str:
    """How a component line names its box: ``햇음 다과꾸러미 20인 ×2 구성품``."""
    return f"{box_name} {headcount}인 ×{boxes} 구성품"


def booking_label(box_name: str, headcount: int, boxes: int, day: dt.date, window: str) -> str:
    """The bundle label with the delivery slot, what vendors and the shopper read (≤ 200)."""
    return f"{bundle_label(box_name, headcount, boxes)} · {slot_label(day, window)} 배송"[:200]


# -- ordering -----------------------------------------------------------------------------


def max_boxes(units_per_box: Sequence[int]) -> int:
    """How many boxes one line may order: the line cap, and no component over MAX_QUANTITY."""
    largest = max(units_per_box, default=1)
    return max(0, min(MAX_BOXES_PER_LINE, MAX_QUANTITY // largest))


def clean_boxes(value: object, field: str, limit: int) -> int:
    """A whole number of boxes from 1 to ``limit``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(Code.INVALID_QUANTITY, "상자 수는 정수로 입력해 주세요.", field=field)
    if value < 1:
        raise InvalidInput(Code.INVALID_QUANTITY, "1상자 이상 주문해 주세요.", field=field)
    if value > limit:
        raise InvalidInput(
            Code.INVALID_QUANTITY,
            f"이 크기는 한 번에 {limit}상자까지 주문할 수 있습니다. "
            "더 많이 필요하면 견적을 요청해 주세요.",
            field=field,
        )
    return value


def slot_problem(
    *, day: dt.date, active: bool, today: dt.date, lead_days: int,
    closed: Collection[dt.date] = (),
) -> tuple[Code, str] | None:
    """Why a slot cannot be ordered today (None when it can, capacity aside): closed, on a
    holiday or a closed day (one added after the slot was opened), or before the lead time."""
    if not active:
        return Code.SLOT_CLOSED, "이 배송일은 주문을 받지 않습니다."
    if reason := delivery_days.no_delivery_reason(day, closed):
        return Code.SLOT_CLOSED, f"{date_label(day)}은 {reason}"
    first = earliest_delivery(today, lead_days)
    if day < first:
        return Code.SLOT_TOO_SOON, (
            f"준비에 {lead_days}일이 걸려 {date_label(first)} 이후 배송일만 고를 수 있습니다."
        )
    return None


# -- splitting the set price --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ComponentPrice:
    """One component of one box: units per box and the variant's list price per unit."""

    variant_id: int
    units: int
    list_price: int


@dataclasses.dataclass(frozen=True)
class PricedPart:
    """Units of a variant sold inside the boxes at ``unit_price`` each (whole won)."""

    variant_id: int
    quantity: int
    unit_price: int

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity


def split_price(
    set_price: int, boxes: int, components: Sequence[ComponentPrice]
) -> list[PricedPart]:
    """Split ``set_price × boxes`` across the components, in whole won, summing exactly.

    Each unit gets ``⌊set_price × list_price / Σ list_price × units⌋`` won: shares
    proportional to list value, rounded down. What is left of the set price (less than one
    won per unit in the box) goes to the largest component by list value (the first of
    equals). Every line keeps ``unit_price × quantity = its total`` (refunds count per
    unit), so when the remainder does not divide by that component's units it is written as
    two parts of the same variant, ``⌊share⌋`` and ``⌊share⌋ + 1`` won a unit.
    """
    if set_price < 0 or boxes < 1 or not components:
        raise ValueError("a set price, at least one box and one component are needed")
    list_value = sum(c.list_price * c.units for c in components)
    if list_value <= 0:
        # Nothing to be proportional to: equal shares per unit.
        weights = [1 for _ in components]
        list_value = sum(c.units for c in components)
    else:
        weights = [c.list_price for c in components]
    unit_prices = [set_price * w // list_value for w in weights]
    remainder = set_price - sum(u * c.units for u, c in zip(unit_prices, components, strict=True))
    largest = max(
        range(len(components)), key=lambda i: (weights[i] * components[i].units, -i)
    )
    parts: list[PricedPart] = []
    for index, (unit_price, component) in enumerate(zip(unit_prices, components, strict=True)):
        units = component.units * boxes
        if index != largest:
            parts.append(PricedPart(component.variant_id, units, unit_price))
            continue
        share = unit_price * component.units + remainder  # per box
        base, extra = divmod(share, component.units)
        if extra:
            parts.append(PricedPart(component.variant_id, (component.units - extra) * boxes, base))
            parts.append(PricedPart(component.variant_id, extra * boxes, base + 1))
        else:
            parts.append(PricedPart(component.variant_id, units, base))
    return parts
