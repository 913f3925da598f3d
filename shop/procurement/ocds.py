"""Open Contracting Data Standard 1.1.5 export of public purchases, from plain order data.

Each purchase order is one contracting process with its own ``ocid`` (a prefix setting +
the order id), and every event of it (견적 요청, 업체 선정, 발주, 대금 지급, 취소) is one new
release that repeats what is known at that moment, tagged for what is new. Releases are
never rewritten: a correction is a later release. The package builder wraps any list of
releases, for a monthly file or an API page.

Decisions (docs/decisions.md):

- ``procurementMethod`` is ``direct`` for a single-quote private contract (1인 견적) and
  ``limited`` for quotes invited from two vendors or more (2인 이상 견적); the Korean name
  goes in ``procurementMethodDetails``.
- Award and contract values are the order's total **including VAT** in KRW (what the
  public body pays, and what results count); no tender value is published, because the
  estimated price is before VAT and one file should not mix the two.
- The supplier's enterprise type (on the contract date) goes in the supplier party's
  ``details`` (``enterpriseType`` code, Korean ``enterpriseTypeLabel``, ``socialEconomy``).
- A cancellation after the contract release sets the contract (and award) status to
  ``cancelled`` with tag ``contractUpdate``; before it, the award is cancelled
  (``awardCancellation``) or, before that, the tender (``tenderCancellation``). Purchase
  orders may only be cancelled before delivery, so the contract was never performed.
- Release ids are ``<ocid>-<n>-<event>``, n counting the order's events from 1: unique
  within the ocid (which is unique per order), so unique in any package. Dates are written
  in Asia/Seoul with their offset.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from infra.clock import SEOUL
from infra.errors import InvalidInput
from shop.catalog.taxonomy import Category
from shop.procurement.amounts import amounts_of
from shop.procurement.contracting import ContractingMethod
from shop.procurement.errors import ProcurementErrorCode
from shop.vendors.types import EnterpriseType

CURRENCY = "KRW"
OCDS_VERSION = "1.1"


@dataclass(frozen=True)
class OcdsSettings:
    """Who publishes, and under which identifiers and licence."""

    ocid_prefix: str = "ocds-jangteo-"
    publisher_name: str = "장터 공공구매"
    publisher_uri: str = "https://jangteo.kr"
    license: str = "https://creativecommons.org/licenses/by/4.0/"
    publication_policy: str = "https://jangteo.kr/procurement/publication-policy"


DEFAULT_OCDS_SETTINGS = OcdsSettings()


class OrderEventKind(enum.StrEnum):
    QUOTES_REQUESTED = "tender"  # 견적 요청
    AWARDED = "award"  # 업체 선정
    CONTRACTED = "contract"  # 발주 (계약)
    PAID = "paid"  # 대금 지급
    CANCELLED = "cancelled"  # 취소


#: Which event may follow which: the export refuses a history that cannot have happened.
_NEXT: dict[OrderEventKind | None, set[OrderEventKind]] = {
    None: {OrderEventKind.QUOTES_REQUESTED},
    OrderEventKind.QUOTES_REQUESTED: {OrderEventKind.AWARDED, OrderEventKind.CANCELLED},
    OrderEventKind.AWARDED: {OrderEventKind.CONTRACTED, OrderEventKind.CANCELLED},
    OrderEventKind.CONTRACTED: {OrderEventKind.PAID, OrderEventKind.CANCELLED},
    OrderEventKind.PAID: set(),
    OrderEventKind.CANCELLED: set(),
}


@dataclass(frozen=True)
class OrderEvent:
    kind: OrderEventKind
    at: dt.datetime  # aware
    #: For a payment: the amount paid incl. VAT.
    amount: int | None = None


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str


@dataclass(frozen=True)
class Supplier:
    id: str
    name: str
    #: Counted type on the contract date (``certificates.counted_as``); ``None`` = general.
    enterprise_type: EnterpriseType | None = None
    certificate_number: str | None = None


@dataclass(frozen=True)
class ExportLine:
    id: str
    description: str
    quantity: int
    unit_price: int  # before VAT


@dataclass(frozen=True)
class ExportOrder:
    """What the export needs to know about one purchase order."""

    order_id: str
    title: str
    buyer: Organisation
    supplier: Supplier
    method: ContractingMethod
    quotes: int
    category: Category
    lines: tuple[ExportLine, ...]
    events: tuple[OrderEvent, ...]

    @property
    def total(self) -> int:
        """The order's total incl. VAT (VAT on the order's supply, floored)."""
        return amounts_of(sum(line.quantity * line.unit_price for line in self.lines)).total


def ocid_for(order_id: str, settings: OcdsSettings = DEFAULT_OCDS_SETTINGS) -> str:
    return f"{settings.ocid_prefix}{order_id}"


def _when(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise InvalidInput(
            ProcurementErrorCode.NAIVE_DATETIME, "시각에는 시간대가 있어야 합니다.", field="at"
        )
    return at.astimezone(SEOUL).isoformat(timespec="seconds")


def _value(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": CURRENCY}


def _check_events(order: ExportOrder) -> None:
    previous: OrderEventKind | None = None
    previous_at: dt.datetime | None = None
    for event in order.events:
        if event.kind not in _NEXT[previous] or (previous_at and event.at < previous_at):
            raise InvalidInput(
                ProcurementErrorCode.INVALID_EVENT_ORDER,
                f"주문 {order.order_id}의 이력 순서가 올바르지 않습니다 "
                f"({previous or '시작'} → {event.kind}).",
                field="events",
            )
        previous, previous_at = event.kind, event.at


def _parties(order: ExportOrder) -> list[dict[str, Any]]:
    supplier = order.supplier
    details: dict[str, Any] = {"socialEconomy": supplier.enterprise_type is not None}
    if supplier.enterprise_type is not None:
        details["enterpriseType"] = supplier.enterprise_type.value
        details["enterpriseTypeLabel"] = supplier.enterprise_type.label
    if supplier.certificate_number:
        details["certificateNumber"] = supplier.certificate_number
    return [
        {
            "id": order.buyer.id,
            "name": order.buyer.name,
            "roles": ["buyer", "procuringEntity"],
        },
        {"id": supplier.id, "name": supplier.name, "roles": ["supplier"], "details": details},
    ]


def _items(order: ExportOrder) -> list[dict[str, Any]]:
    return [
        {
            "id": line.id,
            "description": line.description,
            "quantity": line.quantity,
            "classification": {
                "scheme": "jangteo-category",
                "id": order.category.value,
                "description": order.category.label,
            },
        }
        for line in order.lines
    ]


def _release(
    order: ExportOrder, n: int, settings: OcdsSettings
) -> dict[str, Any]:
    """The release for the order's ``n``-th event: a snapshot of everything known then."""
    seen = order.events[:n]
    event = seen[-1]
    kinds = [e.kind for e in seen]
    ocid = ocid_for(order.order_id, settings)
    at = {e.kind: e.at for e in seen}
    cancelled = OrderEventKind.CANCELLED in kinds
    awarded = OrderEventKind.AWARDED in kinds
    contracted = OrderEventKind.CONTRACTED in kinds
    buyer_ref = {"id": order.buyer.id, "name": order.buyer.name}
    supplier_ref = {"id": order.supplier.id, "name": order.supplier.name}

    if event.kind is OrderEventKind.CANCELLED:
        tag = (
            "contractUpdate" if contracted
            else "awardCancellation" if awarded
            else "tenderCancellation"
        )
    elif event.kind is OrderEventKind.PAID:
        tag = "implementation"
    else:
        tag = event.kind.value

    tender: dict[str, Any] = {
        "id": f"{ocid}-tender",
        "title": order.title,
        "status": "cancelled" if cancelled and not awarded else (
            "complete" if awarded else "active"
        ),
        "procuringEntity": buyer_ref,
        "items": _items(order),
        "procurementMethod": (
            "direct" if order.method is ContractingMethod.SINGLE_QUOTE else "limited"
        ),
        "procurementMethodDetails": order.method.label,
        "mainProcurementCategory": "goods",
        "tenderPeriod": {"startDate": _when(at[OrderEventKind.QUOTES_REQUESTED])},
    }
    if awarded:
        tender["numberOfTenderers"] = order.quotes
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{n}-{event.kind.value}",
        "date": _when(event.at),
        "tag": [tag],
        "initiationType": "tender",
        "language": "ko",
        "parties": _parties(order),
        "buyer": buyer_ref,
        "tender": tender,
    }
    if awarded:
        release["awards"] = [{
            "id": f"{ocid}-award-1",
            "title": order.title,
            "status": "cancelled" if cancelled else "active",
            "date": _when(at[OrderEventKind.AWARDED]),
            "value": _value(order.total),
            "suppliers": [supplier_ref],
            "items": _items(order),
        }]
    if contracted:
        contract: dict[str, Any] = {
            "id": f"{ocid}-contract-1",
            "awardID": f"{ocid}-award-1",
            "title": order.title,
            "status": "cancelled" if cancelled else "active",
            "value": _value(order.total),
            "dateSigned": _when(at[OrderEventKind.CONTRACTED]),
            "items": _items(order),
        }
        payments = [e for e in seen if e.kind is OrderEventKind.PAID]
        if payments:
            contract["implementation"] = {"transactions": [
                {
                    "id": f"{ocid}-payment-{i}",
                    "date": _when(p.at),
                    "value": _value(p.amount if p.amount is not None else order.total),
                    "payer": buyer_ref,
                    "payee": supplier_ref,
                }
                for i, p in enumerate(payments, 1)
            ]}
        release["contracts"] = [contract]
    return release


def releases_for(
    order: ExportOrder, settings: OcdsSettings = DEFAULT_OCDS_SETTINGS
) -> list[dict[str, Any]]:
    """One release per event of the order, oldest first."""
    _check_events(order)
    return [_release(order, n, settings) for n in range(1, len(order.events) + 1)]


def release_package(
    releases: Sequence[dict[str, Any]],
    *,
    uri: str,
    published_at: dt.datetime,
    settings: OcdsSettings = DEFAULT_OCDS_SETTINGS,
) -> dict[str, Any]:
    """A release package (``uri`` is where the package itself will be published)."""
    if not releases:
        raise InvalidInput(
            ProcurementErrorCode.REQUIRED, "공개할 릴리스가 없습니다.", field="releases"
        )
    ids = [(r["ocid"], r["id"]) for r in releases]
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            ProcurementErrorCode.DUPLICATE_RELEASE_ID,
            "릴리스 식별자가 중복됩니다.",
            field="releases",
        )
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": _when(published_at),
        "publisher": {"name": settings.publisher_name, "uri": settings.publisher_uri},
        "license": settings.license,
        "publicationPolicy": settings.publication_policy,
        "releases": list(releases),
    }


def export(
    orders: Iterable[ExportOrder],
    *,
    uri: str,
    published_at: dt.datetime,
    settings: OcdsSettings = DEFAULT_OCDS_SETTINGS,
) -> dict[str, Any]:
    """Every release of these orders in one package."""
    releases = [r for order in orders for r in releases_for(order, settings)]
    return release_package(releases, uri=uri, published_at=published_at, settings=settings)
