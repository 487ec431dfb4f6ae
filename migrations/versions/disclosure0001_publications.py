"""信息公开 and the 人大 package: publish decisions on publishable documents, the packages built

Revision ID: disclosure0001
Revises: c0ffee600008
Create Date: 2026-12-06 09:50:00

New tables only; downgrade drops them.
"""
from alembic import op
import sqlalchemy as sa

import workflow_app.models.types


# revision identifiers, used by Alembic.
revision = 'disclosure0001'
down_revision = 'keyeval0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('published_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decided_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_publications_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_publications_kind'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_publications_public', ['published', 'fiscal_year'], unique=False)

    op.create_table('npc_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done_steps', sa.Integer(), nullable=False),
    sa.Column('total_steps', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_npc_packages'))
    )
    with op.batch_alter_table('npc_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_npc_packages_fiscal_year'), ['fiscal_year'], unique=False)


def downgrade():
    with op.batch_alter_table('npc_packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_npc_packages_fiscal_year'))
    op.drop_table('npc_packages')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index('ix_publications_public')
        batch_op.drop_index(batch_op.f('ix_publications_department_id'))
    op.drop_table('publications')
