"""The restricted environment BPMN scripts, conditions and DMN expressions run in.

BPMN and DMN files are trusted code written by the bureau's administrators, but they still get only
the builtins a model needs: no import, no open, no eval. User input is only ever stored as task data
values; it is never evaluated.
"""
from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from ..grading import SCRIPT_HELPER as GRADING

SAFE_BUILTINS = (
    "len", "sum", "min", "max", "round", "abs", "int", "float", "str", "bool", "dict", "list",
    "tuple", "set", "zip", "sorted", "enumerate", "range", "any", "all", "isinstance",
    "True", "False", "None",
)


def restricted_builtins() -> dict[str, object]:
    return {name: getattr(builtins, name) for name in SAFE_BUILTINS}


def make_due_in(due_days: Mapping[str, int], default_days: int) -> Callable[[str], str]:
    """`due_in("draft_goals")` → "P10D": the deadline of a task, from the bureau's settings."""

    def due_in(task_id: str) -> str:
        return f"P{int(due_days.get(task_id, default_days))}D"

    return due_in


def make_script_engine(due_days: Mapping[str, int], default_days: int) -> PythonScriptEngine:
    environment = TaskDataEnvironment({
        "__builtins__": restricted_builtins(),
        "due_in": make_due_in(due_days, default_days),
        # The joint review's formula (expert mean, weighted score): the models call it, never spell it out.
        "grading": GRADING,
    })
    return PythonScriptEngine(environment=environment)
