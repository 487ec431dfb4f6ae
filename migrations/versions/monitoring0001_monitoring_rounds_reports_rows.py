"""绩效运行监控 (monitoring): rounds, their reports (监控表, one per project) and the reports' indicator rows

Revision ID: monitoring0001
Revises: c0ffee600008
Create Date: 2026-12-06 09:31:27

New tables only (models/monitoring.py); downgrade drops them.
"""
from alembic import op
import sqlalchemy as sa

import workflow_app.models.types


# revision identifiers, used by Alembic.
revision = 'monitoring0001'
down_revision = 'disclosure0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitoring_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('batch', sa.String(length=100), nullable=True),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_rounds')),
    sa.UniqueConstraint('year', 'month', name=op.f('uq_monitoring_rounds_year'))
    )
    with op.batch_alter_table('monitoring_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_rounds_year'), ['year'], unique=False)

    op.create_table('monitoring_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('goal_version_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('executed', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('execution_rate', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('forecast', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('overall_goal', sa.Text(), nullable=False),
    sa.Column('overall_progress', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('colour', sa.String(length=8), nullable=True),
    sa.Column('flagged_rows', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('times_submitted', sa.Integer(), nullable=False),
    sa.Column('submitted_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('business_opinion', sa.Text(), nullable=True),
    sa.Column('business_recommendation', sa.String(length=10), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('outcome_opinion', sa.Text(), nullable=True),
    sa.Column('outcome_reason', sa.Text(), nullable=True),
    sa.Column('adjusted_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('adjusted_goal_version_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('concluded_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rectification_id', sa.Integer(), nullable=True),
    sa.Column('created_at', workflow_app.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adjusted_goal_version_id'], ['goal_versions.id'], name=op.f('fk_monitoring_reports_adjusted_goal_version_id_goal_versions')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_monitoring_reports_department_id_departments')),
    sa.ForeignKeyConstraint(['goal_version_id'], ['goal_versions.id'], name=op.f('fk_monitoring_reports_goal_version_id_goal_versions')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instances.id'], name=op.f('fk_monitoring_reports_instance_id_process_instances')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_monitoring_reports_project_id_projects')),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_monitoring_reports_rectification_id_rectifications')),
    sa.ForeignKeyConstraint(['round_id'], ['monitoring_rounds.id'], name=op.f('fk_monitoring_reports_round_id_monitoring_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_reports')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_monitoring_reports_instance_id')),
    sa.UniqueConstraint('round_id', 'project_id', name=op.f('uq_monitoring_reports_round_id'))
    )
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_reports_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_reports_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_monitoring_reports_round_status', ['round_id', 'status'], unique=False)

    op.create_table('monitoring_indicator_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level1', sa.String(length=20), nullable=False),
    sa.Column('level2', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('operator', sa.String(length=4), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('progress', sa.Text(), nullable=False),
    sa.Column('forecast', sa.Text(), nullable=False),
    sa.Column('cause', sa.String(length=12), nullable=True),
    sa.Column('likelihood', sa.String(length=12), nullable=True),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('flag', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_monitoring_indicator_rows_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['report_id'], ['monitoring_reports.id'], name=op.f('fk_monitoring_indicator_rows_report_id_monitoring_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_indicator_rows'))
    )
    with op.batch_alter_table('monitoring_indicator_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_indicator_rows_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('monitoring_indicator_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_indicator_rows_report_id'))

    op.drop_table('monitoring_indicator_rows')
    with op.batch_alter_table('monitoring_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_monitoring_reports_round_status')
        batch_op.drop_index(batch_op.f('ix_monitoring_reports_project_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_reports_department_id'))

    op.drop_table('monitoring_reports')
    with op.batch_alter_table('monitoring_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_rounds_year'))

    op.drop_table('monitoring_rounds')
