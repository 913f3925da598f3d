"""The booth-map JSON API: anyone reads a market's map; organizers edit it.

Programs authenticate with ``Authorization: Bearer jt_…``; the guards turn away callers
without the organizer role early, and the services check again.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from infra.accounts.models import Role
from infra.auth import requires_role
from infra.web.params import DbSession, SignedIn, Viewer
from markets.access import manages
from markets.booths import services
from markets.booths.schemas import BoothIn, BoothOut, BoothPatch, ReasonIn, booth_out
from markets.booths.svg import MapBooth, render_map

TAGS = ["부스 배치도 (Booth maps)"]
requires_organizer = requires_role(Role.ORGANIZER)


def map_booth(booth: Any) -> MapBooth:
    return MapBooth(
        code=booth.code, zone=booth.zone, x=booth.x, y=booth.y, width=booth.width,
        height=booth.height, has_power=booth.has_power, is_corner=booth.is_corner,
        is_premium=booth.is_premium, size_label=booth.size.label,
    )


async def _out_all(db_session: DbSession, market_id: int, include_inactive: bool) -> list[BoothOut]:
    booths = await services.booths_of(db_session, market_id, include_inactive=include_inactive)
    neighbours = services.neighbours_of([b for b in booths if b.is_active])
    return [booth_out(b, neighbours.get(b.code)) for b in booths]


async def _one(db_session: DbSession, market_id: int, booth_id: int) -> BoothOut:
    booth = await services.get_booth(db_session, market_id, booth_id)
    active = await services.booths_of(db_session, market_id)
    return booth_out(booth, services.neighbours_of(active).get(booth.code))


class BoothApi(Controller):
    path = "/api/markets/{market_id:int}/booths"
    tags = TAGS

    @get(
        "/", operation_id="listBooths", summary="장터의 부스 목록 (운영자는 비활성 부스 포함 가능)"
    )
    async def list_booths(
        self,
        viewer: Viewer,
        db_session: DbSession,
        market_id: FromPath[int],
        include_inactive: FromQuery[bool] = False,
    ) -> list[BoothOut]:
        await services.get_market(db_session, market_id)
        everything = include_inactive and await manages(
            db_session, viewer, market_id
        )
        return await _out_all(db_session, market_id, everything)

    @post(
        "/",
        operation_id="createBooth",
        summary="부스 추가 (운영자)",
        description=(
            "잘못된 입력은 아무것도 저장하지 않고 항목별 오류(errors[].field)로 돌려줍니다. "
            "같은 번호는 409 booth_code_taken, 다른 부스와 자리가 겹치면 409 booth_overlaps."
        ),
        guards=[requires_organizer],
        status_code=201,
    )
    async def create(
        self,
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        data: JSONBody[BoothIn],
    ) -> BoothOut:
        booth = await services.create_booth(
            db_session, market_id, user, data.draft()
        )
        return await _one(db_session, market_id, booth.id)

    @patch(
        "/{booth_id:int}",
        operation_id="updateBooth",
        summary="부스 수정 (운영자; 보낸 항목만 바뀜)",
        guards=[requires_organizer],
    )
    async def update(
        self,
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        booth_id: FromPath[int],
        data: JSONBody[BoothPatch],
    ) -> BoothOut:
        booth = await services.get_booth(db_session, market_id, booth_id)
        draft = data.merged(services.draft_of(booth))
        await services.update_booth(db_session, market_id, booth_id, user, draft)
        return await _one(db_session, market_id, booth_id)

    @post(
        "/{booth_id:int}/deactivate",
        operation_id="deactivateBooth",
        summary="부스 비활성화 (운영자; 이후 배정에서 빠짐)",
        guards=[requires_organizer],
        status_code=200,
    )
    async def deactivate(
        self,
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        booth_id: FromPath[int],
        data: JSONBody[ReasonIn | None] = None,
    ) -> BoothOut:
        await services.set_active(
            db_session, market_id, booth_id, user, active=False,
            reason=data.reason if data else "",
        )
        return await _one(db_session, market_id, booth_id)

    @post(
        "/{booth_id:int}/activate",
        operation_id="activateBooth",
        summary="부스 다시 사용 (운영자)",
        guards=[requires_organizer],
        status_code=200,
    )
    async def activate(
        self,
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        booth_id: FromPath[int],
    ) -> BoothOut:
        await services.set_active(
            db_session, market_id, booth_id, user, active=True
        )
        return await _one(db_session, market_id, booth_id)

    @get(
        "/map.svg",
        operation_id="boothMapSvg",
        summary="부스 배치도 SVG (사용 중인 부스)",
        media_type="image/svg+xml",
    )
    async def map_svg(self, db_session: DbSession, market_id: FromPath[int]) -> Response[str]:
        market = await services.get_market(db_session, market_id)
        booths = await services.booths_of(db_session, market_id)
        svg = render_map([map_booth(b) for b in booths], title=f"{market.name} 부스 배치도")
        return Response(svg, media_type="image/svg+xml; charset=utf-8")


ROUTES: list[Any] = [BoothApi]
