"""The OCDS export is valid against the official 1.1.5 schema, offline.

Validation follows /work/shared/ocds/README.md: jsonschema's Draft 4 validator with a format
checker, and a ``referencing.Registry`` that maps the release schema's URL to the local copy
in ``ocds_schema/`` (Apache 2.0, see its LICENSE).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from infra.errors import InvalidInput
from shop.catalog.taxonomy import Category
from shop.procurement.contracting import ContractingMethod
from shop.procurement.errors import ProcurementErrorCode
from shop.procurement.ocds import (
    ExportLine,
    ExportOrder,
    OrderEvent,
    OrderEventKind,
    Organisation,
    Supplier,
    export,
    release_package,
    releases_for,
)
from shop.vendors.types import EnterpriseType

SCHEMA_DIR = Path(__file__).parent / "ocds_schema"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
SEOUL = dt.timezone(dt.timedelta(hours=9))
K = OrderEventKind


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    package_schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text())
    release_schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    registry: Registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release_schema, default_specification=DRAFT4)
    )
    return Draft4Validator(package_schema, registry=registry, format_checker=FormatChecker())


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, tzinfo=SEOUL)


BUYER = Organisation("KR-SEONGBUK-JOBS", "성북구청 일자리정책과")


def _order(order_id: str, method: ContractingMethod, quotes: int,
           events: tuple[OrderEvent, ...], supplier: Supplier) -> ExportOrder:
    return ExportOrder(
        order_id=order_id, title="사무용품 구매", buyer=BUYER, supplier=supplier,
        method=method, quotes=quotes, category=Category.OFFICE_IT,
        lines=(ExportLine("1", "재생 복사용지 A4", 400, 11_000),), events=events,
    )


SINGLE = _order(
    "PO-2025-0001", ContractingMethod.SINGLE_QUOTE, 1,
    (OrderEvent(K.QUOTES_REQUESTED, _at(3)), OrderEvent(K.AWARDED, _at(4)),
     OrderEvent(K.CONTRACTED, _at(5)), OrderEvent(K.PAID, _at(28), 4_840_000)),
    Supplier("KR-BRN-1018212345", "함께종이 사회적협동조합",
             EnterpriseType.SOCIAL_COOPERATIVE, "사협-2019-12"),
)
MULTIPLE = _order(
    "PO-2025-0002", ContractingMethod.MULTIPLE_QUOTES, 3,
    (OrderEvent(K.QUOTES_REQUESTED, _at(6)), OrderEvent(K.AWARDED, _at(10)),
     OrderEvent(K.CONTRACTED, _at(11))),
    Supplier("KR-BRN-2208154321", "일반문구(주)"),
)
CANCELLED = _order(
    "PO-2025-0003", ContractingMethod.SINGLE_QUOTE, 1,
    (OrderEvent(K.QUOTES_REQUESTED, _at(12)), OrderEvent(K.AWARDED, _at(13)),
     OrderEvent(K.CONTRACTED, _at(14)), OrderEvent(K.CANCELLED, _at(20, 15))),
    Supplier("KR-BRN-1148598765", "마을공방", EnterpriseType.VILLAGE, "마을-31"),
)


def _package() -> dict[str, Any]:
    return export([SINGLE, MULTIPLE, CANCELLED],
                  uri="https://jangteo.kr/procurement/ocds/2025-03.json",
                  published_at=_at(31, 18))


def test_three_orders_export_as_a_valid_release_package(validator: Draft4Validator) -> None:
    package = _package()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
    assert errors == []
    assert len(package["releases"]) == 4 + 3 + 4


def _dates(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [v for k, v in node.items() if k.lower().endswith("date") and isinstance(v, str)]
        return own + [d for v in node.values() for d in _dates(v)]
    if isinstance(node, list):
        return [d for v in node for d in _dates(v)]
    return []


def test_every_date_is_rfc3339_with_the_seoul_offset() -> None:
    """jsonschema checks "date-time" only with an optional extra, so check it here."""
    dates = _dates(_package())
    assert len(dates) > 20
    for text in dates:
        assert text.endswith("+09:00"), text
        assert dt.datetime.fromisoformat(text).utcoffset() == dt.timedelta(hours=9)


def test_the_validator_does_catch_a_broken_release(validator: Draft4Validator) -> None:
    package = _package()
    package["releases"][0]["tag"] = ["signed"]
    del package["releases"][1]["initiationType"]
    assert len(list(validator.iter_errors(package))) == 2


def test_release_ids_are_unique_and_ocids_carry_the_prefix() -> None:
    releases = _package()["releases"]
    ids = [r["id"] for r in releases]
    assert len(set(ids)) == len(ids)
    assert {r["ocid"] for r in releases} == {
        "ocds-jangteo-PO-2025-0001", "ocds-jangteo-PO-2025-0002", "ocds-jangteo-PO-2025-0003"
    }
    assert all("#" not in i for i in ids)


def test_each_event_is_a_release_tagged_for_it() -> None:
    tags = [r["tag"] for r in releases_for(SINGLE)]
    assert tags == [["tender"], ["award"], ["contract"], ["implementation"]]
    assert [r["tag"] for r in releases_for(CANCELLED)][-1] == ["contractUpdate"]


def test_the_cancelled_contract_has_status_cancelled() -> None:
    last = releases_for(CANCELLED)[-1]
    assert last["contracts"][0]["status"] == "cancelled"
    assert last["awards"][0]["status"] == "cancelled"
    before = releases_for(CANCELLED)[-2]
    assert before["contracts"][0]["status"] == "active"  # earlier releases are not rewritten


def test_method_parties_and_values() -> None:
    single, multiple = releases_for(SINGLE)[-1], releases_for(MULTIPLE)[-1]
    assert single["tender"]["procurementMethod"] == "direct"
    assert single["tender"]["procurementMethodDetails"] == "1인 견적 수의계약"
    assert multiple["tender"]["procurementMethod"] == "limited"
    assert multiple["tender"]["numberOfTenderers"] == 3

    parties = {p["id"]: p for p in single["parties"]}
    assert parties[BUYER.id]["roles"] == ["buyer", "procuringEntity"]
    supplier = parties["KR-BRN-1018212345"]
    assert supplier["roles"] == ["supplier"]
    assert supplier["details"] == {
        "socialEconomy": True, "enterpriseType": "social_cooperative",
        "enterpriseTypeLabel": "사회적협동조합", "certificateNumber": "사협-2019-12",
    }
    assert {p["id"]: p for p in multiple["parties"]}["KR-BRN-2208154321"]["details"] == {
        "socialEconomy": False
    }
    # 400 × 11,000 = 4,400,000 supply + 440,000 VAT
    assert single["awards"][0]["value"] == {"amount": 4_840_000, "currency": "KRW"}
    assert single["contracts"][0]["value"] == {"amount": 4_840_000, "currency": "KRW"}
    assert single["contracts"][0]["implementation"]["transactions"][0]["value"]["amount"] == (
        4_840_000
    )
    assert single["date"] == "2025-03-28T10:00:00+09:00"


def test_cancelling_before_the_award_cancels_the_tender(validator: Draft4Validator) -> None:
    early = _order("PO-2025-0004", ContractingMethod.SINGLE_QUOTE, 1,
                   (OrderEvent(K.QUOTES_REQUESTED, _at(3)), OrderEvent(K.CANCELLED, _at(4))),
                   Supplier("s", "누군가"))
    last = releases_for(early)[-1]
    assert last["tag"] == ["tenderCancellation"]
    assert last["tender"]["status"] == "cancelled"
    assert "contracts" not in last
    package = release_package(releases_for(early), uri="https://jangteo.kr/x.json",
                              published_at=_at(31))
    assert list(validator.iter_errors(package)) == []


def test_a_history_that_cannot_have_happened_is_refused() -> None:
    bad = _order("PO-9", ContractingMethod.SINGLE_QUOTE, 1,
                 (OrderEvent(K.QUOTES_REQUESTED, _at(3)), OrderEvent(K.CONTRACTED, _at(4))),
                 Supplier("s", "누군가"))
    with pytest.raises(InvalidInput) as caught:
        releases_for(bad)
    assert caught.value.code == ProcurementErrorCode.INVALID_EVENT_ORDER
    with pytest.raises(InvalidInput):
        release_package([], uri="https://jangteo.kr/x.json", published_at=_at(31))
    twice = releases_for(SINGLE)
    with pytest.raises(InvalidInput):
        release_package(twice + twice[:1], uri="https://jangteo.kr/x.json", published_at=_at(31))
