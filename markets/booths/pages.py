"""The organizer's booth-map console (Korean, works without JavaScript).

Every action is a CSRF-protected form post. A refused form comes back with what was typed
and each message beside its field; a success redirects with a flash message saying what
happened. The map preview is the same server-drawn SVG the public market-day page shows.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_today
from infra.web.forms import EVERY_REFUSAL, Refusal, act_and_redirect, attempt
from infra.web.params import DbSession, FormData, SignedIn
from markets.access import require_market_organizer
from markets.booths import services
from markets.booths.controllers import map_booth, requires_organizer
from markets.booths.models import Booth, BoothSize
from markets.booths.rules import SIZE_OPTIONS, BoothDraft
from markets.booths.svg import render_map
from markets.days.models import MarketDay

UPCOMING_DAYS = 12
NEW_BOOTH_DEFAULTS = {"size": BoothSize.STANDARD.value, "width": "3", "height": "3"}


def _form_of(booth: Booth) -> dict[str, str]:
    form = {
        "code": booth.code, "zone": booth.zone, "size": booth.size.value,
        "x": f"{booth.x:g}", "y": f"{booth.y:g}", "width": f"{booth.width:g}",
        "height": f"{booth.height:g}", "adjacent_codes": ", ".join(booth.adjacent_codes or ()),
        "position_order": str(booth.position_order),
        "properties": ", ".join(booth.properties or ()),
    }
    for flag in ("has_power", "is_corner", "is_premium"):
        if getattr(booth, flag):
            form[flag] = "on"
    return form


def _typed(data: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in data.items() if k != "_csrf_token"}


async def upcoming_days(session: AsyncSession, market_id: int) -> list[MarketDay]:
    today = seoul_today()
    rows = await session.scalars(
        select(MarketDay)
        .where(MarketDay.market_id == market_id, MarketDay.day >= today)
        .order_by(MarketDay.day)
        .limit(UPCOMING_DAYS)
    )
    return list(rows.all())


async def _console(
    db_session: AsyncSession,
    market_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    market = await services.get_market(db_session, market_id)
    booths = await services.booths_of(db_session, market_id, include_inactive=True)
    active = [b for b in booths if b.is_active]
    neighbours = services.neighbours_of(active)
    svg = render_map([map_booth(b) for b in active], title=f"{market.name} 부스 배치도")
    return Template(
        "booths/console.html",
        context={
            "market": market,
            "booths": booths,
            "neighbours": neighbours,
            "svg": svg,
            "form": form if form is not None else dict(NEW_BOOTH_DEFAULTS),
            "errors": errors or {},
            "size_options": SIZE_OPTIONS,
            "days": await upcoming_days(db_session, market_id),
            "counts": {
                "active": len(active),
                "power": sum(b.has_power for b in active),
                "premium": sum(b.is_premium for b in active),
                "corner": sum(b.is_corner for b in active),
            },
        },
        status_code=status_code,
    )


class BoothPages(Controller):
    path = "/organizer/markets/{market_id:int}/booths"
    include_in_schema = False
    guards = [requires_organizer]

    @get("/", name="booths:console")
    async def console(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int]
    ) -> Template:
        await require_market_organizer(db_session, user, market_id)
        return await _console(db_session, market_id)

    @post("/")
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        await require_market_organizer(db_session, user, market_id)

        async def create() -> Booth:
            return await services.create_booth(
                db_session, market_id, user, BoothDraft.from_form(data)
            )

        outcome = await attempt(db_session, create)
        if isinstance(outcome, Refusal):
            return await _console(
                db_session, market_id, form=_typed(data), errors=outcome.errors,
                status_code=outcome.status_code,
            )
        flash(request, f"'{outcome.code}' 부스를 추가했습니다.", category="success")
        return Redirect(f"/organizer/markets/{market_id}/booths")

    @get("/{booth_id:int}/edit", name="booths:edit")
    async def edit_form(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        booth_id: FromPath[int],
    ) -> Template:
        await require_market_organizer(db_session, user, market_id)
        market = await services.get_market(db_session, market_id)
        booth = await services.get_booth(db_session, market_id, booth_id)
        return Template(
            "booths/edit.html",
            context={"market": market, "booth": booth, "form": _form_of(booth), "errors": {},
                     "size_options": SIZE_OPTIONS},
        )

    @post("/{booth_id:int}/edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        booth_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        await require_market_organizer(db_session, user, market_id)

        async def save() -> Booth:
            return await services.update_booth(
                db_session, market_id, booth_id, user, BoothDraft.from_form(data)
            )

        outcome = await attempt(db_session, save)
        if isinstance(outcome, Refusal):
            market = await services.get_market(db_session, market_id)
            current = await services.get_booth(db_session, market_id, booth_id)
            return Template(
                "booths/edit.html",
                context={"market": market, "booth": current, "form": _typed(data),
                         "errors": outcome.errors, "size_options": SIZE_OPTIONS},
                status_code=outcome.status_code,
            )
        flash(request, f"'{outcome.code}' 부스를 저장했습니다.", category="success")
        return Redirect(f"/organizer/markets/{market_id}/booths")

    @post("/{booth_id:int}/deactivate")
    async def deactivate(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        booth_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        return await self._set_active(request, db_session, user, market_id, booth_id, data,
                                      False)

    @post("/{booth_id:int}/activate")
    async def activate(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: SignedIn,
        market_id: FromPath[int],
        booth_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        return await self._set_active(request, db_session, user, market_id, booth_id, data,
                                      True)

    async def _set_active(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, user: User,
        market_id: int, booth_id: int, data: dict[str, str], active: bool,
    ) -> Redirect:
        await require_market_organizer(db_session, user, market_id)

        async def switch() -> Booth:
            return await services.set_active(
                db_session, market_id, booth_id, user, active=active,
                reason=data.get("reason", ""),
            )

        done = "다시 사용합니다" if active else "비활성화했습니다 (이후 배정에서 빠집니다)"
        return await act_and_redirect(
            request, db_session, switch, done=lambda booth: f"'{booth.code}' 부스를 {done}.",
            to=f"/organizer/markets/{market_id}/booths", shown=EVERY_REFUSAL,
        )


ROUTES: list[Any] = [BoothPages]
