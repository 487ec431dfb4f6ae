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
    """`due_in("<process>:<task>")` → "P10D": a step's deadline in days, from the bureau's settings.

    Keys are "<process>:<task>" (workflow_app/processes/ declares them). A bare task id, as models deployed
    before the keys were qualified still write it, resolves when exactly one process declares that task;
    otherwise, like any undeclared key, it gets the default.
    """
    by_task: dict[str, list[int]] = {}
    for key, days in due_days.items():
        by_task.setdefault(key.rpartition(":")[2], []).append(days)

    def due_in(key: str) -> str:
        days = due_days.get(key)
        if days is None and ":" not in key and len(by_task.get(key, ())) == 1:
            days = by_task[key][0]
        return f"P{int(days if days is not None else default_days)}D"

    return due_in


def make_script_engine(due_days: Mapping[str, int], default_days: int) -> PythonScriptEngine:
    environment = TaskDataEnvironment({
        "__builtins__": restricted_builtins(),
        "due_in": make_due_in(due_days, default_days),
        # The joint review's formula (expert mean, weighted score): the models call it, never spell it out.
        "grading": GRADING,
    })
    return PythonScriptEngine(environment=environment)
