"""Sign-up consents with their text version and time (decision 50).

Revision ID: 0022
Revises: 0017
Create Date: 2026-12-07 01:30:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_consents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('agreed', sa.Boolean(), nullable=False),
    sa.Column('answered_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_consents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_consents')),
    )
    with op.batch_alter_table('account_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_consents_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_consents_user_id'))
    op.drop_table('account_consents')
