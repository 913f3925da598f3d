"""The commission arithmetic, pure: half-down rounding, per-category groups, cumulative refund
reversal that gives back exactly what was charged, and Seoul settlement weeks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.settlement import bankfile, rules


def test_half_down_keeps_the_half_won_with_the_vendor() -> None:
    assert rules.half_down(25, 10) == 2  # 2.5 → 2
    assert rules.half_down(26, 10) == 3
    assert rules.half_down(24, 10) == 2
    # 5% of 12,345원 = 617.25 → 617; of 12,350원 = 617.5 → 617; of 12,351원 = 617.55 → 618
    assert rules.commission(12_345, 500) == 617
    assert rules.commission(12_350, 500) == 617
    assert rules.commission(12_351, 500) == 618


def test_sale_groups_lines_by_category_and_charges_no_commission_on_delivery() -> None:
    rates = {"food": 500, "household": 800}
    sale = rules.sale([("food", 10_000), ("household", 5_000), ("food", 3_333)], 3_000,
                      rates.__getitem__)
    assert sale.gross == 21_333
    assert [(g.category, g.base, g.rate_bp, g.commission) for g in sale.groups] == [
        ("food", 13_333, 500, 667),  # 666.65 → 667
        ("household", 5_000, 800, 400),
    ]
    assert sale.vendor_net == 21_333 - 1_067


def test_vendor_rate_replaces_category_rates_and_defaults_are_placeholders() -> None:
    assert rules.resolve_rate("food", vendor_rate_bp=300, category_rates_bp={"food": 900}) == 300
    assert rules.resolve_rate("food", vendor_rate_bp=None, category_rates_bp={"food": 900}) == 900
    assert rules.resolve_rate("food", vendor_rate_bp=None, category_rates_bp={}) == 500
    assert rules.resolve_rate("", vendor_rate_bp=None, category_rates_bp={}) == (
        rules.FALLBACK_RATE_BP)
    assert rules.rate_label(500) == "5%" and rules.rate_label(1250) == "12.5%"


def _groups(sale: rules.Sale) -> list[rules.GroupSoFar]:
    return [rules.GroupSoFar(g.category, g.rate_bp, g.base, g.commission) for g in sale.groups]


def _apply(groups: list[rules.GroupSoFar], refund: rules.Refund) -> list[rules.GroupSoFar]:
    taken = {g.category: g for g in refund.groups}
    return [
        rules.GroupSoFar(g.category, g.rate_bp, g.base, g.charged,
                         g.refunded_base + (taken[g.category].base if g.category in taken else 0),
                         g.reversed + (taken[g.category].reversed if g.category in taken else 0))
        for g in groups
    ]


def test_refund_in_three_parts_reverses_exactly_the_commission_charged() -> None:
    sale = rules.sale([("food", 3 * 3_330)], 0, lambda _c: 500)  # 499.5 → 499
    groups = _groups(sale)
    reversed_total = 0
    for _ in range(3):
        refund = rules.refund(3_330, delivery_fee_refunded=0, delivery_fee_remaining=0,
                              groups=groups, by_category={"food": 3_330})
        reversed_total += refund.commission_reversed
        groups = _apply(groups, refund)
    # 166.5 → 166, 333 → 333 (+167), 499.5 → 499 (+166): never more than charged.
    assert reversed_total == sale.commission == 499


def test_delivery_fee_refund_has_no_commission_and_is_capped_at_the_fee() -> None:
    sale = rules.sale([("food", 10_000)], 3_000, lambda _c: 1_000)
    refund = rules.refund(3_000, delivery_fee_refunded=3_000, delivery_fee_remaining=3_000,
                          groups=_groups(sale))
    assert (refund.delivery, refund.groups, refund.vendor_net) == (3_000, (), 3_000)
    # Claims 5,000원 of delivery on a 3,000원 fee: the rest is item money with commission.
    refund = rules.refund(5_000, delivery_fee_refunded=5_000, delivery_fee_remaining=3_000,
                          groups=_groups(sale))
    assert refund.delivery == 3_000 and refund.groups[0].base == 2_000
    with pytest.raises(ValueError):
        rules.refund(13_001, delivery_fee_refunded=0, delivery_fee_remaining=3_000,
                     groups=_groups(sale))


def test_refund_without_lines_is_spread_over_what_is_left_of_each_group() -> None:
    sale = rules.sale([("food", 6_000), ("household", 3_000)], 0,
                      {"food": 500, "household": 800}.__getitem__)
    refund = rules.refund(3_000, delivery_fee_refunded=0, delivery_fee_remaining=0,
                          groups=_groups(sale))
    assert {g.category: g.base for g in refund.groups} == {"food": 2_000, "household": 1_000}


@given(
    lines=st.lists(st.tuples(st.sampled_from(["food", "household", "office_it"]),
                             st.integers(0, 200_000)), min_size=1, max_size=5),
    fee=st.integers(0, 5_000),
    rates=st.fixed_dictionaries({c: st.integers(0, 5_000)
                                 for c in ("food", "household", "office_it")}),
    cuts=st.lists(st.integers(1, 100_000), max_size=6),
    named=st.booleans(),
)
def test_any_sequence_of_refunds_to_zero_reverses_all_commission(
    lines: list[tuple[str, int]], fee: int, rates: dict[str, int], cuts: list[int], named: bool,
) -> None:
    sale = rules.sale(lines, fee, rates.__getitem__)
    groups, fee_left, left = _groups(sale), fee, sale.gross
    total_net = 0
    for cut in [*cuts, sale.gross]:  # the last refund takes whatever is left
        amount = min(cut, left)
        if amount == 0:
            break
        wanted = None
        if named:  # name the money per category where it fits, as refund lines do
            wanted, rest = {}, amount
            for g in groups:
                take = min(rest, g.remaining)
                if take:
                    wanted[g.category] = take
                rest -= take
        refund = rules.refund(amount, delivery_fee_refunded=0, delivery_fee_remaining=fee_left,
                              groups=groups, by_category=wanted)
        assert sum(g.base for g in refund.groups) + refund.delivery == amount
        assert all(g.reversed >= 0 for g in refund.groups)
        groups = _apply(groups, refund)
        assert all(g.reversed <= g.charged for g in groups)
        fee_left -= refund.delivery
        left -= amount
        total_net += refund.vendor_net
    assert left == 0
    assert sum(g.reversed for g in groups) == sale.commission
    assert total_net == sale.vendor_net  # the vendor's balance for the order is back to 0


def test_settlement_weeks_run_monday_to_sunday_in_seoul() -> None:
    # Sunday 23:30 in Seoul is Sunday 14:30 UTC: still the week of Monday 3 March.
    sunday_night = dt.datetime(2025, 3, 9, 14, 30, tzinfo=dt.UTC)
    assert rules.week_of(sunday_night) == dt.date(2025, 3, 3)
    # Monday 00:10 in Seoul is Sunday 15:10 UTC: already the next week.
    assert rules.week_of(dt.datetime(2025, 3, 9, 15, 10, tzinfo=dt.UTC)) == dt.date(2025, 3, 10)
    start, end = rules.week_bounds(dt.date(2025, 3, 3))
    assert start == dt.datetime(2025, 3, 2, 15, 0, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(days=7)
    assert rules.last_ended_week(dt.datetime(2025, 3, 12, tzinfo=dt.UTC)) == dt.date(2025, 3, 3)


def test_bank_codes_and_account_checks() -> None:
    for code, name in {"004": "KB국민은행", "088": "신한은행", "020": "우리은행", "081": "하나은행",
                       "011": "NH농협은행", "003": "IBK기업은행", "090": "카카오뱅크"}.items():
        assert bankfile.BANK_CODES[code] == name
    assert bankfile.clean_account_number("110-123-456789") == "110123456789"
    assert bankfile.account_number_problem("110123456789") is None
    assert bankfile.account_number_problem("12ab") is not None
    assert bankfile.account_number_problem("1234567") is not None
    assert bankfile.holder_problem("햇살협동조합") is None
    assert bankfile.holder_problem("a,b") is not None
    assert bankfile.holder_problem("😀조합") is not None  # not in CP949
    assert bankfile.mask_account("110123456789") == "********6789"
