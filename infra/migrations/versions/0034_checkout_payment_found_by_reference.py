"""A checkout's payment is found by ``(kind, reference)``; the checkout no longer points at
it (issue 16, decision 76: the payment is written after the checkout, with its intent).

Every checkout's payment is the one of kind ``checkout`` whose reference is the checkout's
id (``payments`` makes one per pair, and the column only ever held that payment), so
nothing is lost; downgrading fills the column back from that pair.

Revision ID: 0034
Revises: 0028
Create Date: 2026-12-07 07:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0028"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_checkouts_payment_id_payments"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_checkouts_payment_id"), type_="unique")
        batch_op.drop_column("payment_id")


def downgrade() -> None:
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_id", _ID, nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_checkouts_payment_id"), ["payment_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_checkouts_payment_id_payments"), "payments", ["payment_id"], ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE checkouts SET payment_id = (SELECT payments.id FROM payments "
        "WHERE payments.kind = 'checkout' AND payments.reference = CAST(checkouts.id AS VARCHAR))"
    )
