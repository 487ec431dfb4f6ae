"""inbox indexes: partial indexes for the group queues, claimed-by with assignee

Revision ID: c0ffee600001
Revises: 7dc77e696cd7
Create Date: 2026-11-25 23:55:00

The group queue (ready, unclaimed, unassigned tasks of a lane, in due order) was a scan of every ready
task of the lane at 100k instances; these partial indexes hold only unheld tasks, in the queue's order.
Alembic's autogenerate does not compare expression indexes, so they are written here by hand.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee600001'
down_revision = '7dc77e696cd7'
branch_labels = None
depends_on = None

UNHELD = "state = 'ready' AND claimed_by IS NULL AND assignee IS NULL"


def upgrade():
    with op.batch_alter_table("human_tasks") as batch_op:
        batch_op.drop_index("ix_human_tasks_ready_claimed")
        batch_op.create_index("ix_human_tasks_ready_claimed", ["state", "claimed_by", "assignee"])
        # Replaced by the partial indexes: the planners preferred it for counts, then read every row.
        batch_op.drop_index("ix_human_tasks_ready_lane")
    where = dict(sqlite_where=sa.text(UNHELD), postgresql_where=sa.text(UNHELD))
    op.create_index("ix_human_tasks_group_dept", "human_tasks",
                    ["lane", "department_id", sa.text("(due_at IS NULL)"), "due_at", "id"], **where)
    op.create_index("ix_human_tasks_group_lane", "human_tasks",
                    ["lane", sa.text("(due_at IS NULL)"), "due_at", "id"], **where)


def downgrade():
    op.drop_index("ix_human_tasks_group_lane", table_name="human_tasks")
    op.drop_index("ix_human_tasks_group_dept", table_name="human_tasks")
    with op.batch_alter_table("human_tasks") as batch_op:
        batch_op.drop_index("ix_human_tasks_ready_claimed")
        batch_op.create_index("ix_human_tasks_ready_claimed", ["state", "claimed_by"])
        batch_op.create_index("ix_human_tasks_ready_lane", ["state", "lane", "department_id"])
