"""One unit of work per service call: commit on success, roll back on any error, retry on lock contention.

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
from . import mail
from .errors import Unavailable

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)

RETRIES = 6
_RETRYABLE = ("database is locked", "database table is locked", "deadlock detected",
              "could not serialize access", "SQLITE_BUSY")


def _retryable(error: DBAPIError) -> bool:
    text = str(error.orig) if error.orig is not None else str(error)
    return any(marker in text for marker in _RETRYABLE)


def transactional(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from .deployment import DefinitionsGone, ensure_deployed
        for attempt in range(RETRIES):
            try:
                # The first deployment of a process commits its definitions: let it happen before this unit
                # has written anything, never halfway through it (after the first time: a dictionary lookup).
                ensure_deployed()
                result = fn(*args, **kwargs)
                db.session.commit()
                mail.send_pending()
                return result
            except DBAPIError as error:
                db.session.rollback()
                mail.discard_pending()
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
                db.session.rollback()
                mail.discard_pending()
                if attempt == RETRIES - 1:
                    raise
                log.warning("process definitions vanished under %s: deploying again", fn.__name__)
            except BaseException:
                db.session.rollback()
                mail.discard_pending()
                raise
        raise AssertionError("unreachable")
    return wrapper
