"""indexes of the "mine" queue in due order

Revision ID: c0ffee600003
Revises: f318c4ce6715
Create Date: 2026-11-26 00:40:00

The held ranges of the "mine" queue (assigned to me; unassigned and claimed by me) were found by index
and then sorted whole: a person holding thousands of tasks paid for all of them on every page. These
indexes hold each range in the inbox's order. The assignee one also serves "projects with a task
assigned to me" (experts), which had no index to use.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee600003'
down_revision = 'f318c4ce6715'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_human_tasks_ready_assignee", table_name="human_tasks")
    op.drop_index("ix_human_tasks_ready_claimed", table_name="human_tasks")
    op.create_index("ix_human_tasks_assignee", "human_tasks",
                    ["assignee", "state", sa.text("(due_at IS NULL)"), "due_at", "id"])
    op.create_index("ix_human_tasks_claimed", "human_tasks",
                    ["claimed_by", "state", "assignee", sa.text("(due_at IS NULL)"), "due_at", "id"])


def downgrade():
    op.drop_index("ix_human_tasks_claimed", table_name="human_tasks")
    op.drop_index("ix_human_tasks_assignee", table_name="human_tasks")
    op.create_index("ix_human_tasks_ready_claimed", "human_tasks", ["state", "claimed_by", "assignee"])
    op.create_index("ix_human_tasks_ready_assignee", "human_tasks", ["state", "assignee"])
