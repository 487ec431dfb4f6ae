"""Process definitions, running instances and the human task table the inboxes read."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Department
from .project import Project
from .types import UTCDateTime, utcnow


class ProcessDefinition(db.Model):
    """One deployed version of a BPMN process (or DMN file).

    `sha256` identifies the content: the same content is never deployed twice, and a running
    instance keeps the version it started with.
    """

    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("key", "version"), UniqueConstraint("key", "sha256", name="uq_process_definitions_key_sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="bpmn")  # bpmn | dmn
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(300))
    # The XML of the process's own file, so the diagram of an old version can still be drawn.
    source_xml: Mapped[str] = mapped_column(Text, deferred=True)
    # Serialized SpiffWorkflow spec and the specs of the processes it calls (JSON, orjson bytes).
    spec_json: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InstanceStatus(str, enum.Enum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"


class ProcessInstance(db.Model):
    __tablename__ = "process_instances"
    __table_args__ = (Index("ix_process_instances_timer", "status", "next_timer_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(12), default=InstanceStatus.RUNNING.value)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    # The department that owns the work (the project's, or the starter's for processes without one).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Workflow state without its spec (orjson bytes); the spec comes from the definition.
    state: Mapped[bytes] = mapped_column(LargeBinary)
    # Bumped by every change; the write lock of one instance is taken by updating it.
    lock_version: Mapped[int] = mapped_column(default=0)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")


class TaskState(str, enum.Enum):
    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# Ready tasks that nobody holds: what a group queue lists (the partial indexes below cover exactly these).
_UNHELD = "state = 'ready' AND claimed_by IS NULL AND assignee IS NULL"


class HumanTask(db.Model):
    """One row per manual task that is or was ready.

    Inboxes query this table with indexes and never deserialize workflows. The row of a task that is
    completed stays, so that "done by me" and the history have a stable id to point at.
    """

    __tablename__ = "human_tasks"
    __table_args__ = (
        # Not unique: a task sent back or withdrawn is ready again under the same engine id (a new row).
        Index("ix_human_tasks_instance_guid", "instance_id", "task_guid"),
        # "Mine": tasks assigned to me, and unassigned tasks I claimed, each one index range in due order
        # (the inbox's order), so a page is read off the index however many tasks one holds.
        Index("ix_human_tasks_assignee", "assignee", "state", text("(due_at IS NULL)"), "due_at", "id"),
        Index("ix_human_tasks_claimed", "claimed_by", "state", "assignee", text("(due_at IS NULL)"), "due_at", "id"),
        Index("ix_human_tasks_completed_by", "completed_by", "completed_at"),
        # The group queues: ready, unheld tasks in due order (undated last), read straight off the index
        # so the first page and the count cost the same at 1k and 100k instances. One for the department
        # lanes (lane + department), one for bureau-wide lanes (lane only).
        Index("ix_human_tasks_group_dept", "lane", "department_id", text("(due_at IS NULL)"), "due_at", "id",
              sqlite_where=text(_UNHELD), postgresql_where=text(_UNHELD)),
        Index("ix_human_tasks_group_lane", "lane", text("(due_at IS NULL)"), "due_at", "id",
              sqlite_where=text(_UNHELD), postgresql_where=text(_UNHELD)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    task_guid: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(100))  # BPMN id, e.g. draft_goals
    title: Mapped[str] = mapped_column(String(200))
    process_key: Mapped[str] = mapped_column(String(100))
    form: Mapped[str | None] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(50))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64))   # fixed by the model (e.g. one expert)
    # Separation of duties (四眼原则), copied from the BPMN task's `distinct_from` property: comma-separated
    # task ids whose completers may not do this task (services/separation.py).
    distinct_from: Mapped[str | None] = mapped_column(String(300))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default=TaskState.READY.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(64))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))

    # Loaded on access, not joined: the engine paths read task rows many times per request and never need
    # these, and a many-to-one whose row is already in the session (the actor's department, the project
    # being worked on) is taken from the identity map without a query. Lists that show them join explicitly.
    instance: Mapped[ProcessInstance] = relationship()
    department: Mapped["Department | None"] = relationship()
    project: Mapped["Project | None"] = relationship()

    @property
    def owner(self) -> str | None:
        """Who holds the task now: the fixed assignee, or whoever claimed it."""
        return self.assignee or self.claimed_by


class GroupQueueSize(db.Model):
    """How many unheld ready tasks each (lane, department) has, kept as a log of +1/-1 changes.

    Written only by database triggers on human_tasks (migration c0ffee600004), so every writer (the
    engine's task sync, claims, bulk loads, hand edits) keeps it exact within its own transaction. A log
    rather than one counter row per lane: concurrent completions only insert, they never wait for each
    other on a hot row (nor deadlock when two of them move tasks between the same lanes in opposite
    orders). `services.queue_sizes.compact` folds the log into one row per lane now and then.
    """

    __tablename__ = "group_queue_sizes"
    __table_args__ = (Index("ix_group_queue_sizes_lane", "lane", "department_id", "delta"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lane: Mapped[str] = mapped_column(String(50))
    department_id: Mapped[int | None]  # no foreign key: the log is only ever summed, never joined
    delta: Mapped[int]
