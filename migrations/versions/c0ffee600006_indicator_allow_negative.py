"""an indicator may declare that its quantitative target may be negative

Revision ID: c0ffee600006
Revises: c0ffee600005
Create Date: 2026-12-06 06:45:00

A minus sign in a quantitative target was accepted silently ("-5 处" with ≥). Targets below zero are now
refused unless the filer ticks 允许负值 on that indicator (a rate or a cost to lower); existing indicators
did not declare it, so they start as false.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee600006'
down_revision = 'c0ffee600005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('indicators', sa.Column('allow_negative', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('indicators') as batch_op:
        batch_op.drop_column('allow_negative')
