"""Snack boxes: who assembles and delivers them, the organizer's closed days, cancelled boxes
(decision 37). Existing boxes are assembled by the organizer and have no closed days.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 22:24:24.019496
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

VENDOR_FK = 'fk_snack_boxes_assembler_vendor_id_vendors'
VENDOR_INDEX = 'ix_snack_boxes_assembler_vendor_id'


def upgrade() -> None:
    with op.batch_alter_table('snack_box_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'cancelled_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
            nullable=True,
        ))

    with op.batch_alter_table('snack_boxes', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'assembler_vendor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
            nullable=True,
        ))
        batch_op.add_column(sa.Column('closed_days', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f(VENDOR_INDEX), ['assembler_vendor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f(VENDOR_FK), 'vendors', ['assembler_vendor_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('snack_boxes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(VENDOR_FK), type_='foreignkey')
        batch_op.drop_index(batch_op.f(VENDOR_INDEX))
        batch_op.drop_column('closed_days')
        batch_op.drop_column('assembler_vendor_id')

    with op.batch_alter_table('snack_box_bookings', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
