"""财政复核 as a process: the 自评表's re-check instance (process self_evaluation_recheck)

One nullable unique column; downgrade drops it.

Revision ID: recheck0001
Revises: execution0001
Create Date: 2026-12-06 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'recheck0001'
down_revision = 'execution0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('self_evaluations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recheck_instance_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_self_evaluations_recheck_instance_id', ['recheck_instance_id'])
        batch_op.create_foreign_key('fk_self_evaluations_recheck_instance_id_process_instances', 'process_instances',
                                    ['recheck_instance_id'], ['id'])


def downgrade():
    with op.batch_alter_table('self_evaluations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_self_evaluations_recheck_instance_id_process_instances', type_='foreignkey')
        batch_op.drop_constraint('uq_self_evaluations_recheck_instance_id', type_='unique')
        batch_op.drop_column('recheck_instance_id')
