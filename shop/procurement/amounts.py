"""Money in procurement: VAT, the counted amount of an order, achievement and rates.

Conventions (DESIGN "Counting conventions"; docs/decisions.md):

- Money is integer won. Unit prices and supply amounts (공급가액) are before VAT.
- VAT (부가가치세) is 10 % of the supply amount of one order (one tax invoice), rounded
  **down to the won** (원 미만 절사), as Korean tax invoices print it; the VAT of each line
  is never rounded separately. A negative supply (a credit) is rounded toward zero, so a
  full credit mirrors its invoice exactly.
- The counted amount of an order is its total including VAT, reduced by what inspection
  did not accept. The reduction is computed so that the counted amount is exactly what a
  tax invoice for the accepted supply would total: ``amounts_of(accepted_supply).total``.
- Percentages are exact rational numbers rounded half up (away from zero at .5):
  achievement against the target to 0.1 %, rates to 0.01 %. No float is involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from infra.errors import InvalidInput
from shop.procurement.errors import ProcurementErrorCode

#: 부가가치세율 (%), applied to the supply amount.
VAT_PERCENT = 10


def vat_of(supply: int) -> int:
    """VAT of a supply amount: 10 %, won fractions dropped (toward zero)."""
    magnitude = abs(supply) * VAT_PERCENT // 100
    return magnitude if supply >= 0 else -magnitude


@dataclass(frozen=True)
class Amounts:
    """Supply amount, VAT and total of one order or invoice, in won."""

    supply: int
    vat: int

    @property
    def total(self) -> int:
        return self.supply + self.vat


def amounts_of(supply: int) -> Amounts:
    """The supply, VAT and total a tax invoice for ``supply`` won prints."""
    return Amounts(supply, vat_of(supply))


def line_supply(quantity: int, unit_price: int) -> int:
    """Supply amount of one line: quantity × unit price before VAT."""
    if quantity < 0 or unit_price < 0:
        raise InvalidInput(
            ProcurementErrorCode.INVALID_AMOUNT,
            "수량과 단가는 0 이상이어야 합니다.",
            field="quantity" if quantity < 0 else "unit_price",
        )
    return quantity * unit_price


def counted_amount(ordered_supply: int, accepted_supply: int) -> int:
    """What one order counts toward results: its total incl. VAT less what was not accepted.

    ``accepted_supply`` is the supply of the quantities inspection accepted (the whole order
    before inspection). The VAT is taken on the accepted supply, not on the order less a
    separately rounded reduction, so the counted amount always equals the corrected tax
    invoice's total.
    """
    if not 0 <= accepted_supply <= ordered_supply:
        raise InvalidInput(
            ProcurementErrorCode.INVALID_AMOUNT,
            "검수 합격 금액은 0 이상, 주문 공급가액 이하여야 합니다.",
            field="accepted_supply",
        )
    return amounts_of(accepted_supply).total


def not_accepted_reduction(ordered_supply: int, accepted_supply: int) -> int:
    """How much inspection took off the order's total incl. VAT (≥ 0)."""
    return amounts_of(ordered_supply).total - counted_amount(ordered_supply, accepted_supply)


def percent_half_up(numerator: int, denominator: int, places: int) -> Decimal:
    """``numerator / denominator`` as a percentage with ``places`` decimals, half up.

    Exact integer arithmetic: no float and no Decimal context precision, so a hand
    calculation and this function agree on every .5 case whatever the size of the amounts.
    """
    if denominator <= 0:
        raise InvalidInput(
            ProcurementErrorCode.INVALID_AMOUNT,
            "비율의 분모는 0보다 커야 합니다.",
            field="denominator",
        )
    scaled = abs(numerator) * 100 * 10**places
    quotient, remainder = divmod(scaled, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    signed = quotient if numerator >= 0 else -quotient
    return Decimal(signed).scaleb(-places)


def achievement_percent(counted: int, target: int) -> Decimal | None:
    """목표 달성률: counted purchases against the target, to 0.1 % half up.

    ``None`` when there is no target (0): "no target" is not 0 % and not infinite.
    """
    return None if target == 0 else percent_half_up(counted, target, 1)


def purchase_rate_percent(counted: int, total_purchases: int) -> Decimal | None:
    """구매 비율: social-economy purchases as a share of all purchases, to 0.01 % half up.

    ``None`` when nothing was bought at all.
    """
    return None if total_purchases == 0 else percent_half_up(counted, total_purchases, 2)
