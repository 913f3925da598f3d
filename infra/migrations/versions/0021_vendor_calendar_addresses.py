"""Secret calendar addresses for vendors' booth calendars (decision 49).

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-07 00:40:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('market_vendor_calendar_feeds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('vendor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_market_vendor_calendar_feeds_vendor_id_vendors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_vendor_calendar_feeds')),
    sa.UniqueConstraint('token', name=op.f('uq_market_vendor_calendar_feeds_token')),
    sa.UniqueConstraint('vendor_id', name=op.f('uq_market_vendor_calendar_feeds_vendor_id')),
    )


def downgrade() -> None:
    op.drop_table('market_vendor_calendar_feeds')
