"""SQLite: ledger entries cannot be deleted

PostgreSQL has refused to delete ledger entries since 0008 (``ledger_entry_guard``); the
embedded SQLite database let them go. This trigger closes that gap, so the ledger is
append-only on both. Deleting a transaction cascades to its entries and is refused the same
way. Tests empty tables the way ``TRUNCATE`` does on PostgreSQL: without firing triggers
(tests/conftest.py ``delete_rows``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 08:45:00
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TRIGGER = """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
