"""group queue sizes kept by triggers

Revision ID: c0ffee600004
Revises: c0ffee600003
Create Date: 2026-11-26 06:40:00

The total of a group queue was a count of its index range: flat for most queues, but the performance
section's queue holds nearly every ready task of the county, and counting 100k index entries on every
inbox page cost more than reading the page. Triggers on human_tasks now log +1/-1 per (lane,
department) whenever a task enters or leaves the unheld ready set, in the writer's own transaction, so
the total is the sum of a few log rows (services/queue_sizes.py folds the log now and then).

The triggers belong to human_tasks: a later migration that rebuilds that table (Alembic's batch mode on
SQLite copies the table and loses its triggers) must create them again with `create_triggers`.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0ffee600004'
down_revision = 'c0ffee600003'
branch_labels = None
depends_on = None


def _unheld(row: str) -> str:
    return (f"{row}.state = 'ready' AND {row}.claimed_by IS NULL AND {row}.assignee IS NULL "
            f"AND {row}.lane IS NOT NULL")


_LOG = "INSERT INTO group_queue_sizes (lane, department_id, delta)"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER human_tasks_queue_size_insert AFTER INSERT ON human_tasks
        WHEN {_unheld('NEW')}
        BEGIN {_LOG} VALUES (NEW.lane, NEW.department_id, 1); END""",
    f"""CREATE TRIGGER human_tasks_queue_size_delete AFTER DELETE ON human_tasks
        WHEN {_unheld('OLD')}
        BEGIN {_LOG} VALUES (OLD.lane, OLD.department_id, -1); END""",
    # Only a change of membership or of lane/department is logged; a task that stays in the same
    # queue (its due date set, say) writes nothing.
    f"""CREATE TRIGGER human_tasks_queue_size_update
        AFTER UPDATE OF state, claimed_by, assignee, lane, department_id ON human_tasks
        WHEN NOT ({_unheld('OLD')} AND {_unheld('NEW')} AND OLD.lane = NEW.lane
                  AND OLD.department_id IS NEW.department_id)
        BEGIN
            {_LOG} SELECT OLD.lane, OLD.department_id, -1 WHERE {_unheld('OLD')};
            {_LOG} SELECT NEW.lane, NEW.department_id, 1 WHERE {_unheld('NEW')};
        END""",
]

POSTGRESQL_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION human_tasks_queue_size() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            was_queued boolean := false;
            is_queued boolean := false;
        BEGIN
            IF TG_OP <> 'INSERT' THEN was_queued := {_unheld('OLD')}; END IF;
            IF TG_OP <> 'DELETE' THEN is_queued := {_unheld('NEW')}; END IF;
            IF was_queued AND is_queued THEN
                IF OLD.lane = NEW.lane AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id THEN
                    RETURN NULL;
                END IF;
            END IF;
            IF was_queued THEN {_LOG} VALUES (OLD.lane, OLD.department_id, -1); END IF;
            IF is_queued THEN {_LOG} VALUES (NEW.lane, NEW.department_id, 1); END IF;
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER human_tasks_queue_size
        AFTER INSERT OR DELETE OR UPDATE OF state, claimed_by, assignee, lane, department_id ON human_tasks
        FOR EACH ROW EXECUTE FUNCTION human_tasks_queue_size()""",
]


def create_triggers() -> None:
    for statement in POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS human_tasks_queue_size ON human_tasks")
        op.execute("DROP FUNCTION IF EXISTS human_tasks_queue_size()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS human_tasks_queue_size_{name}")


def upgrade():
    op.create_table(
        "group_queue_sizes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lane", sa.String(length=50), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_queue_sizes")),
    )
    op.create_index("ix_group_queue_sizes_lane", "group_queue_sizes", ["lane", "department_id", "delta"])
    if op.get_bind().dialect.name == "postgresql":
        # Each fold deletes the rows it sums; vacuum this small table after a thousand of them rather than
        # after a fifth of it, or a sum reads past every dead index entry of the last folds.
        op.execute("ALTER TABLE group_queue_sizes SET (autovacuum_vacuum_scale_factor = 0, "
                   "autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0, "
                   "autovacuum_analyze_threshold = 1000)")
    # The queues as they stand, then every change from now on.
    op.execute(f"{_LOG} SELECT lane, department_id, count(*) FROM human_tasks AS t "
               f"WHERE {_unheld('t')} GROUP BY lane, department_id")
    create_triggers()


def downgrade():
    drop_triggers()
    op.drop_index("ix_group_queue_sizes_lane", table_name="group_queue_sizes")
    op.drop_table("group_queue_sizes")
