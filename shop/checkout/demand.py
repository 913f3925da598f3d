"""The rules of reserving stock, in pure code: what a demand is, how demand is summed per
stock unit, and when it does not fit.

A checkout expands whatever the shopper bought (a loose item, a snack box made of several
vendors' variants) into :class:`Demand` lines of ``(variant_id, quantity)``. Several lines
may name the same variant: a bundle and a loose item sharing a cookie. They are summed per
variant *before* availability is checked, so two lines that each fit alone cannot together
take more than there is. The database side (locks, sums) is in ``availability.py``; the use
cases that tie them to one transaction are in ``stock.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

from infra.errors import Conflict, InvalidInput
from shop.checkout.errors import StockErrorCode as Code

#: More than this of one thing in one order is a typo or a wholesale deal (a quote request).
MAX_QUANTITY = 999
MAX_LINES = 100
MAX_KEY_LENGTH = 100


@dataclasses.dataclass(frozen=True)
class Demand:
    """Units of one variant wanted by one input line; ``field`` is how the caller names that
    line (``lines[2]``, ``items[0]``) so an error can point at it."""

    variant_id: int
    quantity: int
    field: str = ""


@dataclasses.dataclass(frozen=True)
class SummedDemand:
    variant_id: int
    quantity: int
    #: The input lines this demand came from, in input order (errors name the first).
    fields: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Shortage:
    variant_id: int
    requested: int
    available: int
    fields: tuple[str, ...]
    label: str = ""

    @property
    def message(self) -> str:
        return out_of_stock_message(self.available, self.label)


def out_of_stock_message(available: int, label: str = "") -> str:
    """The sentence a shopper reads when asking for more than there is."""
    prefix = f"{label}: " if label else ""
    if available <= 0:
        return f"{prefix}품절되었습니다. 재고가 0개 남았습니다."
    return f"{prefix}재고가 {available}개 남았습니다. {available}개 이하로 주문해 주세요."


def clean_quantity(value: object, field: str) -> int:
    """A whole number of units from 1 to :data:`MAX_QUANTITY`; ``True`` is not a number."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(Code.INVALID_QUANTITY, "수량은 정수로 입력해 주세요.", field=field)
    if value < 1:
        raise InvalidInput(Code.INVALID_QUANTITY, "수량은 1개 이상이어야 합니다.", field=field)
    if value > MAX_QUANTITY:
        raise InvalidInput(
            Code.INVALID_QUANTITY, f"수량은 {MAX_QUANTITY}개까지 주문할 수 있습니다.", field=field
        )
    return value


def parse_quantity(raw: str | None, field: str) -> int:
    """A quantity typed into a form: digits only (``"2"``, not ``"2.0"`` or ``"두 개"``)."""
    text = (raw or "").strip().replace(",", "")
    if not text.lstrip("-").isdigit() or not text.isascii():
        raise InvalidInput(Code.INVALID_QUANTITY, "수량은 숫자로 입력해 주세요.", field=field)
    return clean_quantity(int(text), field)


def clean_variant_id(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(Code.INVALID_VARIANT, "옵션을 골라 주세요.", field=field)
    return value


def clean_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            Code.INVALID_KEY, f"예약 키는 1~{MAX_KEY_LENGTH}자여야 합니다.", field="key"
        )
    return key


def summed(demands: Sequence[Demand]) -> list[SummedDemand]:
    """Validate every line, then sum per variant, ordered by variant id (the lock order).

    Raises on the first wrong line, before anything touches the database.
    """
    if not demands:
        raise InvalidInput(Code.NO_LINES, "주문할 상품이 없습니다.", field="lines")
    if len(demands) > MAX_LINES:
        raise InvalidInput(
            Code.TOO_MANY_LINES, f"한 번에 {MAX_LINES}줄까지 주문할 수 있습니다.", field="lines"
        )
    totals: dict[int, int] = {}
    fields: dict[int, list[str]] = {}
    for index, demand in enumerate(demands):
        name = demand.field or f"lines[{index}]"
        variant_id = clean_variant_id(demand.variant_id, f"{name}.variant_id")
        quantity = clean_quantity(demand.quantity, f"{name}.quantity")
        totals[variant_id] = totals.get(variant_id, 0) + quantity
        fields.setdefault(variant_id, []).append(name)
    return [
        SummedDemand(variant_id=v, quantity=totals[v], fields=tuple(fields[v]))
        for v in sorted(totals)
    ]


def shortages(
    demand: Iterable[SummedDemand],
    available: Mapping[int, int],
    labels: Mapping[int, str] | None = None,
) -> list[Shortage]:
    """Every variant whose summed demand exceeds what is available (empty when all fit)."""
    labels = labels or {}
    return [
        Shortage(
            variant_id=d.variant_id,
            requested=d.quantity,
            available=max(0, available.get(d.variant_id, 0)),
            fields=d.fields,
            label=labels.get(d.variant_id, ""),
        )
        for d in demand
        if d.quantity > available.get(d.variant_id, 0)
    ]


def out_of_stock(found: Sequence[Shortage]) -> Conflict:
    """A 409 naming every short variant and the input lines that asked for it.

    The first error's field is the first line that asked for the first short variant; when
    demand was summed over several lines, each of them is listed.
    """
    errors = [
        {
            "field": f"{field}.quantity",
            "message": shortage.message,
            "code": Code.OUT_OF_STOCK.value,
            "variant_id": shortage.variant_id,
            "requested": shortage.requested,
            "available": shortage.available,
        }
        for shortage in found
        for field in shortage.fields
    ]
    first = found[0]
    return Conflict(
        Code.OUT_OF_STOCK,
        first.message,
        field=f"{first.fields[0]}.quantity",
        extra={
            "variant_id": first.variant_id,
            "requested": first.requested,
            "available": first.available,
            "errors": errors,
        },
    )
