"""Running one workflow instance: start, load, complete a task, fire timers, save.

`WorkflowRun` wraps a SpiffWorkflow `BpmnWorkflow`. It knows nothing of the database: the service layer
loads the state bytes under a row lock, calls one of these methods and writes the bytes back, together
with the human task rows it derives from `ready_tasks()`, in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState as SpiffState

from .clock import now
from .specs import REGISTRY

TIMER_EVENT_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}
STATE_FORMAT = "wf-1"  # our own envelope around Spiff's dict (no spec inside)
_TYPENAME = REGISTRY.typenames[BpmnWorkflow]
# The converter of BpmnWorkflow, used piecewise so that the spec is never converted or restored per call.
_WF_CONVERTER = REGISTRY.convert_to_dict[_TYPENAME].args[1].__self__


class EngineError(Exception):
    """The model itself failed (a script or condition raised): a problem for an administrator."""


class TaskNotReady(Exception):
    """The task is no longer ready (completed or cancelled meanwhile)."""


@dataclass(frozen=True)
class ReadyTask:
    guid: str
    bpmn_id: str
    title: str
    lane: str | None
    form: str | None
    department_scope: str        # "project" or "competent"
    assignee: str | None
    due_at: datetime | None
    distinct_from: str | None = None  # task ids whose completers may not do this one (四眼原则)


def _task_ids(value: str | None) -> str | None:
    """A `distinct_from` property as a clean comma-separated list (None when empty)."""
    ids = [part.strip() for part in (value or "").split(",") if part.strip()]
    return ",".join(ids) or None


@dataclass(frozen=True)
class FiredTimer:
    event_id: str               # BPMN id of the timer event
    attached_to: str | None     # BPMN id of the task it is attached to (boundary timers)
    attached_guid: str | None
    interrupting: bool


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = TimerEventDefinition.get_datetime(value).astimezone(timezone.utc)
    # A plain datetime, not the clock seam's subclass, so values compare and store as usual.
    return datetime.fromisoformat(moment.isoformat())


def _is_timer(task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


def _attached_task(boundary_task):
    """The activity a boundary event task hangs on (its sibling under the BoundaryEventSplit)."""
    for sibling in boundary_task.parent.children:
        if not isinstance(sibling.task_spec, BoundaryEvent):
            return sibling
    return None


class WorkflowRun:
    def __init__(self, workflow: BpmnWorkflow) -> None:
        self.workflow = workflow

    # -- lifecycle -------------------------------------------------------------------------------
    @classmethod
    def start(cls, spec, subprocess_specs: dict, data: dict[str, Any],
              script_engine: PythonScriptEngine) -> WorkflowRun:
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
        workflow.task_tree.data.update(data)
        run = cls(workflow)
        run._engine_steps()
        return run

    @classmethod
    def load(cls, state: bytes, spec, subprocess_specs: dict,
             script_engine: PythonScriptEngine) -> WorkflowRun:
        dct = orjson.loads(state)
        if dct.pop("format", None) != STATE_FORMAT:
            raise EngineError("unknown workflow state format")
        workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
        workflow.tasks = _WF_CONVERTER.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        _WF_CONVERTER.set_default_attributes(workflow, dct)
        _WF_CONVERTER.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = REGISTRY.restore(dct.pop("bpmn_events", []))
        # The script engine is not part of the state: set it after every load.
        workflow.script_engine = script_engine
        return cls(workflow)

    def dump(self) -> bytes:
        """The state without the spec: the spec lives once per version in process_definitions."""
        try:
            return self._dump()
        except TypeError as error:  # orjson: data the state cannot hold (e.g. an integer beyond 64 bits)
            raise EngineError(f"数据无法保存：{error}") from error

    def _dump(self) -> bytes:
        wf = self.workflow
        dct = WorkflowConverter.to_dict(_WF_CONVERTER, wf)
        dct["subprocesses"] = _WF_CONVERTER.mapping_to_dict(wf.subprocesses)
        dct["bpmn_events"] = REGISTRY.convert(wf.bpmn_events)
        dct["format"] = STATE_FORMAT
        return orjson.dumps(dct)

    # -- reading ---------------------------------------------------------------------------------
    @property
    def is_completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def data(self) -> dict[str, Any]:
        """The data a person would call "the instance's data": the latest task's, or the workflow's at the end."""
        wf = self.workflow
        if wf.is_completed():
            return dict(wf.data)
        if wf.last_task is not None:
            return dict(wf.last_task.data)
        return dict(wf.task_tree.data)

    def ready_tasks(self) -> list[ReadyTask]:
        tasks = []
        for task in self.workflow.get_tasks(state=SpiffState.READY, manual=True):
            spec = task.task_spec
            props = (getattr(spec, "extensions", None) or {}).get("properties", {})
            assignee = None
            if props.get("assignee_variable"):
                value = task.data.get(props["assignee_variable"])
                assignee = str(value) if value is not None else None
            tasks.append(ReadyTask(
                guid=str(task.id),
                bpmn_id=spec.bpmn_id,
                title=spec.bpmn_name or spec.bpmn_id,
                lane=spec.lane,
                form=props.get("form"),
                department_scope=props.get("department", "project"),
                assignee=assignee,
                due_at=self._due_at(task),
                distinct_from=_task_ids(props.get("distinct_from")),
            ))
        return tasks

    def _due_at(self, task) -> datetime | None:
        """The earliest boundary timer on the task (or on the multi-instance task that holds it)."""
        for holder in (task, task.parent):
            if holder is None or holder.parent is None:
                continue
            if isinstance(holder.parent.task_spec, BoundaryEventSplit):
                times = [
                    _parse_time(s._get_internal_data("event_value"))
                    for s in holder.parent.children
                    if s is not holder and _is_timer(s) and s.state == SpiffState.WAITING
                ]
                times = [t for t in times if t is not None]
                return min(times) if times else None
        return None

    def next_timer_at(self) -> datetime | None:
        times = [_parse_time(e.value) for e in self.workflow.waiting_events()
                 if e.event_type in TIMER_EVENT_TYPES and isinstance(e.value, str)]
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def completed_task_ids(self) -> set[str]:
        return {str(t.id) for t in self.workflow.get_tasks(state=SpiffState.COMPLETED, manual=True)}

    # -- acting ----------------------------------------------------------------------------------
    def complete(self, guid: str, data: dict[str, Any]) -> None:
        try:
            task = self.workflow.get_task_from_id(UUID(guid))
        except Exception as error:  # Spiff raises its own TaskNotFoundException
            raise TaskNotReady(guid) from error
        if task is None or task.state != SpiffState.READY or not task.task_spec.manual:
            raise TaskNotReady(guid)
        task.data.update(data)
        try:
            task.run()
        except Exception as error:
            raise EngineError(f"{type(error).__name__}: {error}") from error
        self._engine_steps()

    def latest_completed(self, bpmn_id: str) -> str | None:
        """The engine id of the latest completed manual task with this BPMN id, if there is one."""
        done = [t for t in self.workflow.get_tasks(state=SpiffState.COMPLETED, manual=True)
                if t.task_spec.bpmn_id == bpmn_id]
        return str(max(done, key=lambda t: t.last_state_change).id) if done else None

    def reset_to(self, guid: str) -> None:
        """Make a completed task ready again, dropping everything that followed it (退回 / 撤回)."""
        try:
            task = self.workflow.get_task_from_id(UUID(guid))
        except Exception as error:
            raise TaskNotReady(guid) from error
        if task is None or task.state != SpiffState.COMPLETED:
            raise TaskNotReady(guid)
        try:
            self.workflow.reset_from_task_id(task.id)
            # Spiff leaves timers of the removed branch registered; the next step would trip over them.
            manager = self.workflow.event_manager
            for stale in [t for t in manager.tasks.values() if t.id not in t.workflow.tasks]:
                manager.remove_task(stale)
            self._engine_steps()
        except SpiffWorkflowException as error:
            raise EngineError(str(error)) from error

    def fire_due_timers(self) -> list[FiredTimer]:
        """Fire every timer due at the engine clock's now; return the ones that fired.

        A timer that only becomes armed while this call runs (the next one in a chain) and is already
        due fires in the same call; it is reported too, so a late run misses nothing.
        """
        moment = now()
        due = [t for t in self.workflow.get_tasks(state=SpiffState.WAITING) if _is_timer(t)
               and (v := _parse_time(t._get_internal_data("event_value"))) is not None and v <= moment]
        if not due:
            return []
        before = {t.id: t.state for t in self.workflow.get_tasks() if _is_timer(t)}
        pending = {t.id: self._describe_timer(t) for t in due}
        self.workflow.refresh_timers()
        self._engine_steps()
        fired = [meta for task_id, meta in pending.items()
                 if self._state_of(task_id) not in (SpiffState.WAITING, None)]
        for task in self.workflow.get_tasks(state=SpiffState.COMPLETED):
            if _is_timer(task) and task.id not in pending and before.get(task.id) != SpiffState.COMPLETED:
                fired.append(self._describe_timer(task))
        return fired

    @staticmethod
    def _describe_timer(task) -> FiredTimer:
        attached = _attached_task(task) if isinstance(task.task_spec, BoundaryEvent) else None
        return FiredTimer(
            event_id=task.task_spec.bpmn_id,
            attached_to=attached.task_spec.bpmn_id if attached else None,
            attached_guid=str(attached.id) if attached else None,
            interrupting=bool(getattr(task.task_spec, "cancel_activity", True)),
        )

    def _state_of(self, task_id: UUID):
        try:
            task = self.workflow.get_task_from_id(task_id)
        except Exception:
            return SpiffState.COMPLETED  # pruned from the tree after it ran
        return task.state if task is not None else SpiffState.COMPLETED

    def _engine_steps(self) -> None:
        try:
            self.workflow.do_engine_steps()
        except Exception as error:  # scripts, conditions, timers and multi-instances fail in many ways
            raise EngineError(f"{type(error).__name__}: {error}") from error
