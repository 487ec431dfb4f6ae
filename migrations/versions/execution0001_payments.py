"""预算执行 (budget execution): the payment system's imports and the payments per project and month

Revision ID: execution0001
Revises: monitoring0001
Create Date: 2026-12-06 09:50:00

New tables only. Downgrade drops them.
"""
from alembic import op
import sqlalchemy as sa

import workflow_app.models.types


# revision identifiers, used by Alembic.
revision = 'execution0001'
down_revision = 'monitoring0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_payment_imports_sha256'), 'payment_imports', ['sha256'], unique=False)
    op.create_table('payment_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name='ck_payment_records_month'),
    sa.CheckConstraint('amount >= 0', name='ck_payment_records_amount'),
    sa.ForeignKeyConstraint(['import_id'], ['payment_imports.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'year', 'month', name='uq_payment_records_project_month')
    )
    op.create_index('ix_payment_records_year_month', 'payment_records', ['year', 'month'], unique=False)
    op.create_index(op.f('ix_payment_records_import_id'), 'payment_records', ['import_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_payment_records_import_id'), table_name='payment_records')
    op.drop_index('ix_payment_records_year_month', table_name='payment_records')
    op.drop_table('payment_records')
    op.drop_index(op.f('ix_payment_imports_sha256'), table_name='payment_imports')
    op.drop_table('payment_imports')
