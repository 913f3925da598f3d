"""Tables of search tuning: every saved version of the synonym table, and daily counts of the
queries that found nothing or little (no person, no session: only the query and the day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.base import BigIntAuditBase, BigIntBase
from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class SynonymVersion(BigIntAuditBase):
    """One saved synonym table; never changed once written, the highest version is in force
    from the next rebuild of the index (``created_at`` is when it was saved)."""

    __tablename__ = "search_synonym_versions"

    version: Mapped[int] = mapped_column(Integer, unique=True)
    #: :meth:`search.synonyms.SynonymTable.to_data` of the table.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    rule_count: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    #: Kept as written, so the history still says who after the account is gone.
    created_by_name: Mapped[str] = mapped_column(String(100), default="")


class UnansweredQuery(BigIntBase):
    """How often shoppers searched ``query`` (normalised) on a Seoul ``day`` and found
    nothing (``zero``) or fewer than a few products (``few``)."""

    __tablename__ = "search_unanswered_queries"
    __table_args__ = (UniqueConstraint("day", "query", name="uq_search_unanswered_day_query"),)

    day: Mapped[dt.date] = mapped_column(Date)
    query: Mapped[str] = mapped_column(String(100))
    zero: Mapped[int] = mapped_column(Integer, default=0)
    few: Mapped[int] = mapped_column(Integer, default=0)
