"""The assignment API's request and response bodies (msgspec)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from markets.assignment.queries import BoardView

Reason = Annotated[str, msgspec.Meta(description="사유 (수동 변경·다시 열기는 필수, 500자 이내)")]


class RunIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason = ""


class MoveIn(msgspec.Struct, forbid_unknown_fields=True):
    """``move``: vendor into the empty ``booth_code``; ``move_block``: a vendor holding
    several booths moves with all of them to the run starting at ``booth_code``; ``swap``:
    vendor and ``other_vendor_id`` exchange booths; ``unassign``: vendor leaves its booth."""

    action: Literal["move", "move_block", "swap", "unassign"]
    vendor_id: int
    reason: Reason
    booth_code: str | None = None
    other_vendor_id: int | None = None


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    category_caps: Annotated[
        dict[str, int],
        msgspec.Meta(description="품목 코드 -> 하루 최대 업체 수 (비우면 상한 없음)"),
    ] = msgspec.field(default_factory=dict)
    reserved_properties: Annotated[
        list[str] | None,
        msgspec.Meta(description="속성 부스 우선: 이 속성(예: cooking)이 필요한 업체에 "
                                 "우선순위와 관계없이 먼저 배정 (null이면 그대로)"),
    ] = None


class WhatIfIn(msgspec.Struct, forbid_unknown_fields=True):
    """Rules to try instead of the market's own (null keeps the market's)."""

    category_caps: Annotated[
        dict[str, int] | None,
        msgspec.Meta(description="품목 코드 -> 하루 최대 업체 수 (null이면 장터 설정 그대로)"),
    ] = None
    reserved_properties: Annotated[
        list[str] | None,
        msgspec.Meta(description="속성 부스 우선 (null이면 장터 설정 그대로)"),
    ] = None
    tiers: Annotated[
        dict[str, int] | None,
        msgspec.Meta(description="업체 id -> 가정할 우선순위 등급 (적지 않은 업체는 그대로)"),
    ] = None
    regulars: Annotated[
        dict[str, str | None] | None,
        msgspec.Meta(description="업체 id -> 가정할 고정 부스 번호 (null이면 고정 부스 없음)"),
    ] = None


class WhatIfRowOut(msgspec.Struct):
    vendor_id: int
    booth_codes: list[str]
    reason: str
    reason_label: str
    now_booth_codes: list[str]
    changed: bool


class WhatIfOut(msgspec.Struct):
    """미리 보기: nothing was written; ``rows`` compare with the day's current board."""

    day_id: int
    category_caps: dict[str, int]
    reserved_properties: list[str]
    placed: int
    unplaced: int
    changed: int
    seconds: float
    rows: list[WhatIfRowOut]


class PolicyOut(msgspec.Struct):
    market_id: int
    category_caps: dict[str, int]
    reserved_properties: list[str] = msgspec.field(default_factory=list)


class RegularIn(msgspec.Struct, forbid_unknown_fields=True):
    season: Annotated[int, msgspec.Meta(description="시즌(연도)")]
    vendor_id: int
    booth_code: Annotated[str, msgspec.Meta(description="고정 부스 번호 (예: A-01)")]
    reason: str = ""
    add: Annotated[bool, msgspec.Meta(
        description="true: 이미 지정된 고정 부스에 이 부스를 더함 (큰 매대의 둘째·셋째 부스); "
                    "false: 이 부스 하나로 바꿈"
    )] = False


class RegularOut(msgspec.Struct):
    vendor_id: int
    booth_code: str
    years_at_market: int
    reason: str


class YearsIn(msgspec.Struct, forbid_unknown_fields=True):
    years_at_market: Annotated[int, msgspec.Meta(description="이 장터에서 판매한 햇수 (연차)")]


class YearsOut(msgspec.Struct):
    vendor_id: int
    years_at_market: int


class RunOut(msgspec.Struct):
    day_ids: list[int]
    placed: dict[str, int]
    unplaced: dict[str, int]
    objective: int
    same_category_pairs: int
    seconds: float


class PlacementOut(msgspec.Struct):
    booth_code: str
    zone: str
    vendor_id: int
    vendor_name: str
    categories: list[str]
    in_preferred_spot: bool
    source: str
    #: first · other · none (wishes stated, none met) · "" (no wish stated)
    wish_met: str = ""
    #: The regular's own booth this season (고정 부스), or null.
    regular_booth_code: str | None = None
    #: The vendor's other booths side by side with ``booth_code`` (several-booth stall).
    block_booth_codes: list[str] = msgspec.field(default_factory=list)


class UnplacedOut(msgspec.Struct):
    vendor_id: int
    vendor_name: str
    reason: str
    reason_label: str
    detail: str


class AuditOut(msgspec.Struct):
    at: str
    actor: str
    action: str
    vendor_id: int | None
    other_vendor_id: int | None
    from_booth_code: str
    to_booth_code: str
    reason: str


class BoardOut(msgspec.Struct):
    market_day_id: int
    day: str
    status: str | None
    placements: list[PlacementOut]
    unplaced: list[UnplacedOut]
    not_yet_assigned: list[int]
    warnings: list[str]
    audit: list[AuditOut]
    objective: int | None
    same_category_pairs: int | None


def board_out(view: BoardView) -> BoardOut:
    board = view.board
    return BoardOut(
        market_day_id=view.day.id,
        day=view.day.day.isoformat(),
        status=board.status.value if board else None,
        placements=[
            PlacementOut(
                booth_code=p.booth.code, zone=p.booth.zone, vendor_id=p.vendor_id,
                vendor_name=p.vendor_name, categories=p.categories,
                in_preferred_spot=p.preferred, source=p.source.value,
                wish_met=p.wish, regular_booth_code=p.regular_booth,
                block_booth_codes=list(p.block_codes),
            )
            for p in view.placements
        ],
        unplaced=[
            UnplacedOut(
                vendor_id=u.vendor_id, vendor_name=u.vendor_name, reason=u.reason,
                reason_label=u.reason_label, detail=u.detail,
            )
            for u in view.unplaced
        ],
        not_yet_assigned=[u.vendor_id for u in view.not_yet_run],
        warnings=view.warnings,
        audit=[
            AuditOut(
                at=a.entry.created_at.isoformat(), actor=a.actor_name, action=a.entry.action.value,
                vendor_id=a.entry.vendor_id, other_vendor_id=a.entry.other_vendor_id,
                from_booth_code=a.entry.from_booth_code, to_booth_code=a.entry.to_booth_code,
                reason=a.entry.reason,
            )
            for a in view.audit
        ],
        objective=board.objective if board else None,
        same_category_pairs=board.same_category_pairs if board else None,
    )


class MapBoothOut(msgspec.Struct):
    code: str
    zone: str
    x: float
    y: float
    width: float
    height: float
    has_power: bool
    is_corner: bool
    is_premium: bool
    vendor_name: str | None


class DayMapOut(msgspec.Struct):
    market_id: int
    market_day_id: int
    day: str
    published: bool
    booths: list[MapBoothOut]
