"""WTForms classes of the user tasks, one module per process.

A BPMN user task names its form as "<module>:<Class>" (extension property `form`). The same class
validates a page submission (form data with CSRF) and an API `complete` call (JSON, no CSRF: the API
authenticates with bearer tokens, not cookies).
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict


class TaskForm(FlaskForm):
    """Base of every task form. `to_task_data` says what goes into the workflow."""

    def to_task_data(self) -> dict[str, Any]:
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

    def field_errors(self) -> dict[str, list[str]]:
        return flatten_errors(self.errors)


def flatten_errors(errors: Mapping[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """WTForms nests errors of FieldList/FormField; the API reports them as "indicators.0.weight"."""
    flat: dict[str, list[str]] = {}
    for name, value in errors.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(flatten_errors(value, f"{key}."))
        elif isinstance(value, list) and value and isinstance(value[0], (dict, list)):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    flat.update(flatten_errors(item, f"{key}.{index}."))
                elif isinstance(item, str):
                    flat.setdefault(key, []).append(item)   # a message about the whole list
                elif item:
                    flat[f"{key}.{index}"] = [str(m) for m in item]
        else:
            flat[key] = [str(m) for m in value]
    return flat


def json_to_formdata(data: Mapping[str, Any]) -> MultiDict:
    """Flatten JSON into WTForms' field names: lists become `name-0`, nested objects `name-0-field`."""
    pairs: list[tuple[str, str]] = []

    def scalar(value: Any) -> str:
        if value is True:
            return "true"
        if value is False:
            return "false"
        return "" if value is None else str(value)

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}-{key}" if prefix else str(key), item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{prefix}-{index}", item)
        else:
            pairs.append((prefix, scalar(value)))

    walk("", data)
    return MultiDict(pairs)


class UnknownForm(LookupError):
    pass


def form_class(reference: str | None) -> type[TaskForm]:
    """Resolve "<module>:<Class>" within this package; a task without a form gets the empty form."""
    if not reference:
        return TaskForm
    module_name, _, class_name = reference.partition(":")
    if not module_name.isidentifier() or not class_name.isidentifier():
        raise UnknownForm(reference)
    try:
        module = importlib.import_module(f"forms.{module_name}")
        cls = getattr(module, class_name)
    except (ImportError, AttributeError) as error:
        raise UnknownForm(reference) from error
    if not (isinstance(cls, type) and issubclass(cls, TaskForm)):
        raise UnknownForm(reference)
    return cls


def build_from_json(reference: str | None, data: Mapping[str, Any], **context: Any) -> TaskForm:
    cls = form_class(reference)
    return cls(formdata=json_to_formdata(data), meta={"csrf": False}, **context)


def build_from_request(reference: str | None, formdata: MultiDict | None, **context: Any) -> TaskForm:
    cls = form_class(reference)
    return cls(formdata=formdata, **context)
