"""Chunks of a batch start that have run: the idempotency record of `start_instances_batch`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class BatchChunk(db.Model):
    """One chunk of a batch start, written in the same transaction as the instances it started.

    Jobs are acknowledged late, so a worker killed after the commit but before the ack gets the chunk
    delivered again; the unique key makes that second delivery find the chunk done and start nothing.
    """

    __tablename__ = "batch_chunks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # chosen by the sender, e.g. "<round>:<chunk no>"
    process_key: Mapped[str] = mapped_column(String(100))
    started: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
