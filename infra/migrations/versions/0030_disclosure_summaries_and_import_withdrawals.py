"""Public buying: the public table of each published disclosure version, summed once (the
page reads it instead of the version's rows), filled in for the versions already published;
and withdrawals of wrong outside-purchase imports (decisions 67, 68).

Revision ID: 0030
Revises: 0034
Create Date: 2026-12-07 07:10:00
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0034"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_BATCH = 1000


def _stamps() -> list[sa.Column[Any]]:
    return [sa.Column("created_at", _AT, nullable=False),
            sa.Column("updated_at", _AT, nullable=False)]


def _fill_summaries() -> None:
    """Sum every stored version's rows by kind × enterprise type × item, as
    ``shop.procurement.disclosure.public_sums`` does for a new one (same order)."""
    conn = op.get_bind()
    sums: dict[int, dict[str, dict[tuple[str | None, str], int]]] = defaultdict(
        lambda: {"figure": defaultdict(int), "change": defaultdict(int)})
    for disclosure_id in conn.execute(sa.text("SELECT id FROM procurement_disclosures")).scalars():
        sums[int(disclosure_id)]  # a version with no rows still gets its (empty) summary
    rows = conn.execute(sa.text(
        "SELECT disclosure_id, kind, enterprise_type, category, SUM(amount) "
        "FROM procurement_disclosure_rows GROUP BY disclosure_id, kind, enterprise_type, "
        "category"))
    for disclosure_id, kind, enterprise_type, category, amount in rows:
        sums[int(disclosure_id)][kind][(enterprise_type, category)] += int(amount)
    if not sums:
        return

    def listed(found: dict[tuple[str | None, str], int]) -> list[list[Any]]:
        return [[kind, category, amount] for (kind, category), amount
                in sorted(found.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))]

    summaries = sa.table("procurement_disclosure_summaries", sa.column("disclosure_id"),
                         sa.column("figures", sa.JSON), sa.column("changes", sa.JSON),
                         sa.column("created_at"), sa.column("updated_at"))
    insert = sa.insert(summaries).values(created_at=sa.func.current_timestamp(),
                                         updated_at=sa.func.current_timestamp())
    batch: list[dict[str, Any]] = []
    for disclosure_id, kinds in sorted(sums.items()):
        batch.append({"disclosure_id": disclosure_id, "figures": listed(kinds["figure"]),
                      "changes": listed(kinds["change"])})
        if len(batch) >= _BATCH:
            conn.execute(insert, batch)
            batch = []
    if batch:
        conn.execute(insert, batch)


def upgrade() -> None:
    op.create_table(
        "procurement_disclosure_summaries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("disclosure_id", _ID, nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["disclosure_id"], ["procurement_disclosures.id"],
            name=op.f("fk_procurement_disclosure_summaries_disclosure_id_procurement_disclosures"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_disclosure_summaries")),
        sa.UniqueConstraint("disclosure_id",
                            name=op.f("uq_procurement_disclosure_summaries_disclosure_id")),
    )
    _fill_summaries()
    op.create_table(
        "procurement_outside_import_withdrawals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("import_id", _ID, nullable=False),
        sa.Column("institution_id", _ID, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("withdrawn_by", _ID, nullable=False),
        sa.Column("withdrawn_at", _AT, nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["import_id"], ["procurement_outside_imports.id"],
            name=op.f("fk_procurement_outside_import_withdrawals_import_id_procurement_outside_imports"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["procurement_institutions.id"],
            name=op.f(
                "fk_procurement_outside_import_withdrawals_institution_id_procurement_institutions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"], ["users.id"],
            name=op.f("fk_procurement_outside_import_withdrawals_withdrawn_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_outside_import_withdrawals")),
        sa.UniqueConstraint("import_id",
                            name=op.f("uq_procurement_outside_import_withdrawals_import_id")),
    )
    op.create_index(
        op.f("ix_procurement_outside_import_withdrawals_institution_id"),
        "procurement_outside_import_withdrawals", ["institution_id"], unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_procurement_outside_import_withdrawals_institution_id"),
                  table_name="procurement_outside_import_withdrawals")
    op.drop_table("procurement_outside_import_withdrawals")
    op.drop_table("procurement_disclosure_summaries")
