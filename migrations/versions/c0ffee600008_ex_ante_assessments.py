"""事前绩效评估 (ex-ante assessment): assessments, their material pack and opinions; the conclusion on the project

Revision ID: c0ffee600008
Revises: c0ffee600007
Create Date: 2026-12-06 07:20:00

New tables only, and two nullable columns on projects (no project has been assessed yet, so NULL is the truth
for every existing row). Downgrade drops them.
"""
from alembic import op
import sqlalchemy as sa

import workflow_app.models.types


# revision identifiers, used by Alembic.
revision = 'c0ffee600008'
down_revision = 'c0ffee600007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ex_ante_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=10), nullable=False),
    sa.Column('basis', sa.String(length=12), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('self_grades', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('self_report', sa.Text(), nullable=False),
    sa.Column('use_third_party', sa.Boolean(), nullable=False),
    sa.Column('experts', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('grade_ratios', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('sub_grades', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('dimension_scores', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('conclusion', sa.String(length=12), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('concluded_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('conditions_acknowledged_by', sa.String(length=64), nullable=True),
    sa.Column('conditions_acknowledged_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_ex_ante_assessments_department_id_departments')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_ex_ante_assessments_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ex_ante_assessments_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ex_ante_assessments')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_ex_ante_assessments_instance_id'))
    )
    with op.batch_alter_table('ex_ante_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ex_ante_assessments_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ex_ante_assessments_fiscal_year'), ['fiscal_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_ex_ante_assessments_project_id'), ['project_id'], unique=False)

    op.create_table('ex_ante_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['ex_ante_assessments.id'], name=op.f('fk_ex_ante_materials_assessment_id_ex_ante_assessments')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_ex_ante_materials_attachment_id_attachments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ex_ante_materials'))
    )
    with op.batch_alter_table('ex_ante_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ex_ante_materials_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('ex_ante_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('grades', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['ex_ante_assessments.id'], name=op.f('fk_ex_ante_opinions_assessment_id_ex_ante_assessments')),
    sa.ForeignKeyConstraint(['task_id'], ['human_tasks.id'], name=op.f('fk_ex_ante_opinions_task_id_human_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ex_ante_opinions'))
    )
    with op.batch_alter_table('ex_ante_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ex_ante_opinions_assessment_id'), ['assessment_id'], unique=False)

    # Plain ALTER TABLE (no batch copy): many tables reference projects, and SQLite can add and drop a plain
    # nullable column in place since 3.35; a batch rebuild of projects would trip their foreign keys.
    op.add_column('projects', sa.Column('ex_ante_conclusion', sa.String(length=12), nullable=True))
    op.add_column('projects', sa.Column('ex_ante_score', sa.Numeric(precision=5, scale=2), nullable=True))


def downgrade():
    op.drop_column('projects', 'ex_ante_score')
    op.drop_column('projects', 'ex_ante_conclusion')

    with op.batch_alter_table('ex_ante_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ex_ante_opinions_assessment_id'))

    op.drop_table('ex_ante_opinions')
    with op.batch_alter_table('ex_ante_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ex_ante_materials_assessment_id'))

    op.drop_table('ex_ante_materials')
    with op.batch_alter_table('ex_ante_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ex_ante_assessments_project_id'))
        batch_op.drop_index(batch_op.f('ix_ex_ante_assessments_fiscal_year'))
        batch_op.drop_index(batch_op.f('ix_ex_ante_assessments_department_id'))

    op.drop_table('ex_ante_assessments')
