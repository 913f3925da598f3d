"""The booth-map API's request and response bodies (msgspec)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import msgspec

from markets.booths.models import Booth, BoothSize
from markets.booths.rules import BoothDraft

SizeValue = Annotated[
    str,
    msgspec.Meta(
        description="부스 크기: " + ", ".join(f"{s.value} ({s.label})" for s in BoothSize),
        examples=[BoothSize.STANDARD.value],
    ),
]
Metres = Annotated[float, msgspec.Meta(description="미터 (배치도 왼쪽 위 기준)", examples=[3.0])]


class BoothIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[
        str, msgspec.Meta(description="장터 안에서 유일한 부스 번호", examples=["A-01"])
    ]
    size: SizeValue
    x: Metres
    y: Metres
    zone: Annotated[str, msgspec.Meta(examples=["A 먹거리"])] = ""
    width: Metres = 3.0
    height: Metres = 3.0
    has_power: bool = False
    is_corner: bool = False
    is_premium: bool = False
    adjacent_codes: Annotated[
        list[str], msgspec.Meta(description="직접 지정하는 이웃 부스 (비우면 위치로 계산)")
    ] = msgspec.field(default_factory=list)
    position_order: int = 0
    properties: Annotated[
        list[str],
        msgspec.Meta(description="부스 속성 코드: cooking(조리·화기), accessible, … (운영자 정의)"),
    ] = msgspec.field(default_factory=list)

    def draft(self) -> BoothDraft:
        return BoothDraft(
            code=self.code, zone=self.zone, size=self.size, has_power=self.has_power,
            is_corner=self.is_corner, is_premium=self.is_premium, x=self.x, y=self.y,
            width=self.width, height=self.height, adjacent_codes=self.adjacent_codes,
            position_order=self.position_order, properties=self.properties,
        )


class BoothPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; the result is checked as a whole booth."""

    code: str | msgspec.UnsetType = msgspec.UNSET
    size: SizeValue | msgspec.UnsetType = msgspec.UNSET
    x: float | msgspec.UnsetType = msgspec.UNSET
    y: float | msgspec.UnsetType = msgspec.UNSET
    zone: str | msgspec.UnsetType = msgspec.UNSET
    width: float | msgspec.UnsetType = msgspec.UNSET
    height: float | msgspec.UnsetType = msgspec.UNSET
    has_power: bool | msgspec.UnsetType = msgspec.UNSET
    is_corner: bool | msgspec.UnsetType = msgspec.UNSET
    is_premium: bool | msgspec.UnsetType = msgspec.UNSET
    adjacent_codes: list[str] | msgspec.UnsetType = msgspec.UNSET
    position_order: int | msgspec.UnsetType = msgspec.UNSET
    properties: list[str] | msgspec.UnsetType = msgspec.UNSET

    def merged(self, current: BoothDraft) -> BoothDraft:
        values = {
            name: getattr(self, name)
            for name in self.__struct_fields__
            if getattr(self, name) is not msgspec.UNSET
        }
        return dataclasses.replace(current, **values)


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str = ""


class BoothOut(msgspec.Struct):
    id: int
    market_id: int
    code: str
    zone: str
    size: str
    size_label: str
    has_power: bool
    is_corner: bool
    is_premium: bool
    x: float
    y: float
    width: float
    height: float
    #: Neighbours given by hand (empty: derived from positions).
    adjacent_codes: list[str]
    #: Neighbours the assignment uses (derived or given), among active booths.
    neighbours: list[str]
    is_active: bool
    position_order: int
    properties: list[str]


def booth_out(booth: Booth, neighbours: frozenset[str] | None = None) -> BoothOut:
    return BoothOut(
        id=booth.id, market_id=booth.market_id, code=booth.code, zone=booth.zone,
        size=booth.size.value, size_label=booth.size.label, has_power=booth.has_power,
        is_corner=booth.is_corner, is_premium=booth.is_premium, x=booth.x, y=booth.y,
        width=booth.width, height=booth.height, adjacent_codes=list(booth.adjacent_codes or ()),
        neighbours=sorted(neighbours or ()), is_active=booth.is_active,
        position_order=booth.position_order, properties=list(booth.properties or ()),
    )
