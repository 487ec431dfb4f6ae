"""Batch starts: a yearly round starts thousands of instances as chunks sent to the workers.

Each chunk is one transaction. With a chunk key (unique per chunk, e.g. "<round id>:<chunk no>") the
chunk's record is written in that same transaction, so a chunk delivered again after it committed (a
worker killed before it acknowledged the job) starts nothing and answers with what it started before.
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import BatchChunk, User
from .errors import Invalid, NotFound
from .instances import start_many_unlocked
from .transaction import transactional

log = logging.getLogger(__name__)


def start_chunk(process_key: str, items: list[dict[str, Any]], username: str, chunk_key: str | None = None) -> int:
    """Start one instance per start-data dict as `username`; returns how many the chunk started."""
    if chunk_key is not None and (not isinstance(chunk_key, str) or not 0 < len(chunk_key) <= 200):
        raise Invalid("chunk_key 须为 1–200 个字符", {"chunk_key": ["1–200 个字符"]})
    try:
        return _start_chunk(process_key, items, username, chunk_key)
    except IntegrityError:
        # A second delivery ran alongside the first: it waited for the first to commit and lost on the key.
        done = chunk_started(chunk_key) if chunk_key is not None else None
        if done is None:
            raise
        return done


def chunk_started(chunk_key: str) -> int | None:
    return db.session.scalar(select(BatchChunk.started).where(BatchChunk.key == chunk_key))


@transactional
def _start_chunk(process_key: str, items: list[dict[str, Any]], username: str, chunk_key: str | None) -> int:
    chunk = None
    if chunk_key is not None:
        done = chunk_started(chunk_key)
        if done is not None:
            log.info("batch chunk %s was already started (%s instances): nothing to do", chunk_key, done)
            return done
        # Written first, so that a concurrent second delivery waits on the unique key before starting anything.
        chunk = BatchChunk(key=chunk_key, process_key=process_key, started=0)
        db.session.add(chunk)
        db.session.flush()
    actor = db.session.scalars(select(User).where(User.username == username)).first()
    if actor is None:
        raise NotFound(f"用户 {username} 不存在")
    started = len(start_many_unlocked(actor, process_key, items))
    if chunk is not None:
        chunk.started = started
    return started
