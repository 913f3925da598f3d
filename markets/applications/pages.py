"""Application pages (Korean, no JavaScript): the organizer console of a market (days,
criteria, applications, jury scoring and decisions) and the vendor's market console (apply,
my applications with scores, waitlist offers, my booth days, notices).

Forms carry the CSRF token; a refused form comes back with what was typed and the message
beside its field; every success redirects with a flash.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import File, Redirect, Template
from sqlalchemy import select

from infra.accounts.models import Role, User
from infra.auth import requires_role, requires_user
from infra.clock import utcnow
from infra.errors import InvalidInput, NotFound
from infra.settings import Settings
from infra.web.forms import EVERY_REFUSAL, FORM_STATUSES, Refusal, act_and_redirect, attempt
from infra.web.params import DbSession, FormData, MultipartData, SignedIn
from markets.access import get_market, managed_markets, require_market_organizer
from markets.applications import applying, decisions, jury
from markets.applications import offers as waitlist_offers
from markets.applications import queries as applications
from markets.applications.models import APPLICATION_TRANSITIONS, Application, ApplicationDocument
from markets.applications.rules import ApplicationForm
from markets.booths.models import Booth, BoothSize
from markets.days import calendar_addresses, calendars, generation, queries
from markets.days.errors import MarketErrorCode
from markets.days.models import MarketDay, MarketDayStatus
from markets.days.pages import HELPERS
from markets.lending.models import EquipmentKit
from markets.models import Market
from markets.schedules import local_today
from shop.catalog.taxonomy import Category
from shop.vendors import documents as vendor_documents
from shop.vendors.access import vendor_for_member, vendors_of
from shop.vendors.models import DocumentKind, Vendor
from shop.vendors.rules import IncomingDocument

requires_organizer = requires_role(Role.ORGANIZER)


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# ---------------------------------------------------------------- organizer console


class OrganizerMarketPages(Controller):
    path = "/organizer/markets"
    include_in_schema = False
    guards = [requires_organizer]

    @get("/", name="markets:organizer_list")
    async def markets(self, db_session: DbSession, user: SignedIn) -> Template:
        markets = await managed_markets(db_session, user)
        return Template("market_applications/organizer_markets.html",
                        context={"markets": markets})

    async def _console(
        self, db_session: DbSession, user: User, market_id: int, *,
        errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        await require_market_organizer(db_session, user, market_id)
        market = await get_market(db_session, market_id)
        today = local_today(market.timezone)
        days = await queries.days_of_market(db_session, market.id, since=today, limit=20)
        recent = await queries.days_of_market(
            db_session, market.id, until=today, status=MarketDayStatus.HELD
        )
        return Template(
            "market_applications/organizer_market.html",
            context={
                "market": market, "days": days, "recent": recent[-5:],
                "criteria": await applications.criteria_of(db_session, market.id),
                "applications": await applications.market_applications(db_session, market.id),
                "errors": errors or {}, "form": form or {}, **HELPERS,
            },
            status_code=status_code,
        )

    @get("/{market_id:int}", name="markets:organizer_console")
    async def console(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int]
    ) -> Template:
        return await self._console(db_session, user, market_id)

    @post("/{market_id:int}/days/generate", name="markets:generate_days")
    async def generate_days(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], data: FormData,
    ) -> Redirect:
        async def open_days() -> list[MarketDay]:
            weeks = data.get("weeks", "").strip()
            if not weeks.isdigit():
                raise InvalidInput(MarketErrorCode.INVALID_NUMBER, "몇 주 앞까지 만들지 숫자로 "
                                   "입력해 주세요.", field="weeks")
            _, created = await generation.open_days_ahead(db_session, user, market_id,
                                                          int(weeks))
            return created

        return await act_and_redirect(
            request, db_session, open_days,
            done=lambda created: (f"장날 {len(created)}일을 새로 만들었습니다 "
                                  f"({created[0].day:%Y-%m-%d}~{created[-1].day:%Y-%m-%d})."
                                  if created else "새로 만들 장날이 없습니다. 이미 모두 있습니다."),
            to=f"/organizer/markets/{market_id}",
        )

    @post("/{market_id:int}/criteria")
    async def add_criterion(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def publish() -> Any:
            return await jury.add_criterion(
                db_session, market_id, user,
                jury.CriterionInput(data.get("name", ""), data.get("weight", ""),
                                    data.get("description", "")),
            )

        outcome = await attempt(db_session, publish)
        if isinstance(outcome, Refusal):
            return await self._console(db_session, user, market_id, errors=outcome.errors,
                                       form=dict(data), status_code=outcome.status_code)
        flash(request, f"심사 기준 '{outcome.name}'을(를) 공개했습니다.", category="success")
        return Redirect(f"/organizer/markets/{market_id}")

    async def _review(
        self, db_session: DbSession, user: User, application_id: int, *,
        errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        application = await applications.get_application(db_session, application_id)
        await require_market_organizer(db_session, user, application.market_id)
        market = await get_market(db_session, application.market_id)
        vendor = await db_session.get(Vendor, application.vendor_id)
        docs = (await db_session.scalars(
            select(ApplicationDocument).where(
                ApplicationDocument.application_id == application.id)
        )).all()
        return Template(
            "market_applications/organizer_application.html",
            context={
                "a": application, "market": market, "vendor": vendor,
                "detail": await applications.detail(db_session, application),
                "criteria": await applications.criteria_of(db_session, market.id),
                "history": await applications.history_with_actors(db_session, application.id),
                "documents": docs,
                "actions": [
                    (name, d) for name, d in decisions.DECISIONS.items()
                    if APPLICATION_TRANSITIONS.can(application.status, d.target)
                ],
                "errors": errors or {}, "form": form or {}, **HELPERS,
            },
            status_code=status_code,
        )

    @get("/applications/{application_id:int}", name="markets:organizer_application")
    async def review(
        self, db_session: DbSession, user: SignedIn, application_id: FromPath[int],
    ) -> Template:
        return await self._review(db_session, user, application_id)

    @post("/applications/{application_id:int}/scores")
    async def score(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def save() -> Any:
            scores: dict[int, tuple[int | str, str]] = {}
            for key, value in data.items():
                if key.startswith("score_") and key[6:].isdigit() and value.strip():
                    criterion_id = int(key[6:])
                    scores[criterion_id] = (value, data.get(f"comment_{criterion_id}", ""))
            return await jury.score(db_session, application_id, user, scores)

        # A juror of the applying vendor (403) is told so beside the scores.
        outcome = await attempt(db_session, save, shown={*FORM_STATUSES, 403})
        if isinstance(outcome, Refusal):
            return await self._review(db_session, user, application_id, errors=outcome.errors,
                                      form=dict(data), status_code=outcome.status_code)
        flash(request, "심사 점수를 저장했습니다.", category="success")
        return Redirect(f"/organizer/markets/applications/{application_id}")

    @post("/applications/{application_id:int}/decision")
    async def decision(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def decide() -> Application:
            return await decisions.decide(
                db_session, application_id, user, data.get("action", ""), data.get("reason", "")
            )

        outcome = await attempt(db_session, decide)
        if isinstance(outcome, Refusal):
            errors = outcome.errors if "reason" in outcome.errors else {"_form": outcome.message}
            return await self._review(db_session, user, application_id, errors=errors,
                                      form=dict(data), status_code=outcome.status_code)
        flash(request, f"'{outcome.status.label}'(으)로 결정했습니다.", category="success")
        return Redirect(f"/organizer/markets/applications/{application_id}")

    @post("/applications/{application_id:int}/priority")
    async def priority(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def save() -> Application:
            return await decisions.set_priority(
                db_session, application_id, user, data.get("priority_tier", ""),
                data.get("reason", ""),
            )

        outcome = await attempt(db_session, save)
        if isinstance(outcome, Refusal):
            return await self._review(db_session, user, application_id, errors=outcome.errors,
                                      form=dict(data), status_code=outcome.status_code)
        flash(request, "우선순위를 저장했습니다.", category="success")
        return Redirect(f"/organizer/markets/applications/{application_id}")


# ---------------------------------------------------------------- vendor console


SIZE_OPTIONS = [(s.value, s.label) for s in BoothSize]


def _kit_label(kit: EquipmentKit) -> str:
    parts = ", ".join(f"{c.item.name} {c.quantity}" for c in kit.components)
    return f"{kit.name} ({parts})" if parts else kit.name


async def _read_documents(settings: Settings, data: dict[str, Any]) -> list[IncomingDocument]:
    files = []
    raw_uploads = data.get("documents")
    uploads: list[Any] = raw_uploads if isinstance(raw_uploads, list) else [raw_uploads]
    for upload in uploads:
        if upload is not None and hasattr(upload, "read") and upload.filename:
            content = await upload.read(settings.max_upload_bytes + 1)
            files.append(IncomingDocument(
                kind=DocumentKind.OTHER,
                filename=upload.filename, declared_type=upload.content_type or "",
                data=content,
            ))
    return files


class VendorMarketPages(Controller):
    path = "/console/markets"
    include_in_schema = False
    guards = [requires_user]

    async def _vendor(
        self, db_session: DbSession, user: User, vendor_id: int | None
    ) -> tuple[Vendor | None, list[Vendor]]:
        mine = await vendors_of(db_session, user)
        if vendor_id is not None:
            return await vendor_for_member(db_session, user, vendor_id), mine
        return (mine[0] if mine else None), mine

    @get("/", name="markets:vendor_console")
    async def console(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromQuery[int | None] = None,
    ) -> Template:
        vendor, mine = await self._vendor(db_session, user, vendor_id)
        context: dict[str, Any] = {"vendor": vendor, "mine": mine, **HELPERS}
        if vendor is not None:
            applied = await applications.vendor_applications(db_session, [vendor.id])
            markets = {m.id: m for m in (await db_session.scalars(select(Market))).all()}
            offers = await applications.offers_for(db_session, [vendor.id])
            day_ids = [o.freed_market_day_id for o in offers if o.freed_market_day_id]
            booth_ids = [o.freed_booth_id for o in offers if o.freed_booth_id]
            context.update(
                markets=markets,
                all_markets=sorted(markets.values(), key=lambda m: m.id),
                applications=[(a, await applications.detail(db_session, a)) for a in applied],
                offers=offers,
                offer_days={d.id: d for d in (await db_session.scalars(
                    select(MarketDay).where(MarketDay.id.in_(day_ids or [0]))
                )).all()},
                offer_booths={b.id: b.code for b in (await db_session.scalars(
                    select(Booth).where(Booth.id.in_(booth_ids or [0]))
                )).all()},
                booth_days=await calendars.booth_days(
                    db_session, vendor.id, since=local_today()
                ),
                past_days=[
                    e for e in await calendars.booth_days(db_session, vendor.id)
                    if e.day.opens_at <= utcnow() and e.day.status is not MarketDayStatus.CANCELLED
                ][-8:],
                notices=await queries.notices_for(db_session, [vendor.id]),
                app_by_id={a.id: a for a in applied},
                calendar_path=calendar_addresses.feed_path(
                    await calendar_addresses.token_of(db_session, vendor.id)
                ),
            )
        return Template("market_applications/vendor_console.html", context=context)

    @post("/calendar/reset", name="markets:reset_calendar")
    async def reset_calendar(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        vendor_id: FromQuery[int],
    ) -> Redirect:
        async def reset() -> Vendor:
            vendor = await vendor_for_member(db_session, user, vendor_id)
            await calendar_addresses.reset(db_session, vendor.id)
            return vendor

        return await act_and_redirect(
            request, db_session, reset,
            done=("달력 구독 주소를 새로 만들었습니다. 이전 주소로 구독한 달력은 더 이상 "
                  "갱신되지 않으니 새 주소로 다시 구독해 주세요."),
            to=lambda v: f"/console/markets?vendor_id={v.id}",
            refused_to="/console/markets", shown=EVERY_REFUSAL,
        )

    async def _apply_form(
        self, db_session: DbSession, user: User, market_id: int, vendor_id: int | None, *,
        form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        vendor, mine = await self._vendor(db_session, user, vendor_id)
        market = await get_market(db_session, market_id)
        seasons = applying.open_seasons(market)
        now = utcnow()
        days = [
            d for s in seasons for d in await applications.season_days(db_session, market.id, s)
            if d.status is MarketDayStatus.SCHEDULED and d.opens_at > now
        ]
        kits = (await db_session.scalars(
            select(EquipmentKit)
            .where(EquipmentKit.market_id == market.id, EquipmentKit.is_active.is_(True))
            .order_by(EquipmentKit.name)
        )).all()
        return Template(
            "market_applications/apply.html",
            context={
                "vendor": vendor, "mine": mine, "market": market, "seasons": seasons,
                "days": days, "categories": list(Category), "sizes": SIZE_OPTIONS,
                "kits": [(str(k.id), _kit_label(k)) for k in kits],
                "criteria": await applications.criteria_of(db_session, market.id),
                # The first season that still has days to come (in December, next year's).
                "form": form or {"season": str(next((d.day.year for d in days), seasons[0])),
                                 "whole_season": "on",
                                 "tables_needed": "1", "min_booth_size": "small"},
                "errors": errors or {}, **HELPERS,
            },
            status_code=status_code,
        )

    @get("/apply", name="markets:apply")
    async def apply_form(
        self, db_session: DbSession, user: SignedIn, market_id: FromQuery[int],
        vendor_id: FromQuery[int | None] = None,
    ) -> Template:
        return await self._apply_form(db_session, user, market_id, vendor_id)

    @post("/apply")
    async def apply(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromQuery[int], data: MultipartData,
    ) -> Template | Redirect:
        def many(name: str) -> list[str]:
            value = data.get(name)
            items = value if isinstance(value, list) else [value]
            return [str(v) for v in items if isinstance(v, str) and v.strip()]

        def text(name: str) -> str:
            value = data.get(name)
            return value if isinstance(value, str) else ""

        vendor_id = int(text("vendor_id")) if text("vendor_id").isdigit() else None
        kit_id = int(text("kit_id")) if text("kit_id").strip().isdigit() else None

        async def submit() -> Application:
            form = ApplicationForm(
                season=text("season"), whole_season=bool(text("whole_season")),
                market_day_ids=tuple(many("market_day_ids")),
                categories=tuple(many("categories")),
                needs_power=bool(text("needs_power")), tables_needed=text("tables_needed"),
                needs_tent=bool(text("needs_tent")), min_booth_size=text("min_booth_size"),
                preferred_zones=tuple(z.strip() for z in text("preferred_zones").split(",")),
                preferred_booth_codes=tuple(
                    c.strip() for c in text("preferred_booth_codes").split(",")
                ),
                note=text("note"), wants_premium_booth=bool(text("wants_premium_booth")),
                only_wishes=bool(text("only_wishes")),
                needs_properties=tuple(
                    c.strip() for c in text("needs_properties").split(",") if c.strip()
                ),
                booths_min=text("booths_min") or 1, booths_max=text("booths_max") or 1,
            )
            files = await _read_documents(_settings(request), data)
            if vendor_id is None:
                raise NotFound(MarketErrorCode.VENDOR_NOT_FOUND, "신청할 기업을 고르세요.",
                               field="vendor_id")
            if text("kit_id").strip() and kit_id is None:
                raise InvalidInput(MarketErrorCode.INVALID_CHOICE,
                                   "장비 세트를 목록에서 고르세요.", field="kit_id")
            return await applying.apply(
                db_session, user, vendor_id, market_id, form, files,
                settings=_settings(request), kit_id=kit_id,
            )

        # Not a member of the chosen vendor (403), no vendor chosen (404): shown on the form.
        outcome = await attempt(db_session, submit, shown=EVERY_REFUSAL)
        if isinstance(outcome, Refusal):
            typed: dict[str, Any] = {
                k: v for k, v in data.items() if isinstance(v, str) and k != "_csrf_token"
            }
            typed["categories"] = many("categories")
            typed["market_day_ids"] = many("market_day_ids")
            return await self._apply_form(
                db_session, user, market_id, vendor_id, form=typed,
                errors=outcome.errors, status_code=outcome.status_code,
            )
        flash(request, f"{outcome.season} 시즌 참가 신청을 접수했습니다."
              + (" 장비 세트도 함께 예약했습니다." if kit_id is not None else ""),
              category="success")
        return Redirect(f"/console/markets?vendor_id={outcome.vendor_id}")

    @post("/applications/{application_id:int}/withdraw")
    async def withdraw(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], data: FormData,
    ) -> Redirect:
        async def withdraw() -> Application:
            return await applying.withdraw(
                db_session, application_id, user, data.get("reason", "")
            )

        return await act_and_redirect(
            request, db_session, withdraw, done="신청을 철회했습니다.",
            to=lambda a: f"/console/markets?vendor_id={a.vendor_id}",
            refused_to="/console/markets", shown=EVERY_REFUSAL,
        )

    @post("/offers/{offer_id:int}")
    async def answer_offer(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        offer_id: FromPath[int], data: FormData,
    ) -> Redirect:
        accept = data.get("answer") == "accept"

        async def answer() -> Any:
            return await waitlist_offers.answer_offer(db_session, offer_id, user, accept)

        return await act_and_redirect(
            request, db_session, answer,
            done="자리를 받았습니다. 선정되었습니다!" if accept
            else "제안을 거절했습니다. 다음 순번에 제안됩니다.",
            to="/console/markets", shown=EVERY_REFUSAL,
        )

    @get("/applications/{application_id:int}/documents/{document_id:int}",
         name="markets:application_document")
    async def document(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], document_id: FromPath[int],
    ) -> File:
        """Attachments for the vendor's members and organizers only (private storage)."""
        application = await applications.visible_application(db_session, user, application_id)
        doc = await db_session.get(ApplicationDocument, document_id)
        path = (
            vendor_documents.resolve(_settings(request), doc.storage_path)
            if doc is not None and doc.application_id == application.id else None
        )
        if doc is None or path is None:
            raise NotFound(MarketErrorCode.DOCUMENT_NOT_FOUND, "서류를 찾을 수 없습니다.",
                           field="document_id")
        return File(path=path, filename=doc.filename, media_type=doc.content_type,
                    content_disposition_type="attachment",
                    headers={"Cache-Control": "private, no-store",
                             "X-Content-Type-Options": "nosniff"})


ROUTES: list[Any] = [OrganizerMarketPages, VendorMarketPages]
