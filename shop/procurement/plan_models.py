"""Procurement tables, part three: yearly purchase plans (구매계획) in versions.

One ``procurement_plans`` row per institution and fiscal year is what the use cases lock
(two people publishing or amending at once are taken one after the other) and where the
first publication is fixed for the late-plan flag. Its versions are rows of their own: a
draft may be edited, a published version (``published`` or ``amended``) never changes, and
neither do its lines: the ORM refuses it (:func:`_refuse_published_change`). Amounts are
BIGINT: an institution's yearly total may exceed 2,147,483,647 won.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from shop.catalog.taxonomy import Category
from shop.procurement.plan_rules import PlanState, target_rate
from shop.procurement.record_models import AppendOnlyError


class PurchasePlan(BigIntAuditBase):
    """An institution's plan for one fiscal year: the lock, and the first publication."""

    __tablename__ = "procurement_plans"
    __table_args__ = (
        UniqueConstraint("institution_id", "fiscal_year", name="uq_procurement_plan_year"),
    )

    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer)
    #: Set once, by the first publication; the late flag reads the Seoul date.
    first_published_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    first_published_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    versions: Mapped[list[PurchasePlanVersion]] = relationship(
        lazy="selectin", order_by="PurchasePlanVersion.version", viewonly=True
    )


class PurchasePlanVersion(BigIntAuditBase):
    """One version of a plan; version 1 is the plan, every later one an amendment."""

    __tablename__ = "procurement_plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "version", name="uq_procurement_plan_version"),
        CheckConstraint("planned_total >= 0", name="ck_plan_version_planned_total"),
        CheckConstraint("target_amount >= 0 AND target_amount <= planned_total",
                        name="ck_plan_version_target_amount"),
    )

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_plans.id", ondelete="RESTRICT"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[PlanState] = mapped_column(str_enum(PlanState, "purchase_plan_state"),
                                             default=PlanState.DRAFT)
    planned_total: Mapped[int] = mapped_column(BigInteger)
    target_amount: Mapped[int] = mapped_column(BigInteger)
    #: Why the plan was amended (empty for version 1).
    reason: Mapped[str] = mapped_column(Text, default="")
    drafted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    submitted_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    published_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    published_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    lines: Mapped[list[PurchasePlanLine]] = relationship(
        lazy="selectin", order_by="PurchasePlanLine.id", cascade="all, delete-orphan"
    )

    @property
    def target_rate(self) -> Decimal | None:
        return target_rate(self.target_amount, self.planned_total)


class PurchasePlanLine(BigIntAuditBase):
    """What one department plans to buy in one item category, and its target."""

    __tablename__ = "procurement_plan_lines"
    __table_args__ = (
        UniqueConstraint("version_id", "department_id", "category",
                         name="uq_procurement_plan_line"),
        CheckConstraint("planned_amount >= 0", name="ck_plan_line_planned_amount"),
        CheckConstraint("target_amount >= 0 AND target_amount <= planned_amount",
                        name="ck_plan_line_target_amount"),
    )

    version_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_plan_versions.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_departments.id", ondelete="RESTRICT")
    )
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    planned_amount: Mapped[int] = mapped_column(BigInteger)
    target_amount: Mapped[int] = mapped_column(BigInteger)


def _refuse_published_change(_mapper: Any, _connection: Any, target: Any) -> None:
    """A version that was published (as stored) is frozen, whatever the change."""
    history = inspect(target).attrs.state.history
    before = [*history.deleted, *history.unchanged]
    if any(PlanState(s).in_force for s in before):
        raise AppendOnlyError(f"published plan version {target.id} is frozen")


def _refuse_published_line_change(_mapper: Any, connection: Any, target: Any) -> None:
    state = connection.scalar(select(PurchasePlanVersion.state)
                              .where(PurchasePlanVersion.id == target.version_id))
    if state is not None and PlanState(state).in_force:
        raise AppendOnlyError(f"lines of published plan version {target.version_id} are frozen")


event.listen(PurchasePlanVersion, "before_update", _refuse_published_change)
event.listen(PurchasePlanVersion, "before_delete", _refuse_published_change)
event.listen(PurchasePlanLine, "before_update", _refuse_published_line_change)
event.listen(PurchasePlanLine, "before_delete", _refuse_published_line_change)
