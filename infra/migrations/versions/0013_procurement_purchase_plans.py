"""Yearly purchase plans of public buyers in versions: plans, versions, lines (decision 39).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:59:10.983577
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('procurement_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('institution_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('first_published_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('first_published_on', sa.Date(), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['procurement_institutions.id'], name=op.f('fk_procurement_plans_institution_id_procurement_institutions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurement_plans')),
    sa.UniqueConstraint('institution_id', 'fiscal_year', name='uq_procurement_plan_year')
    )
    with op.batch_alter_table('procurement_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procurement_plans_institution_id'), ['institution_id'], unique=False)

    op.create_table('procurement_plan_versions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'published', 'amended', name='purchase_plan_state', native_enum=False, length=40), nullable=False),
    sa.Column('planned_total', sa.BigInteger(), nullable=False),
    sa.Column('target_amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('drafted_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('submitted_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('published_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint('planned_total >= 0', name=op.f('ck_procurement_plan_versions_ck_plan_version_planned_total')),
    sa.CheckConstraint('target_amount >= 0 AND target_amount <= planned_total', name=op.f('ck_procurement_plan_versions_ck_plan_version_target_amount')),
    sa.ForeignKeyConstraint(['drafted_by'], ['users.id'], name=op.f('fk_procurement_plan_versions_drafted_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['procurement_plans.id'], name=op.f('fk_procurement_plan_versions_plan_id_procurement_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_procurement_plan_versions_published_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_procurement_plan_versions_submitted_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurement_plan_versions')),
    sa.UniqueConstraint('plan_id', 'version', name='uq_procurement_plan_version')
    )
    with op.batch_alter_table('procurement_plan_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procurement_plan_versions_plan_id'), ['plan_id'], unique=False)

    op.create_table('procurement_plan_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('category', sa.Enum('food', 'household', 'fashion_beauty', 'office_it', 'travel_leisure', 'books_education', name='category', native_enum=False, length=40), nullable=False),
    sa.Column('planned_amount', sa.BigInteger(), nullable=False),
    sa.Column('target_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.CheckConstraint('planned_amount >= 0', name=op.f('ck_procurement_plan_lines_ck_plan_line_planned_amount')),
    sa.CheckConstraint('target_amount >= 0 AND target_amount <= planned_amount', name=op.f('ck_procurement_plan_lines_ck_plan_line_target_amount')),
    sa.ForeignKeyConstraint(['department_id'], ['procurement_departments.id'], name=op.f('fk_procurement_plan_lines_department_id_procurement_departments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['procurement_plan_versions.id'], name=op.f('fk_procurement_plan_lines_version_id_procurement_plan_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurement_plan_lines')),
    sa.UniqueConstraint('version_id', 'department_id', 'category', name='uq_procurement_plan_line')
    )
    with op.batch_alter_table('procurement_plan_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procurement_plan_lines_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('procurement_plan_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_plan_lines_version_id'))

    op.drop_table('procurement_plan_lines')
    with op.batch_alter_table('procurement_plan_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_plan_versions_plan_id'))

    op.drop_table('procurement_plan_versions')
    with op.batch_alter_table('procurement_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_plans_institution_id'))

    op.drop_table('procurement_plans')
