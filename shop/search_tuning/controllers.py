"""The search tuning API for admins: synonym versions and the unanswered-query list."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from infra.auth import requires_admin
from infra.clock import seoul_today
from infra.web.params import DbSession, SignedIn
from shop.search_tuning import services
from shop.search_tuning.schemas import (
    SynonymsIn,
    SynonymTableOut,
    SynonymVersionsOut,
    UnansweredListOut,
    saved_out,
    table_out,
    unanswered_out,
    version_out,
)

TAGS = ["검색 관리 (Search tuning)"]


class SearchTuningApi(Controller):
    path = "/api/admin/search"
    tags = TAGS
    guards = [requires_admin]

    @get(
        "/synonyms",
        operation_id="getSynonyms",
        summary="다음 색인 재구성부터 쓰일 동의어 표 (최신 저장 버전, 없으면 기본 파일)",
    )
    async def current(self, db_session: DbSession) -> SynonymTableOut:
        row = await services.latest_version(db_session)
        return saved_out(row) if row is not None else table_out(services.seed_table(), None)

    @post(
        "/synonyms",
        operation_id="saveSynonyms",
        summary="동의어 표를 새 버전으로 저장 (색인을 다시 만들면 적용; 저장하면 재구성을 요청)",
        status_code=HTTP_201_CREATED,
    )
    async def save(
        self, user: SignedIn, db_session: DbSession, data: JSONBody[SynonymsIn]
    ) -> SynonymTableOut:
        row = await services.save_synonyms(
            db_session, data.text, user, base_version=data.base_version, note=data.note
        )
        return saved_out(row)

    @get("/synonyms/versions", operation_id="listSynonymVersions", summary="동의어 버전 기록")
    async def versions(self, db_session: DbSession) -> SynonymVersionsOut:
        rows = await services.versions(db_session)
        return SynonymVersionsOut(
            items=[version_out(r) for r in rows], seed_version=services.seed_table().version
        )

    @get(
        "/synonyms/versions/{version:int}",
        operation_id="getSynonymVersion",
        summary="저장된 동의어 버전 하나",
    )
    async def version(self, db_session: DbSession, version: FromPath[int]) -> SynonymTableOut:
        return saved_out(await services.version_or_404(db_session, version))

    @get(
        "/unanswered",
        operation_id="listUnansweredQueries",
        summary="결과가 없거나 적었던 검색어 (최근 N일, 많이 실패한 순; 개인정보 없음)",
    )
    async def unanswered(
        self, db_session: DbSession, days: FromQuery[str] = "30"
    ) -> UnansweredListOut:
        span = services.parse_days(days)
        today = seoul_today()
        rows = await services.top_unanswered(db_session, today=today, days=span)
        return UnansweredListOut(
            since=today - dt.timedelta(days=span - 1),
            until=today,
            items=[unanswered_out(r) for r in rows],
        )


ROUTES = [SearchTuningApi]
