"""One unit of work per service call: commit on success, roll back on any error, retry on lock contention.

The unit only commits or rolls back. What must happen only once the work is durable (queueing a mail
job: a worker must never look for a row a rolled-back transaction never wrote) is registered with
`after_commit` and runs after the commit; a rollback drops it. Deployment is not part of any unit
(services.deployment): a unit that finds a definition missing is rolled back, the files are deployed
on their own session, and the unit runs again.

SQLite allows one writer at a time: with a busy timeout a writer waits, and if it still loses the
race the whole unit is retried from the start, so a user never sees "database is locked". PostgreSQL
deadlocks and serialization failures are retried the same way.
"""
from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from ..extensions import db
from .deployment import DefinitionsGone, redeploy
from .errors import Unavailable

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)

RETRIES = 6
_AFTER_COMMIT = "after_commit_callbacks"  # key in the session's info dict


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current unit of work has committed; never if it rolls back."""
    db.session().info.setdefault(_AFTER_COMMIT, []).append(callback)


def _run_after_commit() -> None:
    for callback in db.session().info.pop(_AFTER_COMMIT, []):
        callback()


def _rollback() -> None:
    db.session.rollback()
    db.session().info.pop(_AFTER_COMMIT, None)
_RETRYABLE = ("database is locked", "database table is locked", "deadlock detected",
              "could not serialize access", "SQLITE_BUSY")


def _retryable(error: DBAPIError) -> bool:
    text = str(error.orig) if error.orig is not None else str(error)
    return any(marker in text for marker in _RETRYABLE)


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(RETRIES):
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
            except DBAPIError as error:
                _rollback()
                if _retryable(error):
                    if attempt < RETRIES - 1:
                        log.info("retrying %s after lock contention (%s)", fn.__name__, attempt + 1)
                        time.sleep(0.01 * (2 ** attempt) * random.random())
                        continue
                    raise Unavailable("系统繁忙，请稍后重试") from error
                if isinstance(error, OperationalError):
                    raise Unavailable("数据库暂时不可用，请稍后再试") from error
                raise
            except DefinitionsGone:
                _rollback()
                if attempt == RETRIES - 1:
                    raise
                log.info("%s needs process definitions this worker has not deployed: deploying", fn.__name__)
                redeploy()  # outside the unit: it was rolled back, and runs again from the start
            except BaseException:
                _rollback()
                raise
            else:
                _run_after_commit()
                return result
        raise AssertionError("unreachable")
    return wrapper
