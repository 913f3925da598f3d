"""A purchase counts for an enterprise type only under a certificate valid on its contract date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.errors import InvalidInput
from shop.procurement.certificates import Certificate, counted_as, vulnerable_share_on
from shop.vendors.types import EnterpriseType

D = dt.date


def test_certificate_counts_its_last_day_and_not_the_day_after() -> None:
    cert = Certificate(EnterpriseType.CERTIFIED_SOCIAL, "2022-101", D(2022, 3, 10), D(2025, 3, 9))

    on_last_day = counted_as([cert], D(2025, 3, 9))
    day_after = counted_as([cert], D(2025, 3, 10))

    assert on_last_day.enterprise_type is EnterpriseType.CERTIFIED_SOCIAL
    assert on_last_day.certificate == cert
    assert day_after.enterprise_type is None
    assert day_after.label == "일반"
    assert "2025-03-09에 유효기간이 끝났습니다" in day_after.reason


def test_certificate_counts_its_first_day_and_not_the_day_before() -> None:
    cert = Certificate(EnterpriseType.VILLAGE, "마을-7", D(2024, 5, 1))

    assert counted_as([cert], D(2024, 5, 1)).enterprise_type is EnterpriseType.VILLAGE
    before = counted_as([cert], D(2024, 4, 30))
    assert before.enterprise_type is None
    assert "2024-05-01부터 유효합니다" in before.reason


def test_pre_certified_then_certified_each_purchase_counts_under_its_own_date() -> None:
    pre = Certificate(
        EnterpriseType.PRE_SOCIAL_REGIONAL, "예비-2023-12", D(2023, 7, 1), D(2025, 6, 30)
    )
    certified = Certificate(EnterpriseType.CERTIFIED_SOCIAL, "2025-0418", D(2025, 7, 1))
    purchases = [(D(2025, 6, 15), 5_000_000), (D(2025, 7, 15), 3_000_000)]

    by_type: dict[EnterpriseType | None, int] = {}
    for contract_date, amount in purchases:
        kind = counted_as([pre, certified], contract_date).enterprise_type
        by_type[kind] = by_type.get(kind, 0) + amount

    assert by_type == {
        EnterpriseType.PRE_SOCIAL_REGIONAL: 5_000_000,
        EnterpriseType.CERTIFIED_SOCIAL: 3_000_000,
    }


def test_revocation_takes_effect_on_its_date_and_is_not_retroactive() -> None:
    cert = Certificate(
        EnterpriseType.CERTIFIED_SOCIAL, "2020-55", D(2020, 1, 1), revoked_on=D(2025, 4, 1)
    )

    assert counted_as([cert], D(2025, 3, 31)).enterprise_type is EnterpriseType.CERTIFIED_SOCIAL
    revoked = counted_as([cert], D(2025, 4, 1))
    assert revoked.enterprise_type is None
    assert "2025-04-01에 인증이 취소되었습니다" in revoked.reason


def test_no_certificate_is_general_with_a_korean_reason() -> None:
    counting = counted_as([], D(2025, 1, 2))
    assert counting.enterprise_type is None
    assert counting.certificate is None
    assert "일반 구매" in counting.reason


def test_overlapping_certificates_count_under_the_newest() -> None:
    coop = Certificate(EnterpriseType.COOPERATIVE, "협-1", D(2019, 1, 1))
    village = Certificate(EnterpriseType.VILLAGE, "마을-2", D(2023, 1, 1))

    before = counted_as([coop, village], D(2022, 12, 31))
    after = counted_as([coop, village], D(2023, 1, 1))
    assert before.enterprise_type is EnterpriseType.COOPERATIVE
    assert after.enterprise_type is EnterpriseType.VILLAGE
    assert counted_as([village, coop], D(2023, 1, 1)) == after  # whatever the order given


def test_the_higher_ceiling_share_comes_only_from_a_valid_certificate() -> None:
    cert = Certificate(
        EnterpriseType.SOCIAL_COOPERATIVE, "사협-9", D(2024, 1, 1), D(2024, 12, 31),
        vulnerable_employee_share=Decimal("35"),
    )
    assert vulnerable_share_on([cert], D(2024, 6, 1)) == Decimal("35")
    assert vulnerable_share_on([cert], D(2025, 1, 1)) is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"valid_to": D(2023, 12, 31)}, "valid_to"),
        ({"revoked_on": D(2023, 12, 31)}, "valid_to"),
        ({"vulnerable_employee_share": Decimal("100.5")}, "vulnerable_employee_share"),
        ({"vulnerable_employee_share": Decimal("-1")}, "vulnerable_employee_share"),
        ({"number": "  "}, "number"),
    ],
)
def test_impossible_certificates_are_refused(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {
        "enterprise_type": EnterpriseType.COOPERATIVE, "number": "협-3",
        "valid_from": D(2024, 1, 1),
    }
    with pytest.raises(InvalidInput) as caught:
        Certificate(**{**base, **kwargs})  # type: ignore[arg-type]
    assert caught.value.field == field


def test_pre_certified_designation_is_limited_to_three_years() -> None:
    with pytest.raises(InvalidInput):
        Certificate(EnterpriseType.PRE_SOCIAL_MINISTRY, "예비-1", D(2022, 1, 1), D(2025, 1, 1))


dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31))


@given(start=dates, length=st.integers(0, 2000), day=dates,
       revoke_after=st.none() | st.integers(0, 2500))
def test_counted_exactly_when_within_dates_and_before_revocation(
    start: dt.date, length: int, day: dt.date, revoke_after: int | None
) -> None:
    end = start + dt.timedelta(days=length)
    revoked = None if revoke_after is None else start + dt.timedelta(days=revoke_after)
    cert = Certificate(EnterpriseType.SEOUL_SOCIAL, "서울-1", start, end, revoked)

    expected = start <= day <= end and (revoked is None or day < revoked)
    counting = counted_as([cert], day)

    assert counting.is_social_economy is expected
    assert (counting.certificate is cert) is expected
