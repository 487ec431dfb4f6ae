"""The size of a group queue, from the log that the human_tasks triggers keep (models.GroupQueueSize).

A group queue's total is the sum of its lanes' log rows: a handful after a compaction, however many
tasks wait in the queue, where counting the queue itself reads one index entry per task.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, text

from ..extensions import db
from ..models import GroupQueueSize
from . import policy

_LOG = GroupQueueSize.__table__


def size_statement(roles: tuple[str, ...], department_id: int | None) -> Select[Any]:
    """The unfiltered group queue's total for someone with these roles in this department (built once per
    role set and department: tasks._group_queries, its caller, is cached)."""
    lanes = policy.group_lanes(roles, department_id)
    return (select(func.coalesce(func.sum(_LOG.c.delta), 0))
            .where(policy.lane_clause(lanes, _LOG.c.lane, _LOG.c.department_id)))


def compact_now() -> int:
    """`compact` in a transaction of its own (beat runs it every few minutes; `flask queues compact`)."""
    with db.engine.begin() as connection:
        return compact(connection)


def compact(connection: Connection) -> int:
    """Fold the log into one row per (lane, department) with tasks waiting; returns the rows removed.

    Safe beside writers and other compactions: each compaction deletes the rows it sums in the same
    statement, so no row is summed twice, and the triggers' rows written meanwhile stay for the next one.
    """
    if connection.dialect.name == "postgresql":
        return connection.execute(_PG_COMPACT).scalar_one()
    # SQLite has no DELETE in a WITH; its writers take turns, so the DELETE's rows are all there is.
    gone = connection.execute(delete(_LOG).returning(_LOG.c.lane, _LOG.c.department_id, _LOG.c.delta)).all()
    sums: dict[tuple[str, int | None], int] = defaultdict(int)
    for lane, department_id, delta in gone:
        sums[lane, department_id] += delta
    rows = [{"lane": lane, "department_id": dept, "delta": size} for (lane, dept), size in sums.items() if size]
    if rows:
        connection.execute(insert(_LOG), rows)
    return len(gone) - len(rows)


# PostgreSQL folds in one statement: the deleted rows' sums go back in as the lanes' new single rows.
_PG_COMPACT = text("""
    WITH gone AS (DELETE FROM group_queue_sizes RETURNING lane, department_id, delta),
         kept AS (INSERT INTO group_queue_sizes (lane, department_id, delta)
                  SELECT lane, department_id, sum(delta) FROM gone
                  GROUP BY lane, department_id HAVING sum(delta) <> 0
                  RETURNING 1)
    SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM kept)
""")
