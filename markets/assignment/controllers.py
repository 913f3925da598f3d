"""The assignment JSON API: organizers run, adjust and publish; anyone reads the public map.

Thin handlers: parse, call one service, answer with the board as it now is. Manual moves
need a reason and are kept in the board's audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from infra.errors import Problems
from infra.web.params import DbSession, SignedIn
from markets.access import require_market_organizer
from markets.assignment import boards, moves, policy, publishing, queries, regulars, runs
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.models import BoardStatus
from markets.assignment.schemas import (
    BoardOut,
    DayMapOut,
    MapBoothOut,
    MoveIn,
    PolicyIn,
    PolicyOut,
    ReasonIn,
    RegularIn,
    RegularOut,
    RunIn,
    RunOut,
    WhatIfIn,
    WhatIfOut,
    WhatIfRowOut,
    YearsIn,
    YearsOut,
    board_out,
)
from markets.booths.controllers import requires_organizer
from markets.booths.services import booths_of

TAGS = ["부스 배정 (Assignment)"]


def run_out(summary: runs.RunSummary) -> RunOut:
    return RunOut(
        day_ids=summary.day_ids,
        placed={str(k): v for k, v in summary.placed.items()},
        unplaced={str(k): v for k, v in summary.unplaced.items()},
        objective=summary.objective,
        same_category_pairs=summary.same_category_pairs,
        seconds=round(summary.seconds, 4),
    )


async def _board(db_session: DbSession, market_id: int, day_id: int) -> BoardOut:
    day = await boards.get_day(db_session, market_id, day_id)
    return board_out(await queries.board_view(db_session, day))


class AssignmentApi(Controller):
    path = "/api/markets/{market_id:int}"
    tags = TAGS
    guards = [requires_organizer]

    @post(
        "/days/{day_id:int}/assignment/run",
        operation_id="runDayAssignment",
        summary="장날 자동 배정 (초안; 기존 초안을 대체)",
        status_code=200,
    )
    async def run_day(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int], data: JSONBody[RunIn | None] = None,
    ) -> RunOut:
        summary = await runs.run_assignment(
            db_session, market_id, user, day_ids=[day_id],
            reason=data.reason if data else "",
        )
        return run_out(summary)

    @post(
        "/seasons/{season:int}/assignment/run",
        operation_id="runSeasonAssignment",
        summary="시즌 전체 자동 배정 (게시 전 장날 모두, 날짜 순으로 순번 공정성 유지)",
        status_code=200,
    )
    async def run_season(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        season: FromPath[int], data: JSONBody[RunIn | None] = None,
    ) -> RunOut:
        summary = await runs.run_assignment(
            db_session, market_id, user, season=season,
            reason=data.reason if data else "",
        )
        return run_out(summary)

    @post(
        "/days/{day_id:int}/assignment/what-if",
        operation_id="previewDayAssignment",
        summary=(
            "미리 보기: 다른 규칙(품목 상한, 속성 부스 우선)이나 우선순위·고정 부스를 가정해 "
            "배정해 보기 (저장·게시 안 함)"
        ),
        status_code=200,
    )
    async def what_if(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int], data: JSONBody[WhatIfIn | None] = None,
    ) -> WhatIfOut:
        outcome = await runs.what_if(
            db_session, market_id, user, day_id=day_id,
            category_caps=dict(data.category_caps) if data and data.category_caps is not None
            else None,
            reserved_properties=data.reserved_properties if data else None,
            tiers=dict(data.tiers) if data and data.tiers is not None else None,
            regulars=dict(data.regulars) if data and data.regulars is not None else None,
        )
        return what_if_out(outcome)

    @get(
        "/days/{day_id:int}/assignment",
        operation_id="getAssignmentBoard",
        summary="배정 보드: 배정, 배정 안 된 업체와 사유, 변경 이력",
    )
    async def board(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int],
    ) -> BoardOut:
        await require_market_organizer(db_session, user, market_id)
        return await _board(db_session, market_id, day_id)

    @post(
        "/days/{day_id:int}/assignment/moves",
        operation_id="moveAssignment",
        summary=(
            "수동 조정: 옮기기(move)·묶음 옮기기(move_block)·자리 바꾸기(swap)·"
            "배정 취소(unassign), 사유 필수"
        ),
        status_code=200,
    )
    async def moves(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int], data: JSONBody[MoveIn],
    ) -> BoardOut:
        if data.action in ("move", "move_block"):
            if not (data.booth_code or "").strip():
                problems = Problems()
                problems.add(Code.BOOTH_NOT_FOUND, "booth_code", "옮길 부스 번호를 입력해 주세요.")
                problems.raise_if_any()
            await (moves.move if data.action == "move" else moves.move_block)(
                db_session, market_id, day_id, user, vendor_id=data.vendor_id,
                booth_code=data.booth_code or "", reason=data.reason,
            )
        elif data.action == "swap":
            if data.other_vendor_id is None:
                problems = Problems()
                problems.add(
                    Code.VENDOR_NOT_PLACED, "other_vendor_id", "자리를 바꿀 업체를 고르세요."
                )
                problems.raise_if_any()
            await moves.swap(
                db_session, market_id, day_id, user, vendor_id=data.vendor_id,
                other_vendor_id=data.other_vendor_id or 0, reason=data.reason,
            )
        else:
            await moves.unassign(
                db_session, market_id, day_id, user, vendor_id=data.vendor_id, reason=data.reason
            )
        return await _board(db_session, market_id, day_id)

    @post(
        "/days/{day_id:int}/assignment/publish",
        operation_id="publishAssignment",
        summary="배정 게시 (업체에 알림, 공개 배치도·캘린더에 표시)",
        status_code=200,
    )
    async def publish(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int], data: JSONBody[ReasonIn | None] = None,
    ) -> BoardOut:
        await publishing.publish(
            db_session, market_id, day_id, user,
            reason=data.reason if data else "",
        )
        return await _board(db_session, market_id, day_id)

    @post(
        "/days/{day_id:int}/assignment/reopen",
        operation_id="reopenAssignment",
        summary="게시된 배정 다시 열기 (사유 필수)",
        status_code=200,
    )
    async def reopen(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int], data: JSONBody[ReasonIn],
    ) -> BoardOut:
        await publishing.reopen(
            db_session, market_id, day_id, user, reason=data.reason
        )
        return await _board(db_session, market_id, day_id)

    @get("/assignment/policy", operation_id="getAssignmentPolicy", summary="품목별 하루 상한")
    async def get_policy(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int]
    ) -> PolicyOut:
        await require_market_organizer(db_session, user, market_id)
        caps = await policy.policy_of(db_session, market_id)
        reserved = await policy.reserved_properties_of(db_session, market_id)
        return PolicyOut(market_id=market_id, category_caps=caps,
                         reserved_properties=sorted(reserved))

    @put("/assignment/policy", operation_id="setAssignmentPolicy", summary="품목별 하루 상한 설정")
    async def set_policy(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        data: JSONBody[PolicyIn],
    ) -> PolicyOut:
        caps = await policy.set_category_caps(
            db_session, market_id, user, dict(data.category_caps)
        )
        if data.reserved_properties is not None:
            await policy.set_reserved_properties(
                db_session, market_id, user, list(data.reserved_properties)
            )
        reserved = await policy.reserved_properties_of(db_session, market_id)
        return PolicyOut(market_id=market_id, category_caps=caps,
                         reserved_properties=sorted(reserved))

    @get("/regulars", operation_id="listRegularBooths", summary="고정 부스 업체 (시즌별)")
    async def list_regulars(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        season: Annotated[int, QueryParameter(name="season")],
    ) -> list[RegularOut]:
        await require_market_organizer(db_session, user, market_id)
        rows = await regulars.regulars_of(db_session, market_id, season)
        return [RegularOut(r.vendor_id, r.booth_code, r.years_at_market, r.reason) for r in rows]

    @put("/regulars", operation_id="grantRegularBooth", summary="고정 부스 지정 (시즌 동안)")
    async def grant_regular(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        data: JSONBody[RegularIn],
    ) -> RegularOut:
        r = await regulars.grant_regular_booth(
            db_session, market_id, user, season=data.season, vendor_id=data.vendor_id,
            booth_code=data.booth_code, reason=data.reason, add=data.add,
        )
        return RegularOut(r.vendor_id, r.booth_code, r.years_at_market, r.reason)

    @delete(
        "/regulars/{season:int}/{vendor_id:int}", operation_id="endRegularBooth",
        summary="고정 부스 해제", status_code=204,
    )
    async def end_regular(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        season: FromPath[int], vendor_id: FromPath[int],
        booth_code: Annotated[str | None, QueryParameter(
            name="booth_code", description="이 부스만 해제 (없으면 그 업체의 고정 부스 모두)",
        )] = None,
    ) -> None:
        await regulars.end_regular_booth(
            db_session, market_id, user, season=season, vendor_id=vendor_id,
            booth_code=booth_code,
        )

    @put(
        "/vendors/{vendor_id:int}/years", operation_id="setYearsAtMarket",
        summary="업체 연차 (같은 우선순위에서 먼저)",
    )
    async def set_years(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        vendor_id: FromPath[int], data: JSONBody[YearsIn],
    ) -> YearsOut:
        years = await regulars.set_years_at_market(
            db_session, market_id, user, vendor_id=vendor_id, years=data.years_at_market
        )
        return YearsOut(vendor_id=vendor_id, years_at_market=years)


class PublicDayMapApi(Controller):
    path = "/api/markets/{market_id:int}/days/{day_id:int}/map"
    tags = TAGS

    @get("/", operation_id="getDayMap", summary="장날 배치도: 누가 어디에서 파는지 (게시된 배정만)")
    async def day_map(
        self, db_session: DbSession, market_id: FromPath[int], day_id: FromPath[int]
    ) -> DayMapOut:
        day = await boards.get_day(db_session, market_id, day_id)
        names = await queries.published_names(db_session, day.id)
        status = await queries.board_status(db_session, day.id)
        booths = await booths_of(db_session, market_id)
        return DayMapOut(
            market_id=market_id, market_day_id=day.id, day=day.day.isoformat(),
            published=status is BoardStatus.PUBLISHED,
            booths=[
                MapBoothOut(
                    code=b.code, zone=b.zone, x=b.x, y=b.y, width=b.width, height=b.height,
                    has_power=b.has_power, is_corner=b.is_corner, is_premium=b.is_premium,
                    vendor_name=names.get(b.code),
                )
                for b in booths
            ],
        )


ROUTES: list[Any] = [AssignmentApi, PublicDayMapApi]


def what_if_out(outcome: runs.WhatIf) -> WhatIfOut:
    return WhatIfOut(
        day_id=outcome.day_id, category_caps=outcome.category_caps,
        reserved_properties=outcome.reserved_properties, placed=outcome.placed,
        unplaced=outcome.unplaced, changed=outcome.changed, seconds=outcome.seconds,
        rows=[
            WhatIfRowOut(
                vendor_id=r.vendor_id, booth_codes=list(r.booth_codes), reason=r.reason,
                reason_label=queries.reason_label(r.reason) if r.reason else "",
                now_booth_codes=list(r.now_booth_codes), changed=r.changed,
            )
            for r in outcome.rows
        ],
    )
