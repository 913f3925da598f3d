"""Use cases of search tuning (decision 62).

Synonyms: admins save the whole table as a new version (text, one rule a line); versions
are never changed, the newest is the table the next index rebuild takes (and saving asks a
worker for that rebuild). Without any saved version the engines keep the seed file
``search/synonyms.toml``, whose version number the first saved version follows.

Unanswered queries: a search that found nothing or fewer than :data:`FEW_RESULTS` products
for its words alone (no filter, first page) records an event with the normalised query and
the number found, nothing about who searched; a worker counts it per Seoul day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra import outbox
from infra.accounts.models import User
from infra.clock import seoul_date
from infra.db import transaction
from infra.errors import Conflict, InvalidInput, NotFound
from infra.events import EventEnvelope
from search.analysis import fold, normalize
from search.query import SearchQuery
from search.synonyms import DEFAULT_FILE, SynonymSyntaxError, SynonymTable, parse_lines
from shop.search_tuning.errors import SearchTuningErrorCode as Code
from shop.search_tuning.events import SearchUnanswered, SynonymsSaved
from shop.search_tuning.models import SynonymVersion, UnansweredQuery

#: Fewer products than this for a query's words is worth an admin's look.
FEW_RESULTS: Final = 3
MAX_QUERY_CHARS: Final = 100
MAX_NOTE_CHARS: Final = 200
MAX_DAYS: Final = 366
CONSUMER: Final = "search_tuning.unanswered_counts"
#: Six digits or an ``@`` may be a phone, card or account number or an address: not logged.
_PERSONAL: Final = re.compile(r"@|(?:\d\D*){6}")


# -- synonyms -------------------------------------------------------------------------------


def seed_table() -> SynonymTable:
    """The table shipped with the code, used until an admin saves a version."""
    return SynonymTable.load(DEFAULT_FILE)


def table_of(row: SynonymVersion) -> SynonymTable:
    return SynonymTable.parse(row.rules).with_version(row.version)


async def latest_version(session: AsyncSession) -> SynonymVersion | None:
    return await session.scalar(
        select(SynonymVersion).order_by(SynonymVersion.version.desc()).limit(1)
    )


async def saved_synonyms(session: AsyncSession) -> SynonymTable | None:
    """The newest saved table, which a rebuild hands to the engine; None: keep the file's."""
    row = await latest_version(session)
    return table_of(row) if row is not None else None


async def current_synonyms(session: AsyncSession) -> SynonymTable:
    """The table in force from the next rebuild: the newest saved one, else the seed."""
    return await saved_synonyms(session) or seed_table()


async def versions(session: AsyncSession, limit: int = 100) -> list[SynonymVersion]:
    return list(
        await session.scalars(
            select(SynonymVersion).order_by(SynonymVersion.version.desc()).limit(limit)
        )
    )


async def version_or_404(session: AsyncSession, version: int) -> SynonymVersion:
    row = await session.scalar(select(SynonymVersion).where(SynonymVersion.version == version))
    if row is None:
        raise NotFound(
            Code.SYNONYM_VERSION_NOT_FOUND,
            f"동의어 버전 {version}이(가) 없습니다.",
            field="version",
        )
    return row


def _changed_meanwhile(current: int) -> Conflict:
    return Conflict(
        Code.SYNONYMS_CHANGED,
        f"그사이 다른 관리자가 동의어 버전 {current}을(를) 저장했습니다. "
        "최신 내용을 확인하고 다시 저장하세요.",
        field="base_version",
    )


async def save_synonyms(
    session: AsyncSession, text: str, user: User, *, base_version: int, note: str = ""
) -> SynonymVersion:
    """Save ``text`` as the next version; ``base_version`` is the version the admin edited,
    so an edit made on a table someone has replaced since is refused, not silently lost."""
    note = " ".join(note.split())
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(
            Code.INVALID_SYNONYMS, f"메모는 {MAX_NOTE_CHARS}자까지 쓸 수 있습니다.", field="note"
        )
    try:
        table = parse_lines(text)
    except SynonymSyntaxError as exc:
        raise InvalidInput(Code.INVALID_SYNONYMS, str(exc), field="rules") from exc
    async with transaction(session, on_integrity_error=_changed_meanwhile(base_version + 1)):
        latest = await latest_version(session)
        current = latest.version if latest is not None else seed_table().version
        if base_version != current:
            raise _changed_meanwhile(current)
        row = SynonymVersion(
            version=current + 1,
            rules=table.with_version(current + 1).to_data(),
            rule_count=len(table.same) + len(table.also),
            note=note,
            created_by_id=user.id,
            created_by_name=user.display_name,
        )
        session.add(row)
        await session.flush()
        outbox.record(session, SynonymsSaved(id=row.version))
    return row


# -- unanswered queries ---------------------------------------------------------------------


def loggable_query(q: str) -> str | None:
    """The query as it is counted (folded, single spaces, at most 100 characters), or None
    when there is nothing to count or it may carry personal data."""
    text = " ".join(fold(normalize(q)).split())[:MAX_QUERY_CHARS].strip()
    if not text or _PERSONAL.search(text):
        return None
    return text


def is_unanswered(query: SearchQuery, total: int) -> bool:
    """Whether the words alone found too little: first page, no filter narrowing them."""
    filtered = (
        bool(query.filters())
        or (query.price_min, query.price_max) != (None, None)
        or query.eco_friendly is not None
    )
    return bool(query.q) and query.page == 1 and not filtered and total < FEW_RESULTS


async def note_search(session: AsyncSession, query: SearchQuery, total: int) -> bool:
    """Record an unanswered search for the counts; True if one was recorded."""
    if not is_unanswered(query, total):
        return False
    text = loggable_query(query.q)
    if text is None:
        return False
    async with transaction(session):
        outbox.record(session, SearchUnanswered(query=text, total=total))
    return True


async def count_unanswered(session: AsyncSession, event: EventEnvelope) -> bool:
    """Count one unanswered search on its Seoul day, once per event (redelivery-safe)."""
    text = loggable_query(str(event.payload.get("query", "")))
    if text is None:
        return False
    zero = int(event.payload.get("total", 0)) == 0
    async with transaction(session):
        if not await outbox.claim(session, CONSUMER, event.event_id):
            return False
        day = seoul_date(dt.datetime.fromisoformat(event.occurred_at))
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(UnansweredQuery)
            .values(day=day, query=text, zero=0, few=0)
            .on_conflict_do_nothing(index_elements=["day", "query"])
        )
        column = UnansweredQuery.zero if zero else UnansweredQuery.few
        await session.execute(
            update(UnansweredQuery)
            .where(UnansweredQuery.day == day, UnansweredQuery.query == text)
            .values({column.key: column + 1})
        )
    return True


@dataclass(frozen=True)
class UnansweredRow:
    query: str
    zero: int
    few: int
    days: int
    last_day: dt.date

    @property
    def searches(self) -> int:
        return self.zero + self.few


def parse_days(raw: str | int | None, default: int = 30) -> int:
    if raw in (None, ""):
        return default
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise InvalidInput(
            Code.INVALID_DAYS, f"기간은 1일에서 {MAX_DAYS}일 사이로 정하세요.", field="days"
        )
    return int(text)


async def top_unanswered(
    session: AsyncSession, *, today: dt.date, days: int, limit: int = 100
) -> list[UnansweredRow]:
    """The queries that failed most often over the last ``days`` Seoul days (today included),
    most searched-without-answer first."""
    since = today - dt.timedelta(days=days - 1)
    zero = func.sum(UnansweredQuery.zero)
    few = func.sum(UnansweredQuery.few)
    rows = await session.execute(
        select(
            UnansweredQuery.query,
            zero,
            few,
            func.count(UnansweredQuery.id),
            func.max(UnansweredQuery.day),
        )
        .where(UnansweredQuery.day >= since, UnansweredQuery.day <= today)
        .group_by(UnansweredQuery.query)
        .order_by((zero + few).desc(), zero.desc(), UnansweredQuery.query)
        .limit(limit)
    )
    return [
        UnansweredRow(query=q, zero=int(z), few=int(f), days=int(n), last_day=last)
        for q, z, f, n, last in rows.all()
    ]
