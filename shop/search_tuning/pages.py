"""Search tuning pages for admins (Korean, no JavaScript): the synonym table with its
versions, and the queries shoppers found nothing for, each a link to add a synonym."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from infra.auth import requires_admin
from infra.clock import seoul_today
from infra.errors import DomainError
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn
from search.synonyms import ONE_WAY
from shop.search_tuning import services
from shop.search_tuning.schemas import saved_out, table_out


def _page(name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(f"search_tuning/{name}", context=context, status_code=status_code)


class SearchTuningPages(Controller):
    path = "/admin/search"
    include_in_schema = False
    guards = [requires_admin]

    async def _synonyms(
        self,
        db_session: DbSession,
        *,
        text: str | None = None,
        note: str = "",
        base_version: int | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        row = await services.latest_version(db_session)
        current = saved_out(row) if row is not None else table_out(services.seed_table(), None)
        return _page(
            "synonyms.html",
            status_code,
            current=current,
            text=current.text if text is None else text,
            note=note,
            base_version=current.version if base_version is None else base_version,
            versions=await services.versions(db_session),
            seed_version=services.seed_table().version,
            one_way=ONE_WAY,
            errors=errors or {},
        )

    @get("/synonyms", name="search_tuning:synonyms")
    async def synonyms(
        self,
        db_session: DbSession,
        add: FromQuery[str | None] = None,
        start: FromQuery[int | None] = None,
    ) -> Template:
        """``add``: a query from the unanswered list, put on a new first line to complete;
        ``start``: edit from an older version's rules (saved as a new version)."""
        text: str | None = None
        errors: dict[str, str] = {}
        if start is not None:
            try:
                text = saved_out(await services.version_or_404(db_session, start)).text
            except DomainError as exc:
                errors["rules"] = exc.message
        if add:
            word = services.loggable_query(add)
            if word:
                row = await services.latest_version(db_session)
                base = text if text is not None else (
                    saved_out(row) if row is not None else table_out(services.seed_table(), None)
                ).text
                text = f"{word}, \n{base}"
        return await self._synonyms(db_session, text=text, errors=errors)

    @post("/synonyms", name="search_tuning:save_synonyms")
    async def save(
        self,
        request: Request[Any, Any, Any],
        user: SignedIn,
        db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        text = data.get("rules", "")
        note = data.get("note", "")
        raw_base = data.get("base_version", "")
        base = int(raw_base) if raw_base.isdigit() else -1

        async def save() -> Any:
            return await services.save_synonyms(
                db_session, text, user, base_version=base, note=note
            )

        row = await attempt(db_session, save)
        if isinstance(row, Refusal):
            errors = dict(row.errors)
            if "base_version" in errors:
                errors["rules"] = errors.pop("base_version")
            return await self._synonyms(
                db_session, text=text, note=note, base_version=base, errors=errors,
                status_code=row.status_code,
            )
        flash(
            request,
            f"동의어 버전 {row.version}을(를) 저장했습니다. 색인을 새로 만들면(곧 자동으로) "
            "검색에 적용됩니다.",
            category="success",
        )
        return Redirect("/admin/search/synonyms")

    @get("/synonyms/versions/{version:int}", name="search_tuning:version")
    async def version(self, db_session: DbSession, version: FromPath[int]) -> Template:
        row = await services.version_or_404(db_session, version)
        return _page("version.html", shown=saved_out(row))

    @get("/unanswered", name="search_tuning:unanswered")
    async def unanswered(self, db_session: DbSession, days: FromQuery[str] = "30") -> Template:
        errors: dict[str, str] = {}
        try:
            span = services.parse_days(days)
        except DomainError as exc:
            span, errors = 30, {"days": exc.message}
        today = seoul_today()
        rows = await services.top_unanswered(db_session, today=today, days=span)
        return _page(
            "unanswered.html",
            400 if errors else 200,
            rows=rows,
            days=days if errors else span,
            since=today - dt.timedelta(days=span - 1),
            until=today,
            few=services.FEW_RESULTS,
            errors=errors,
        )


ROUTES = [SearchTuningPages]
