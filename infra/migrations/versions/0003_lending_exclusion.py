"""lending: no unit is ever held by two active reservations at once

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Hand-written (autogenerate cannot express either half), and kept by
``tools/new_migration.py`` (autogenerate) as a separate step.

PostgreSQL: an exclusion constraint over the half-open period ``[starts_at, ends_at)``
(``ends_at`` NULL = open-ended), on active rows only. ``unit_id WITH =`` in a GiST index
needs btree_gist.

SQLite: the same rule as BEFORE INSERT / BEFORE UPDATE triggers. SQLite runs one writer at a
time, so a check inside the writing statement cannot race. A later batch migration that
rebuilds ``lending_unit_reservations`` ("move and copy") drops these triggers and must
create them again.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLE = "lending_unit_reservations"
NAME = "lending_no_double_booking"

_CLASH = f"""
    SELECT RAISE(ABORT, '{NAME}: unit already held over an overlapping period')
    WHERE EXISTS (
        SELECT 1 FROM {TABLE} AS r
        WHERE r.unit_id = NEW.unit_id AND r.active AND r.id IS NOT NEW.id
          AND (r.ends_at IS NULL OR r.ends_at > NEW.starts_at)
          AND (NEW.ends_at IS NULL OR r.starts_at < NEW.ends_at)
    );
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} EXCLUDE USING gist "
            "(unit_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (active)"
        )
    elif dialect == "sqlite":
        op.execute(
            f"CREATE TRIGGER {NAME}_insert BEFORE INSERT ON {TABLE} "
            f"WHEN NEW.active BEGIN {_CLASH} END"
        )
        op.execute(
            f"CREATE TRIGGER {NAME}_update "
            f"BEFORE UPDATE OF unit_id, starts_at, ends_at, active ON {TABLE} "
            f"WHEN NEW.active BEGIN {_CLASH} END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # btree_gist stays: dropping an extension is not this migration's business.
        op.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}")
    elif dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {NAME}_update")
        op.execute(f"DROP TRIGGER IF EXISTS {NAME}_insert")
