"""How a public body may buy: quotes for a private contract, approvals, purchase-order states.

A single-quote private contract (1인 견적 수의계약) is allowed up to a ceiling on the
request's **estimated price before VAT** (추정가격): 20,000,000 won in general and
50,000,000 won for a social-economy enterprise at least 30 % of whose employees are from
vulnerable groups (2018 decree). Both are settings. Above the ceiling the body needs
quotes from two vendors or more (2인 이상 견적).

Approvals (결재): the number of distinct approvers grows with the amount (default one, two
from 10,000,000 won), measured on the same estimated price before VAT as the ceiling, so
one number decides both. Nobody approves their own request, and an approver who approves
twice still counts once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from infra.errors import Conflict, InvalidInput
from infra.state_machine import StateMachine
from shop.procurement.errors import ProcurementErrorCode


@dataclass(frozen=True)
class ContractingSettings:
    """The figures the decree and the body's own rules set; defaults as of 2018."""

    #: 1인 견적 수의계약 한도 (추정가격, 부가세 별도).
    single_quote_ceiling: int = 20_000_000
    #: The higher ceiling for a social-economy enterprise employing many vulnerable people.
    vulnerable_single_quote_ceiling: int = 50_000_000
    #: 취약계층 고용 비율 (%) from which the higher ceiling applies (inclusive).
    vulnerable_share_threshold: Decimal = Decimal(30)
    #: Quotes needed above the ceiling.
    minimum_quotes: int = 2
    #: Estimated prices from which one more approver is needed (each inclusive).
    approval_thresholds: tuple[int, ...] = (10_000_000,)


DEFAULT_SETTINGS = ContractingSettings()


class ContractingMethod(enum.StrEnum):
    SINGLE_QUOTE = "single_quote"  # 1인 견적 수의계약
    MULTIPLE_QUOTES = "multiple_quotes"  # 2인 이상 견적 수의계약

    @property
    def label(self) -> str:
        return CONTRACTING_METHOD_LABELS[self]


CONTRACTING_METHOD_LABELS = {
    ContractingMethod.SINGLE_QUOTE: "1인 견적 수의계약",
    ContractingMethod.MULTIPLE_QUOTES: "2인 이상 견적 수의계약",
}


def single_quote_ceiling(
    vulnerable_employee_share: Decimal | None, settings: ContractingSettings = DEFAULT_SETTINGS
) -> int:
    """The single-quote ceiling for this vendor.

    ``vulnerable_employee_share`` is that of the vendor's certificate valid on the date
    (:func:`shop.procurement.certificates.vulnerable_share_on`); ``None`` for a vendor that
    is not a social-economy enterprise then, who gets the general ceiling.
    """
    if (
        vulnerable_employee_share is not None
        and vulnerable_employee_share >= settings.vulnerable_share_threshold
    ):
        return settings.vulnerable_single_quote_ceiling
    return settings.single_quote_ceiling


def contracting_method(
    estimated_price: int,
    quotes: int,
    vulnerable_employee_share: Decimal | None,
    settings: ContractingSettings = DEFAULT_SETTINGS,
) -> ContractingMethod:
    """How this request may be contracted, or a 409 naming the rule that refuses it.

    ``estimated_price`` is before VAT; ``quotes`` counts the distinct vendors that quoted.
    """
    if estimated_price < 0:
        raise InvalidInput(
            ProcurementErrorCode.INVALID_AMOUNT,
            "추정가격은 0 이상이어야 합니다.",
            field="estimated_price",
        )
    if quotes < 1:
        raise InvalidInput(
            ProcurementErrorCode.NO_QUOTE, "견적을 한 건 이상 받아야 합니다.", field="quotes"
        )
    ceiling = single_quote_ceiling(vulnerable_employee_share, settings)
    if estimated_price <= ceiling:
        return ContractingMethod.SINGLE_QUOTE if quotes == 1 else ContractingMethod.MULTIPLE_QUOTES
    if quotes >= settings.minimum_quotes:
        return ContractingMethod.MULTIPLE_QUOTES
    raise Conflict(
        ProcurementErrorCode.QUOTES_REQUIRED,
        f"추정가격 {estimated_price:,}원(부가세 별도)은 1인 견적 수의계약 한도 "
        f"{ceiling:,}원을 넘습니다. 견적을 {settings.minimum_quotes}곳 이상에서 받아 주세요.",
        field="quotes",
        extra={
            "rule": "single_quote_ceiling",
            "ceiling": ceiling,
            "estimated_price": estimated_price,
            "minimum_quotes": settings.minimum_quotes,
        },
    )


# ---------------------------------------------------------------- approvals (결재)


def approvers_required(
    estimated_price: int, settings: ContractingSettings = DEFAULT_SETTINGS
) -> int:
    """How many distinct approvers a request of this estimated price (before VAT) needs."""
    return 1 + sum(1 for threshold in settings.approval_thresholds if estimated_price >= threshold)


@dataclass(frozen=True)
class Approvals:
    """The approvals one purchase request has gathered. Immutable: ``approve`` returns a new one.

    Approvers are user ids. The requester can never approve (a 409); an approver who
    approves again is ignored rather than refused, so a double click is harmless and still
    counts once.
    """

    requester: int
    required: int
    approvers: tuple[int, ...] = field(default=())

    def approve(self, approver: int) -> Approvals:
        if approver == self.requester:
            raise Conflict(
                ProcurementErrorCode.SELF_APPROVAL,
                "요청자는 자신의 구매 요청을 결재할 수 없습니다.",
                field="approver",
            )
        if approver in self.approvers:
            return self
        return Approvals(self.requester, self.required, (*self.approvers, approver))

    @property
    def missing(self) -> int:
        return max(0, self.required - len(set(self.approvers)))

    @property
    def complete(self) -> bool:
        return self.missing == 0

    def check_complete(self) -> None:
        """A 409 unless enough distinct approvers have approved."""
        if not self.complete:
            raise Conflict(
                ProcurementErrorCode.APPROVAL_INCOMPLETE,
                f"결재가 {self.missing}명 더 필요합니다 (필요 {self.required}명).",
                field="approvals",
            )


def approvals_for(
    requester: int, estimated_price: int, settings: ContractingSettings = DEFAULT_SETTINGS
) -> Approvals:
    """An empty approval line for a request of this estimated price."""
    return Approvals(requester, approvers_required(estimated_price, settings))


# ---------------------------------------------------------------- purchase-order states


class PurchaseOrderStatus(enum.StrEnum):
    DRAFT = "draft"  # 작성 중
    PENDING_APPROVAL = "pending_approval"  # 결재 중
    APPROVED = "approved"  # 발주 (결재 완료)
    PARTIALLY_DELIVERED = "partially_delivered"  # 일부 납품
    DELIVERED = "delivered"  # 납품 완료
    INSPECTED = "inspected"  # 검수 완료
    INVOICED = "invoiced"  # 대금 청구
    PAID = "paid"  # 대금 지급
    CANCELLED = "cancelled"  # 취소

    @property
    def label(self) -> str:
        return PURCHASE_ORDER_STATUS_LABELS[self]


PURCHASE_ORDER_STATUS_LABELS = {
    PurchaseOrderStatus.DRAFT: "작성 중",
    PurchaseOrderStatus.PENDING_APPROVAL: "결재 중",
    PurchaseOrderStatus.APPROVED: "발주",
    PurchaseOrderStatus.PARTIALLY_DELIVERED: "일부 납품",
    PurchaseOrderStatus.DELIVERED: "납품 완료",
    PurchaseOrderStatus.INSPECTED: "검수 완료",
    PurchaseOrderStatus.INVOICED: "대금 청구",
    PurchaseOrderStatus.PAID: "대금 지급",
    PurchaseOrderStatus.CANCELLED: "취소",
}

_S = PurchaseOrderStatus

#: A request goes back to draft when an approver returns it (반려). Cancelling is possible
#: until goods arrive; after that, what was not accepted is taken off at inspection. A
#: partial delivery may be inspected as it is (the rest never came).
PURCHASE_ORDER_TRANSITIONS: StateMachine[PurchaseOrderStatus] = StateMachine(
    {
        _S.DRAFT: {_S.PENDING_APPROVAL, _S.CANCELLED},
        _S.PENDING_APPROVAL: {_S.APPROVED, _S.DRAFT, _S.CANCELLED},
        _S.APPROVED: {_S.PARTIALLY_DELIVERED, _S.DELIVERED, _S.CANCELLED},
        _S.PARTIALLY_DELIVERED: {_S.DELIVERED, _S.INSPECTED},
        _S.DELIVERED: {_S.INSPECTED},
        _S.INSPECTED: {_S.INVOICED},
        _S.INVOICED: {_S.PAID},
    },
    label=lambda s: s.label,
    code=ProcurementErrorCode.PURCHASE_ORDER_INVALID_TRANSITION,
)
