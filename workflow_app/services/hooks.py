"""Process-specific behaviour around the generic engine calls.

The generic service starts instances and completes tasks for any model. A process module
(workflow_app/processes/) declares hooks for its process key to store domain rows, add decision fields
to the task data, and react when the workflow moves on; the generic code finds them with
`processes.registry.hooks_for(key)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from forms import TaskForm

    from ..engine import FiredTimer, WorkflowRun
    from ..models import HumanTask, ProcessInstance, Project, User


@dataclass
class Completion:
    """Everything a hook needs to know about one task completion."""

    actor: User
    on_behalf_of: str | None
    task: HumanTask
    instance: ProcessInstance
    project: Project | None
    form: TaskForm
    task_data: dict[str, Any] = field(default_factory=dict)
    opinion: str | None = None


class ProcessHooks:
    """Override what a process needs; the defaults do nothing."""

    def form_context(self, task: HumanTask, project: Project | None) -> dict[str, Any]:
        """Extra keyword arguments for the task's form (e.g. the control amount to check against)."""
        return {}

    def initial_data(self, task: HumanTask, project: Project | None) -> dict[str, Any] | None:
        """Values a task form starts with when the page is first opened (e.g. the latest goal version)."""
        return None

    def page_context(self, task: HumanTask, project: Project | None, viewer: User) -> dict[str, Any]:
        """What the task page shows beside the form (the goal under review, earlier opinions, ...)."""
        return {}

    def task_due_at(self, instance: ProcessInstance, run: WorkflowRun, task_name: str) -> datetime | None:
        """The due date (截止) of a new task row that the BPMN gives no deadline timer (e.g. a domain deadline)."""
        return None

    def before_start(self, actor: User, project: Project | None, data: dict[str, Any]) -> None:
        pass

    def batch_project(self, data: dict[str, Any]) -> Project | None:
        """The project an instance of a batch start belongs to, read from its start data (a yearly round that
        starts one instance per project); None: the instance belongs to no project."""
        return None

    def before_complete(self, completion: Completion) -> None:
        """Validate across fields and tables, store domain rows, fill `completion.task_data`."""

    def after_step(self, instance: ProcessInstance, run: WorkflowRun, completion: Completion | None) -> None:
        """Called after every engine step (start, completion, timers), inside the same transaction."""

    def on_timers(self, instance: ProcessInstance, fired: list[FiredTimer]) -> None:
        pass
