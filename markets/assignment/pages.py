"""The assignment board (organizers) and the public market-day map (everyone).

The board shows the draft as a map and a table, the vendors left out with their reasons,
forms to move, swap or unassign (each needs a reason, kept in the audit log below them),
and the publish / reopen buttons. Works without JavaScript; a refused form comes back
with the message beside its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.errors import InvalidInput
from infra.web.forms import EVERY_REFUSAL, Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn
from markets.access import require_market_organizer
from markets.assignment import boards, moves, policy, publishing, queries, regulars, runs
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.models import BoardStatus
from markets.assignment.problem import UnplacedReason
from markets.booths.controllers import map_booth, requires_organizer
from markets.booths.services import booths_of, get_market
from markets.booths.svg import render_map
from shop.catalog.taxonomy import Category


def _int(value: str | None) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return 0


#: What the organizer types in a what-if "고정 부스" box to suppose the vendor has none.
NO_BOOTH = frozenset({"없음", "-"})


def _suppositions(data: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """The what-if boxes named ``<prefix><vendor id>`` the organizer filled (blank ones
    keep the vendor as it is), keyed by the vendor id as typed."""
    return {
        k.removeprefix(prefix): str(v).strip()
        for k, v in data.items()
        if k.startswith(prefix) and str(v).strip()
    }


@dataclass(frozen=True)
class PreviewChanges:
    """A what-if run against the board as it is: who would sit elsewhere, who would lose
    their place (with why), who would gain one."""

    moved: list[runs.WhatIfRow]
    unplaced: list[runs.WhatIfRow]
    placed: list[runs.WhatIfRow]


def preview_changes(preview: runs.WhatIf) -> PreviewChanges:
    changed = [r for r in preview.rows if r.changed]
    return PreviewChanges(
        moved=[r for r in changed if r.booth_codes and r.now_booth_codes],
        unplaced=[r for r in changed if not r.booth_codes],
        placed=[r for r in changed if not r.now_booth_codes],
    )


def board_url(market_id: int, day_id: int) -> str:
    return f"/organizer/markets/{market_id}/days/{day_id}/assignment"


async def _refused_board(
    db_session: AsyncSession, user: User | None, market_id: int, day_id: int,
    section: str, refusal: Refusal, data: Mapping[str, Any], *, strip: str = "",
    with_message: bool = False,
) -> Template:
    """The board again with a form's refusal beside its fields (``section.field``) and what
    was typed kept; ``strip`` drops a prefix the use case puts on its field names."""
    errors = {f"{section}.{k.removeprefix(strip)}": v for k, v in refusal.errors.items()}
    if with_message:
        errors[f"{section}._form"] = refusal.message
    form = {f"{section}.{k}": str(v) for k, v in data.items() if k != "_csrf_token"}
    return await _board_page(
        db_session, user, market_id, day_id, errors=errors, form=form,
        status_code=refusal.status_code,
    )


async def _board_page(
    db_session: AsyncSession,
    user: User | None,
    market_id: int,
    day_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
    preview: runs.WhatIf | None = None,
    assumed: list[tuple[int, str]] | None = None,
) -> Template:
    await require_market_organizer(db_session, user, market_id)
    market = await get_market(db_session, market_id)
    day = await boards.get_day(db_session, market_id, day_id)
    view = await queries.board_view(db_session, day)
    booths = await booths_of(db_session, market_id, include_inactive=True)
    names = {p.booth.code: p.vendor_name for p in view.placements}
    names.update({c: p.vendor_name for p in view.placements for c in p.block_codes})
    state = view.status.label if view.status else "배정 전"
    shown = [b for b in booths if b.is_active or b.code in names]
    svg = render_map(
        [map_booth(b) for b in shown], vendor_names=names,
        title=f"{market.name} {day.day.isoformat()} 배정 ({state})",
    )
    taken = set(names)
    regular_rows = await regulars.regulars_of(db_session, market_id, day.day.year)
    vendor_names = {u.vendor_id: u.vendor_name for u in [*view.unplaced, *view.not_yet_run]}
    vendor_names.update({p.vendor_id: p.vendor_name for p in view.placements})
    own: dict[int, list[str]] = {}
    for r in regular_rows:
        own.setdefault(r.vendor_id, []).append(r.booth_code)
    active = [b for b in booths if b.is_active]
    # 묶음 옮기기: per vendor holding several booths, the runs it can move to (its own
    # booths count as empty, so a shift by one along the row is offered).
    block_forms = [
        (str(p.vendor_id), p.vendor_name, p.block_label, [
            (run[0], " + ".join(run))
            for run in moves.block_moves(
                active, frozenset((p.booth.code, *p.block_codes)), frozenset(taken)
            )
        ])
        for p in view.placements if p.block_codes
    ]
    # 미리 보기의 가정 표: every vendor booked on the day and still holding it (a no-show
    # gave its day up: the preview does not place it), its tier and own booth now.
    whatif_vendors = sorted(
        (
            (str(a.vendor_id), vendor_names.get(a.vendor_id, f"#{a.vendor_id}"),
             a.priority_tier, " + ".join(own.get(a.vendor_id, ())))
            for a in await queries.attending_applications(db_session, day)
        ),
        key=lambda row: (row[1], row[0]),
    )
    return Template(
        "assignment/board.html",
        context={
            "market": market,
            "day": day,
            "view": view,
            "svg": svg,
            "free_booths": [b for b in booths if b.is_active and b.code not in taken],
            "placed_options": [(str(p.vendor_id), f"{p.booth.code} · {p.vendor_name}")
                               for p in view.placements],
            "movable_options": [
                (str(v.vendor_id), v.vendor_name)
                for v in [*view.unplaced, *view.not_yet_run]
            ] + [(str(p.vendor_id), f"{p.vendor_name} ({p.booth.code})") for p in view.placements],
            "caps": await policy.policy_of(db_session, market_id),
            "regulars": regular_rows,
            "vendor_names": vendor_names,
            "booked_options": sorted(
                ((str(k), v) for k, v in vendor_names.items()), key=lambda kv: kv[1]
            ),
            "categories_all": list(Category),
            "reason_codes": list(UnplacedReason),
            "is_draft": view.status in (None, BoardStatus.DRAFT),
            "errors": errors or {},
            "form": form or {},
            "category_labels": queries.category_labels,
            "preview": preview,
            "changes": preview_changes(preview) if preview else None,
            "assumed": assumed or [],
            "whatif_vendors": whatif_vendors,
            "block_forms": block_forms,
            "no_booth_words": " 또는 ".join(f"'{w}'" for w in sorted(NO_BOOTH)),
            "reason_label": queries.reason_label,
            "reserved_now": sorted(await policy.reserved_properties_of(db_session, market_id)),
        },
        status_code=status_code,
    )


class AssignmentPages(Controller):
    path = "/organizer/markets/{market_id:int}"
    include_in_schema = False
    guards = [requires_organizer]

    @get("/days/{day_id:int}/assignment", name="assignment:board")
    async def board(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int],
    ) -> Template:
        return await _board_page(db_session, user, market_id, day_id)

    async def _act(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        user: User,
        market_id: int,
        day_id: int,
        data: dict[str, str],
        action: str,
        section: str = "",
    ) -> Template | Redirect:
        async def act() -> str:
            """Run the board action; what to tell the organizer it did."""
            reason = data.get("reason", "")
            if action == "run":
                summary = await runs.run_assignment(
                    db_session, market_id, user, day_ids=[day_id], reason=reason
                )
                return (
                    f"자동 배정 초안을 만들었습니다: {sum(summary.placed.values())}곳 배정, "
                    f"{sum(summary.unplaced.values())}곳 미배정 ({summary.seconds:.2f}초)."
                )
            if action == "run-season":
                day = await boards.get_day(db_session, market_id, day_id)
                summary = await runs.run_assignment(
                    db_session, market_id, user, season=day.day.year, reason=reason
                )
                return (
                    f"{day.day.year} 시즌 게시 전 장날 {len(summary.day_ids)}일의 배정 초안을 "
                    f"만들었습니다 ({summary.seconds:.2f}초)."
                )
            if action == "move":
                whole = bool(data.get("whole_block"))
                await (moves.move_block if whole else moves.move)(
                    db_session, market_id, day_id, user, vendor_id=_int(data.get("vendor_id")),
                    booth_code=data.get("booth_code", ""), reason=reason,
                )
                how = "부터 묶음째" if whole else "로"
                return f"{data.get('booth_code', '')} 부스{how} 옮겼습니다."
            if action == "swap":
                await moves.swap(
                    db_session, market_id, day_id, user, vendor_id=_int(data.get("vendor_id")),
                    other_vendor_id=_int(data.get("other_vendor_id")), reason=reason,
                )
                return "두 업체의 자리를 바꿨습니다."
            if action == "unassign":
                await moves.unassign(
                    db_session, market_id, day_id, user, vendor_id=_int(data.get("vendor_id")),
                    reason=reason,
                )
                return "배정을 취소했습니다."
            if action == "publish":
                await publishing.publish(db_session, market_id, day_id, user, reason=reason)
                return "배정을 게시했습니다. 업체에 알림이 갑니다."
            await publishing.reopen(db_session, market_id, day_id, user, reason=reason)
            return "배정을 다시 열었습니다. 고친 뒤 다시 게시해 주세요."

        # A vendor or booth not found (404) is told beside the form that named it.
        outcome = await attempt(db_session, act, shown=EVERY_REFUSAL)
        if isinstance(outcome, Refusal):
            return await _refused_board(db_session, user, market_id, day_id,
                                        section or action, outcome, data, with_message=True)
        flash(request, outcome, category="success")
        return Redirect(board_url(market_id, day_id))

    @post("/days/{day_id:int}/assignment/run")
    async def run(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, market_id, day_id, data, "run")

    @post("/days/{day_id:int}/assignment/run-season")
    async def run_season(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, market_id, day_id, data, "run-season")

    @post("/days/{day_id:int}/assignment/move")
    async def move(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        # A block's own form (묶음 옮기기) gets its refusal beside itself.
        block = f"block.{data.get('vendor_id', '')}" if data.get("block_form") else ""
        return await self._act(request, db_session, user, market_id, day_id, data, "move",
                               block)

    @post("/days/{day_id:int}/assignment/swap")
    async def swap(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, market_id, day_id, data, "swap")

    @post("/days/{day_id:int}/assignment/unassign")
    async def unassign(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, market_id, day_id, data, "unassign")

    @post("/days/{day_id:int}/assignment/publish")
    async def publish(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, market_id, day_id, data, "publish")

    @post("/days/{day_id:int}/assignment/reopen")
    async def reopen(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, market_id, day_id, data, "reopen")

    @post("/days/{day_id:int}/assignment/policy")
    async def policy(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        caps: dict[str, object] = {
            k.removeprefix("cap."): v for k, v in data.items() if k.startswith("cap.")
        }

        async def save() -> dict[str, int]:
            return await policy.set_category_caps(db_session, market_id, user, caps)

        outcome = await attempt(db_session, save, shown=EVERY_REFUSAL)
        if isinstance(outcome, Refusal):
            return await _refused_board(db_session, user, market_id, day_id, "policy", outcome,
                                        data, strip="category_caps.")
        done = "품목별 상한을 저장했습니다. 다음 자동 배정부터 적용됩니다."
        flash(request, done, category="success")
        return Redirect(board_url(market_id, day_id))


    @post("/days/{day_id:int}/assignment/what-if")
    async def what_if(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        day_id: FromPath[int], data: FormData,
    ) -> Template:
        """미리 보기: the board with the day placed under the rules and suppositions typed
        in the form (category caps, reserved properties, a vendor's tier ``tier.<id>``, a
        vendor's own booth ``regular.<id>``), compared with the board as it is; nothing
        saved, nothing published."""
        caps: dict[str, object] = {
            k.removeprefix("cap."): v for k, v in data.items() if k.startswith("cap.")
        }
        reserved = [
            p.strip() for p in str(data.get("reserved_properties") or "").split(",") if p.strip()
        ]
        tiers = _suppositions(data, "tier.")
        own = {
            k: (None if v in NO_BOOTH else v) for k, v in _suppositions(data, "regular.").items()
        }

        async def preview() -> runs.WhatIf:
            return await runs.what_if(
                db_session, market_id, user, day_id=day_id, category_caps=caps,
                reserved_properties=reserved, tiers=dict(tiers), regulars=dict(own),
            )

        outcome = await attempt(db_session, preview, shown=EVERY_REFUSAL)
        if isinstance(outcome, Refusal):
            return await _refused_board(db_session, user, market_id, day_id, "whatif", outcome,
                                        data, strip="category_caps.", with_message=True)
        form = {f"whatif.{k}": str(v) for k, v in data.items() if k != "_csrf_token"}
        # Every key was checked by the use case (a vendor booked on the day).
        assumed = [(int(k), f"우선순위 {v}") for k, v in tiers.items()] + [
            (int(k), f"고정 부스 {v or '없음'}") for k, v in own.items()
        ]
        return await _board_page(db_session, user, market_id, day_id, form=form,
                                 preview=outcome, assumed=assumed)

    async def _regulars_form(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, user: User,
        market_id: int, day_id: int, data: FormData, save: Any, done: str,
    ) -> Template | Redirect:
        outcome = await attempt(db_session, save, shown=EVERY_REFUSAL)
        if isinstance(outcome, Refusal):
            return await _refused_board(db_session, user, market_id, day_id, "regulars",
                                        outcome, data)
        flash(request, done, category="success")
        return Redirect(board_url(market_id, day_id))

    @post("/days/{day_id:int}/assignment/regulars")
    async def grant_regular(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        """고정 부스 지정 for the day's season (the day's year)."""
        day = await boards.get_day(db_session, market_id, day_id)

        async def save() -> object:
            return await regulars.grant_regular_booth(
                db_session, market_id, user, season=day.day.year,
                vendor_id=_vendor_id(data), booth_code=str(data.get("booth_code") or ""),
                reason=str(data.get("reason") or ""), add=bool(data.get("add")),
            )

        return await self._regulars_form(
            request, db_session, user, market_id, day_id, data, save,
            "고정 부스를 지정했습니다. 다음 자동 배정부터 적용됩니다.",
        )

    @post("/days/{day_id:int}/assignment/regulars/end")
    async def end_regular(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        day = await boards.get_day(db_session, market_id, day_id)

        async def save() -> None:
            await regulars.end_regular_booth(
                db_session, market_id, user, season=day.day.year, vendor_id=_vendor_id(data),
                booth_code=str(data.get("booth_code") or "") or None,
            )

        return await self._regulars_form(
            request, db_session, user, market_id, day_id, data, save,
            "고정 부스를 해제했습니다. 다음 자동 배정부터 적용됩니다.",
        )

    @post("/days/{day_id:int}/assignment/years")
    async def years(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        """연차 (years at this market) of one vendor."""

        async def save() -> int:
            return await regulars.set_years_at_market(
                db_session, market_id, user, vendor_id=_vendor_id(data),
                years=data.get("years_at_market"),
            )

        return await self._regulars_form(
            request, db_session, user, market_id, day_id, data, save,
            "연차를 저장했습니다. 다음 자동 배정부터 적용됩니다.",
        )


def _vendor_id(data: FormData) -> int:
    """The chosen vendor of a form; none chosen is a refusal naming the field."""
    text = str(data.get("vendor_id") or "").strip()
    if not text.isdigit():
        raise InvalidInput(Code.INVALID_REGULAR, "업체를 고르세요.", field="vendor_id")
    return int(text)


class PublicMapPages(Controller):
    """The public market-day map: who is selling where (published assignments only)."""

    path = "/markets/{market_id:int}/days/{day_id:int}"
    include_in_schema = False

    async def _svg(
        self, db_session: AsyncSession, market_id: int, day_id: int
    ) -> tuple[Any, Any, str, bool]:
        market = await get_market(db_session, market_id)
        day = await boards.get_day(db_session, market_id, day_id)
        names = await queries.published_names(db_session, day.id)
        published = await queries.board_status(db_session, day.id) is BoardStatus.PUBLISHED
        booths = await booths_of(db_session, market_id)
        svg = render_map(
            [map_booth(b) for b in booths], vendor_names=names,
            title=f"{market.name} {day.day.isoformat()} 부스 배치도",
        )
        return market, day, svg, published

    @get("/map", name="markets:day_map")
    async def day_map(
        self, db_session: DbSession, market_id: FromPath[int], day_id: FromPath[int]
    ) -> Template:
        market, day, svg, published = await self._svg(db_session, market_id, day_id)
        names = await queries.published_names(db_session, day.id)
        return Template(
            "assignment/day_map.html",
            context={"market": market, "day": day, "svg": svg, "published": published,
                     "sellers": sorted(names.items())},
        )

    @get("/map.svg", name="markets:day_map_svg")
    async def day_map_svg(
        self, db_session: DbSession, market_id: FromPath[int], day_id: FromPath[int]
    ) -> Response[str]:
        _, _, svg, _ = await self._svg(db_session, market_id, day_id)
        return Response(svg, media_type="image/svg+xml; charset=utf-8")


ROUTES: list[Any] = [AssignmentPages, PublicMapPages]
