"""Reading a process's own settings (thresholds, cut-offs, shares) the one way every process does.

A process module keeps its defaults in a `SETTINGS` table (documented in the README) and reads a value on use:
the app's config when it names it (tests, an embedding app), else the environment, else the default. Read on
use, not at import, so every web and Celery worker sees the same environment; outside an app context (a
worker's pure computation) the environment and the default answer.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from flask import current_app, has_app_context

T = TypeVar("T")


def read(name: str, defaults: Mapping[str, str], parse: Callable[[str], T] = Decimal) -> T:  # type: ignore[assignment]
    value = current_app.config.get(name) if has_app_context() else None
    if value in (None, ""):
        value = os.environ.get(name) or defaults[name]
    try:
        return parse(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"setting {name} is not a valid number: {value!r}") from error
