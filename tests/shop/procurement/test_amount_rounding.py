"""Money is integer won: VAT floored per order, counted = accepted total, percentages half up."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.errors import InvalidInput
from shop.procurement.amounts import (
    achievement_percent,
    amounts_of,
    counted_amount,
    not_accepted_reduction,
    percent_half_up,
    purchase_rate_percent,
    vat_of,
)


def test_target_of_six_billion_with_7_54_billion_counted_is_125_7_percent() -> None:
    assert achievement_percent(7_540_000_000, 6_000_000_000) == Decimal("125.7")


def test_rate_of_7_54_billion_in_100_billion_of_purchases_is_7_54_percent() -> None:
    assert purchase_rate_percent(7_540_000_000, 100_000_000_000) == Decimal("7.54")


def test_percentages_round_half_up_not_to_even() -> None:
    assert percent_half_up(1, 8, 1) == Decimal("12.5")
    assert percent_half_up(1, 16, 1) == Decimal("6.3")  # 6.25 → 6.3 (banker's would say 6.2)
    assert percent_half_up(1, 160, 2) == Decimal("0.63")  # 0.625 → 0.63
    assert percent_half_up(-1, 16, 1) == Decimal("-6.3")  # a correction rounds like its mirror


def test_no_target_and_no_purchases_are_not_numbers() -> None:
    assert achievement_percent(5_000_000, 0) is None
    assert purchase_rate_percent(0, 0) is None
    with pytest.raises(InvalidInput):
        percent_half_up(1, -5, 1)


def test_vat_is_ten_percent_of_supply_with_won_fractions_dropped() -> None:
    assert (amounts_of(3_300_000).vat, amounts_of(3_300_000).total) == (330_000, 3_630_000)
    assert vat_of(12_345) == 1_234
    assert vat_of(-12_345) == -1_234  # a credit mirrors its invoice


def test_counted_amount_is_the_total_including_vat_of_what_inspection_accepted() -> None:
    ordered, accepted = 400 * 11_000, 300 * 11_000
    assert counted_amount(ordered, ordered) == 4_840_000
    assert counted_amount(ordered, accepted) == 3_630_000
    assert not_accepted_reduction(ordered, accepted) == 1_210_000
    with pytest.raises(InvalidInput):
        counted_amount(ordered, ordered + 1)


@given(num=st.integers(-10**15, 10**15), den=st.integers(1, 10**15), places=st.integers(0, 4))
def test_percent_matches_exact_fraction_rounded_half_up(num: int, den: int, places: int) -> None:
    exact = abs(Fraction(num * 100, den)) * 10**places
    floor = exact.numerator // exact.denominator
    rounded = floor + (1 if exact - floor >= Fraction(1, 2) else 0)
    expected = Decimal(rounded if num >= 0 else -rounded).scaleb(-places)
    assert percent_half_up(num, den, places) == expected


@given(supply=st.integers(0, 10**13))
def test_vat_never_exceeds_ten_percent_and_loses_less_than_a_won(supply: int) -> None:
    vat = vat_of(supply)
    assert 0 <= supply * 10 - vat * 100 < 100
    assert amounts_of(supply).total == supply + vat


@given(ordered=st.integers(0, 10**12), data=st.data())
def test_reduction_plus_counted_is_the_order_total(ordered: int, data: st.DataObject) -> None:
    accepted = data.draw(st.integers(0, ordered))
    total = amounts_of(ordered).total
    assert counted_amount(ordered, accepted) + not_accepted_reduction(ordered, accepted) == total
    assert 0 <= counted_amount(ordered, accepted) <= total
