"""财政重点评价 (key evaluation): evaluations with their indicator tree and scores, opinions, selection marks

Revision ID: keyeval0001
Revises: selfeval0001
Create Date: 2026-12-06 09:35:34

New tables only; downgrade drops them.

"""
from alembic import op
import sqlalchemy as sa

import workflow_app.models.types


# revision identifiers, used by Alembic.
revision = 'keyeval0001'
down_revision = 'wholedept0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('key_evaluation_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('public_concern', sa.Boolean(), nullable=False),
    sa.Column('wide_coverage', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_key_evaluation_marks_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_evaluation_marks')),
    sa.UniqueConstraint('project_id', name=op.f('uq_key_evaluation_marks_project_id'))
    )
    op.create_table('key_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('agency_name', sa.String(length=200), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('findings', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('experience', sa.Text(), nullable=False),
    sa.Column('suggestions', sa.Text(), nullable=False),
    sa.Column('report_attachment_ids', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('agency_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('scored_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('objection', sa.Boolean(), nullable=True),
    sa.Column('objection_text', sa.Text(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('grade', sa.String(length=2), nullable=True),
    sa.Column('adjust_reason', sa.Text(), nullable=False),
    sa.Column('reduce_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('rectification_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_key_evaluations_department_id_departments')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_key_evaluations_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_key_evaluations_project_id_projects')),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_key_evaluations_rectification_id_rectifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_evaluations')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_key_evaluations_instance_id'))
    )
    with op.batch_alter_table('key_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_evaluations_agency'), ['agency'], unique=False)
        batch_op.create_index(batch_op.f('ix_key_evaluations_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_key_evaluations_fiscal_year'), ['fiscal_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_key_evaluations_project_id'), ['project_id'], unique=False)

    op.create_table('key_evaluation_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['key_evaluations.id'], name=op.f('fk_key_evaluation_opinions_evaluation_id_key_evaluations')),
    sa.ForeignKeyConstraint(['task_id'], ['human_tasks.id'], name=op.f('fk_key_evaluation_opinions_task_id_human_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_evaluation_opinions'))
    )
    with op.batch_alter_table('key_evaluation_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_evaluation_opinions_evaluation_id'), ['evaluation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('key_evaluation_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_evaluation_opinions_evaluation_id'))

    op.drop_table('key_evaluation_opinions')
    with op.batch_alter_table('key_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_evaluations_project_id'))
        batch_op.drop_index(batch_op.f('ix_key_evaluations_fiscal_year'))
        batch_op.drop_index(batch_op.f('ix_key_evaluations_department_id'))
        batch_op.drop_index(batch_op.f('ix_key_evaluations_agency'))

    op.drop_table('key_evaluations')
    op.drop_table('key_evaluation_marks')
