"""Settlement arithmetic, pure: commission rates and rounding, what a sale and a refund post,
settlement weeks in Seoul time, and the statement identity.

Money is integer won. Signs follow the ledger: an entry's amount is positive for a debit and
negative for a credit, and the entries of one transaction sum to zero.

Rounding rule (docs/decisions.md). Commission is charged per *commission group*: the lines of
one vendor order that share a category (and so one rate). A group's commission is
``base × rate_bp / 10,000`` rounded half down (x.5 goes down: the vendor keeps the half won).
Refunds reverse it cumulatively: after a refund the group's total reversal is the commission,
rounded the same way, of *all* item money refunded from the group so far, and this refund
reverses the difference. So refunds never reverse more than was charged, and refunding a
group's whole base reverses exactly what was charged: a fully refunded vendor order leaves the
vendor's balance for it at 0. Delivery fees pass to the vendor without commission and are
refunded without commission.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from infra.clock import SEOUL
from shop.catalog.taxonomy import Category

BASIS_POINTS = 10_000
MAX_RATE_BP = 5_000  # 50 %: anything above is a typo, not a commission

#: Placeholder commission rates per category, in basis points (500 = 5 %), until the centre
#: decides real ones; the admin page says so and every rate can be changed there.
DEFAULT_CATEGORY_RATES_BP: dict[str, int] = {
    Category.FOOD.value: 500,
    Category.HOUSEHOLD.value: 800,
    Category.FASHION_BEAUTY.value: 1_000,
    Category.OFFICE_IT.value: 600,
    Category.TRAVEL_LEISURE.value: 800,
    Category.BOOKS_EDUCATION.value: 500,
}
#: For a line whose category is unknown (an old snapshot without one).
FALLBACK_RATE_BP = 800


def half_down(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, halves down (both ≥ 0)."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("half_down takes a non-negative numerator and a positive denominator")
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder > denominator else 0)


def commission(base: int, rate_bp: int) -> int:
    return half_down(base * rate_bp, BASIS_POINTS)


def rate_label(rate_bp: int) -> str:
    """500 → "5%", 1250 → "12.5%"."""
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def resolve_rate(
    category: str,
    *,
    vendor_rate_bp: int | None,
    category_rates_bp: Mapping[str, int],
) -> int:
    """The rate for a line: the vendor's own rate if it has one, else its category's rate
    (the admin's, else the placeholder default), else the fallback."""
    if vendor_rate_bp is not None:
        return vendor_rate_bp
    if category in category_rates_bp:
        return category_rates_bp[category]
    return DEFAULT_CATEGORY_RATES_BP.get(category, FALLBACK_RATE_BP)


# -- a sale ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CommissionGroup:
    """Item money of one category in one vendor order, and the commission charged on it."""

    category: str
    rate_bp: int
    base: int
    commission: int


@dataclasses.dataclass(frozen=True)
class Sale:
    gross: int  # what the shopper paid for this vendor order: items + delivery
    delivery_fee: int
    groups: tuple[CommissionGroup, ...]

    @property
    def commission(self) -> int:
        return sum(g.commission for g in self.groups)

    @property
    def vendor_net(self) -> int:
        return self.gross - self.commission


def sale(
    lines: Iterable[tuple[str, int]], delivery_fee: int, rate_for: Callable[[str], int]
) -> Sale:
    """``lines`` are (category, line total) pairs of one vendor order."""
    bases: dict[str, int] = {}
    for category, amount in lines:
        if amount < 0:
            raise ValueError("a line total cannot be negative")
        bases[category] = bases.get(category, 0) + amount
    groups = []
    for category in sorted(bases):
        rate = rate_for(category)
        groups.append(CommissionGroup(category, rate, bases[category],
                                      commission(bases[category], rate)))
    return Sale(sum(bases.values()) + delivery_fee, delivery_fee, tuple(groups))


# -- a refund -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GroupSoFar:
    """A commission group of a sale and what earlier refunds already took from it."""

    category: str
    rate_bp: int
    base: int
    charged: int
    refunded_base: int = 0
    reversed: int = 0

    @property
    def remaining(self) -> int:
        return self.base - self.refunded_base


@dataclasses.dataclass(frozen=True)
class GroupRefund:
    category: str
    rate_bp: int
    base: int  # item money refunded from the group by this refund
    reversed: int  # commission given back to the vendor by this refund


@dataclasses.dataclass(frozen=True)
class Refund:
    amount: int  # what the shopper gets back
    delivery: int  # the part of it that is delivery fee (no commission)
    groups: tuple[GroupRefund, ...]

    @property
    def commission_reversed(self) -> int:
        return sum(g.reversed for g in self.groups)

    @property
    def vendor_net(self) -> int:
        """What the vendor gives back: the refund less the commission reversed."""
        return self.amount - self.commission_reversed


def proportional(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = sorted(
        range(len(weights)), key=lambda i: (-(total * weights[i] % weight_sum), i)
    )
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def refund(
    amount: int,
    *,
    delivery_fee_refunded: int,
    delivery_fee_remaining: int,
    groups: Sequence[GroupSoFar],
    by_category: Mapping[str, int] | None = None,
) -> Refund:
    """Split a refund of ``amount`` won into delivery fee and item money per commission group,
    and the commission each group gives back (cumulative half-down rounding, module docstring).

    ``by_category`` is the item money the refund names per category (from its lines). When it
    does not add up to the refund's item money, the item money is spread over the groups in
    proportion to what is left of each. Delivery never takes more than is left of the fee, and
    item money beyond what is left of the goods counts as delivery fee.
    """
    if amount <= 0:
        raise ValueError("a refund is a positive amount")
    remaining_total = delivery_fee_remaining + sum(g.remaining for g in groups)
    if amount > remaining_total:
        raise ValueError(f"refund of {amount} exceeds the {remaining_total} left to refund")
    delivery = min(max(delivery_fee_refunded, 0), delivery_fee_remaining, amount)
    items = amount - delivery
    wanted = dict(by_category or {})
    if sum(wanted.values()) == items and all(
        v >= 0 and any(g.category == c for g in groups) for c, v in wanted.items()
    ):
        parts = [min(wanted.get(g.category, 0), g.remaining) for g in groups]
        leftover = items - sum(parts)
        if leftover:  # a line asked for more than its group has left: spread the rest
            extra = proportional(
                min(leftover, sum(g.remaining - p for g, p in zip(groups, parts, strict=True))),
                [g.remaining - p for g, p in zip(groups, parts, strict=True)],
            )
            parts = [p + e for p, e in zip(parts, extra, strict=True)]
    else:
        parts = proportional(min(items, sum(g.remaining for g in groups)),
                              [g.remaining for g in groups])
    delivery += items - sum(parts)  # item money beyond the goods left is delivery fee
    out = []
    for group, part in zip(groups, parts, strict=True):
        if part == 0:
            continue
        reversed_after = commission(group.refunded_base + part, group.rate_bp)
        out.append(GroupRefund(group.category, group.rate_bp, part,
                               reversed_after - group.reversed))
    return Refund(amount, delivery, tuple(out))


# -- settlement weeks -------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_of(moment: dt.datetime) -> dt.date:
    """The Monday (Seoul) of the settlement week an aware moment falls in."""
    return week_start(moment.astimezone(SEOUL).date())


def week_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[Monday 00:00, next Monday 00:00) in Seoul, as aware UTC datetimes."""
    start = dt.datetime.combine(monday, dt.time(0), tzinfo=SEOUL)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), tzinfo=SEOUL)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def week_label(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    return f"{monday:%Y.%m.%d}(월) ~ {sunday:%m.%d}(일)"


def last_ended_week(now: dt.datetime) -> dt.date:
    """The Monday of the most recent week that has ended at ``now``."""
    return week_of(now) - dt.timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class Movements:
    """What moved a vendor's payable balance: the statement identity in one place."""

    sales: int = 0
    commission: int = 0
    refunds: int = 0
    commission_refunded: int = 0
    payouts: int = 0

    @property
    def net(self) -> int:
        return self.sales - self.commission - self.refunds + self.commission_refunded - self.payouts

    def __add__(self, other: Movements) -> Movements:
        return Movements(*(a + b for a, b in zip(
            dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))


def closing_balance(opening: int, moved: Movements) -> int:
    return opening + moved.net
