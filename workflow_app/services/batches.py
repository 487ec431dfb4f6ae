"""Batch starts: a yearly round starts thousands of instances as chunks sent to the workers.

Each chunk is one transaction. With a chunk key (unique per chunk, e.g. "<round id>:<chunk no>") the
chunk's record is written in that same transaction, so a chunk delivered again after it committed (a
worker killed before it acknowledged the job) starts nothing and answers with what it started before.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..celery_app import START_INSTANCES_BATCH, celery_app
from ..extensions import db
from ..models import BatchChunk, User
from . import policy
from .errors import Invalid, NotFound
from .instances import check_start_data, start_many_unlocked
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


def plan_round(process_key: str, raw: bytes, username: str, chunk_size: int = 100,
               round_name: str | None = None) -> tuple[str, list[tuple[str, list[dict[str, Any]]]]]:
    """Check a round's start data (a JSON list of objects) and cut it into keyed chunks.

    The round is named after the process and the content unless named explicitly, so sending the same
    file again (after a failure, or by mistake) finds its chunks done instead of starting them twice.
    """
    try:
        items = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise Invalid(f"不是有效的 JSON：{error}", {"items": ["JSON 列表"]}) from error
    if not isinstance(items, list) or not items:
        raise Invalid("启动数据须为非空的 JSON 列表，每项一个对象", {"items": ["非空列表"]})
    for number, data in enumerate(items, 1):
        try:
            check_start_data(data)
        except Invalid as error:
            raise Invalid(f"第 {number} 项：{error.message}", error.fields) from error
    if not 1 <= chunk_size <= 1000:
        raise Invalid("每批数量须为 1–1000", {"chunk": ["1–1000"]})
    actor = db.session.scalars(select(User).where(User.username == username)).first()
    if actor is None or not actor.active:
        raise NotFound(f"用户 {username} 不存在")
    policy.require(actor, "start_batch")
    digest = hashlib.sha256(process_key.encode() + b"\0" + raw).hexdigest()[:16]
    name = round_name or f"{process_key}-{digest}"
    return name, [(f"{name}:{number}", chunk) for number, chunk in enumerate(_chunks(items, chunk_size), 1)]


def _chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


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


def send_chunks(process_key: str, items: list[dict[str, Any]], username: str, key_prefix: str,
                item_key: Callable[[dict[str, Any]], Any], size: int = 100) -> int:
    """Queue a round's start data to the workers as chunks of `size`, by the job's name (services never import
    the worker module; the job is registered wherever Celery runs). Each chunk's key is `key_prefix` and its first
    and last item's `item_key`, so sending a round's pending items again never starts a committed chunk twice.
    Call it after the commit that wrote the rows the items name (`transaction.after_commit`)."""
    job = celery_app.tasks[START_INSTANCES_BATCH]
    for chunk in _chunks(items, max(1, min(size, 1000))):
        job.delay(process_key, chunk, username,
                  chunk_key=f"{key_prefix}:{item_key(chunk[0])}-{item_key(chunk[-1])}")
    return len(items)
