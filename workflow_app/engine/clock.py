"""The one clock of the engine layer.

SpiffWorkflow's timer definitions call `datetime.now(timezone.utc)` themselves, both when a timer is
armed and when it is checked. `timers run --now`, tests and the timer job need to run the engine
"at" a given instant, so the timer module's `datetime` is replaced by a subclass whose `now()` reads
a context variable. The context variable keeps concurrent requests (threads) independent.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_frozen_now: ContextVar[datetime | None] = ContextVar("engine_now", default=None)


class _EngineDateTime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        frozen = _frozen_now.get()
        if frozen is None:
            return datetime.now(tz)
        return frozen.astimezone(tz) if tz else frozen.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _EngineDateTime  # the seam: see the module docstring


def now() -> datetime:
    """The engine's current time, aware, in UTC."""
    frozen = _frozen_now.get()
    return frozen if frozen is not None else datetime.now(timezone.utc)


@contextmanager
def frozen_at(moment: datetime | None) -> Iterator[None]:
    """Run the engine as if the time were `moment` (None: the real clock)."""
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the engine clock needs an aware datetime")
    token = _frozen_now.set(moment.astimezone(timezone.utc) if moment else None)
    try:
        yield
    finally:
        _frozen_now.reset(token)
