"""The search tuning API's bodies (msgspec)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from search.synonyms import SynonymTable
from shop.search_tuning.models import SynonymVersion
from shop.search_tuning.services import UnansweredRow, table_of


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class OneWayRuleOut(msgspec.Struct, kw_only=True):
    source: Annotated[str, _d("이 단어로 찾으면")]
    targets: Annotated[list[str], _d("이 단어들도 찾습니다 (반대 방향은 아님)")]


class SynonymTableOut(msgspec.Struct, kw_only=True):
    version: Annotated[int, _d("버전 (저장된 버전이 없으면 기본 파일의 버전)")]
    source: Annotated[str, _d("saved: 관리자가 저장한 버전, seed: 기본 파일")]
    text: Annotated[str, _d("편집용 글 형식: 한 줄에 규칙 하나 ('a, b, c' 또는 'a => b, c')")]
    same: Annotated[list[list[str]], _d("같은 뜻으로 묶인 단어들")]
    also: list[OneWayRuleOut]
    created_at: dt.datetime | None = None
    created_by: str | None = None
    note: str = ""


class SynonymVersionOut(msgspec.Struct, kw_only=True):
    version: int
    rule_count: int
    note: str
    created_at: dt.datetime
    created_by: str


class SynonymVersionsOut(msgspec.Struct, kw_only=True):
    items: list[SynonymVersionOut]
    seed_version: Annotated[int, _d("기본 파일(search/synonyms.toml)의 버전")]


class SynonymsIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(max_length=200_000, description="전체 동의어 규칙 (글 형식)")]
    base_version: Annotated[
        int, msgspec.Meta(ge=0, description="편집을 시작한 버전; 그사이 새 버전이 있으면 409")
    ]
    note: Annotated[str, msgspec.Meta(max_length=1_000, description="바꾼 이유 (200자까지)")] = ""


class UnansweredOut(msgspec.Struct, kw_only=True):
    query: Annotated[str, _d("정규화한 검색어")]
    zero: Annotated[int, _d("결과가 없었던 검색 수")]
    few: Annotated[int, _d("결과가 3개 미만이었던 검색 수")]
    days: Annotated[int, _d("이 검색어가 실패한 날 수")]
    last_day: Annotated[dt.date, _d("마지막으로 실패한 날 (서울)")]


class UnansweredListOut(msgspec.Struct, kw_only=True):
    since: dt.date
    until: dt.date
    items: list[UnansweredOut]


def table_out(table: SynonymTable, row: SynonymVersion | None) -> SynonymTableOut:
    return SynonymTableOut(
        version=table.version,
        source="saved" if row is not None else "seed",
        text=table.to_lines(),
        same=[list(words) for words in table.same],
        also=[OneWayRuleOut(source=s, targets=list(t)) for s, t in table.also],
        created_at=row.created_at if row is not None else None,
        created_by=row.created_by_name if row is not None else None,
        note=row.note if row is not None else "",
    )


def saved_out(row: SynonymVersion) -> SynonymTableOut:
    return table_out(table_of(row), row)


def version_out(row: SynonymVersion) -> SynonymVersionOut:
    return SynonymVersionOut(
        version=row.version,
        rule_count=row.rule_count,
        note=row.note,
        created_at=row.created_at,
        created_by=row.created_by_name,
    )


def unanswered_out(row: UnansweredRow) -> UnansweredOut:
    return UnansweredOut(
        query=row.query, zero=row.zero, few=row.few, days=row.days, last_day=row.last_day
    )
