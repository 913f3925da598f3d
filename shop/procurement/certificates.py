"""Which enterprise type a purchase counts under: the certificate valid on the contract date.

A public body's social-economy results count a purchase only if the seller's certificate
(인증서 / 지정서) was valid on the **contract date** (DESIGN §3). The seller's status today
does not matter: a certificate that lapsed after the contract still counts that contract,
and one granted after it does not.

Semantics (docs/decisions.md):

- ``valid_from`` and ``valid_to`` are both inclusive: a certificate valid to 2025-03-09
  counts an order dated 2025-03-09 and not one dated 2025-03-10.
- ``valid_to=None`` means open-ended (인증 사회적기업, 협동조합 …). A 예비 사회적기업 must
  state its end, at most three years after designation: the same date rule as onboarding
  (``shop.vendors.rules.certification_problem``).
- ``revoked_on`` is the day the revocation (인증 취소) takes effect: from that day on the
  certificate counts nothing, so a contract dated on or after ``revoked_on`` is general.
  Revocation is not retroactive: contracts dated before it keep counting.
- When several certificates are valid on the same date (an enterprise that is both a
  협동조합 and a 마을기업, or a 예비 designation overlapping the 인증 that ended it), the one
  that began last wins — it is the newest statement of what the enterprise is — and on a tie
  the first in :class:`EnterpriseType`'s order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from infra.errors import Problems
from shop.procurement.errors import ProcurementErrorCode
from shop.vendors.rules import certification_problem
from shop.vendors.types import EnterpriseType

_TYPE_ORDER = {t: i for i, t in enumerate(EnterpriseType)}


def numbered(number: str) -> str:
    """A certificate number as Korean documents write it, 제…호, without doubling it when the
    number is already written that way (as the onboarding form often stores it)."""
    number = number.strip()
    if number.startswith("제") and number.endswith("호"):
        return number
    return f"제{number}호"


@dataclass(frozen=True)
class Certificate:
    """One certificate or designation of an enterprise (사회적기업 인증서, 협동조합 신고확인증 …).

    ``vulnerable_employee_share`` is the percentage (0–100) of employees from vulnerable
    groups (취약계층) stated with the certificate; it decides the higher single-quote
    ceiling in :mod:`shop.procurement.contracting`.
    """

    enterprise_type: EnterpriseType
    number: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    revoked_on: dt.date | None = None
    vulnerable_employee_share: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        problems = Problems()
        if not self.number.strip():
            problems.add(
                ProcurementErrorCode.REQUIRED, "number", "인증(지정) 번호를 입력해 주세요."
            )
        # The onboarding rule for dates (order, 예비 three-year limit) is the same here.
        why = certification_problem(self.enterprise_type, self.valid_from, self.valid_to)
        if why is None and self.revoked_on is not None and self.revoked_on < self.valid_from:
            why = "인증 취소일은 인증 시작일보다 빠를 수 없습니다."
        if why is not None:
            problems.add(ProcurementErrorCode.INVALID_CERTIFICATE_DATES, "valid_to", why)
        share = self.vulnerable_employee_share
        if not isinstance(share, Decimal) or not share.is_finite() or not 0 <= share <= 100:
            problems.add(
                ProcurementErrorCode.INVALID_VULNERABLE_SHARE,
                "vulnerable_employee_share",
                "취약계층 고용 비율은 0에서 100 사이의 백분율이어야 합니다.",
            )
        problems.raise_if_any()

    @property
    def last_valid_day(self) -> dt.date | None:
        """The last day this certificate counts a contract, or ``None`` if open-ended."""
        ends = [] if self.valid_to is None else [self.valid_to]
        if self.revoked_on is not None:
            ends.append(self.revoked_on - dt.timedelta(days=1))
        return min(ends) if ends else None

    def valid_on(self, day: dt.date) -> bool:
        """Whether a contract dated ``day`` counts under this certificate (both ends inclusive)."""
        last = self.last_valid_day
        return self.valid_from <= day and (last is None or day <= last)

    def why_not_valid_on(self, day: dt.date) -> str | None:
        """The Korean reason this certificate does not count ``day``, or ``None`` if it does."""
        name = f"{self.enterprise_type.label}({numbered(self.number)})"
        if day < self.valid_from:
            return f"{name}은(는) {self.valid_from.isoformat()}부터 유효합니다"
        if self.revoked_on is not None and self.revoked_on <= day:
            return f"{name}은(는) {self.revoked_on.isoformat()}에 인증이 취소되었습니다"
        last = self.last_valid_day
        if last is not None and last < day:
            return f"{name}은(는) {last.isoformat()}에 유효기간이 끝났습니다"
        return None


@dataclass(frozen=True)
class Counting:
    """How one purchase is counted: an enterprise type (``None`` = 일반 구매) and why."""

    enterprise_type: EnterpriseType | None
    certificate: Certificate | None
    reason: str

    @property
    def is_social_economy(self) -> bool:
        return self.enterprise_type is not None

    @property
    def label(self) -> str:
        return self.enterprise_type.label if self.enterprise_type is not None else "일반"


def counted_as(certificates: Iterable[Certificate], contract_date: dt.date) -> Counting:
    """The enterprise type a purchase dated ``contract_date`` counts under, with the reason.

    Only a certificate valid on the contract date counts (module docstring); otherwise the
    purchase is general (일반 구매) and the reason lists why each certificate did not count,
    so a buyer who expected otherwise can see which date to check.
    """
    certificates = list(certificates)
    valid = [c for c in certificates if c.valid_on(contract_date)]
    if valid:
        chosen = max(valid, key=lambda c: (c.valid_from, -_TYPE_ORDER[c.enterprise_type]))
        return Counting(
            chosen.enterprise_type,
            chosen,
            f"계약일({contract_date.isoformat()})에 {chosen.enterprise_type.label}"
            f"({numbered(chosen.number)}) 인증이 유효합니다.",
        )
    if not certificates:
        return Counting(None, None, "등록된 인증(지정)이 없어 일반 구매로 집계합니다.")
    reasons = "; ".join(
        why for c in certificates if (why := c.why_not_valid_on(contract_date)) is not None
    )
    return Counting(
        None,
        None,
        f"계약일({contract_date.isoformat()})에 유효한 인증이 없어 일반 구매로 집계합니다: "
        f"{reasons}.",
    )


def vulnerable_share_on(
    certificates: Iterable[Certificate], contract_date: dt.date
) -> Decimal | None:
    """The vulnerable-employee share of the certificate a purchase counts under, if any.

    ``None`` for a general vendor: the higher single-quote ceiling is for social-economy
    enterprises only, whatever their workforce.
    """
    counting = counted_as(certificates, contract_date)
    return counting.certificate.vulnerable_employee_share if counting.certificate else None
