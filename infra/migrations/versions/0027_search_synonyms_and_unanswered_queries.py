"""Synonym versions saved by admins, and daily counts of unanswered searches (decision 62).

Revision ID: 0027
Revises: 0020
Create Date: 2026-12-07 03:00:00
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_synonym_versions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('rule_count', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_search_synonym_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonym_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_search_synonym_versions_version')),
    )
    op.create_table('search_unanswered_queries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('query', sa.String(length=100), nullable=False),
    sa.Column('zero', sa.Integer(), nullable=False),
    sa.Column('few', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_unanswered_queries')),
    sa.UniqueConstraint('day', 'query', name='uq_search_unanswered_day_query'),
    )


def downgrade() -> None:
    op.drop_table('search_unanswered_queries')
    op.drop_table('search_synonym_versions')
