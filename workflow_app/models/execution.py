"""预算执行 (budget execution): what the payment system (国库集中支付) paid per project and month.

The bureau's payment system exports one row per project and month (项目编码, 月份, 支付金额); the performance
section or a business section imports that file (services/execution.py). A row here is the amount paid in one
month, not a running total: the execution to a cut-off month is the sum of the months up to it. Re-importing a
project's month replaces the row (one row per project, year and month), so a corrected export can be loaded
again without doubling anything.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import User
from .types import UTCDateTime, utcnow


class PaymentImport(db.Model):
    """One uploaded export: who loaded which file when (the file's digest identifies it in the audit trail)."""

    __tablename__ = "payment_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    row_count: Mapped[int]
    # The unit the file's amounts were in (yuan | wan, from its header); stored amounts are always 万元.
    unit: Mapped[str] = mapped_column(String(8))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User | None] = relationship(lazy="joined")


class PaymentRecord(db.Model):
    """The amount paid for one project in one month (万元, two places like Project.amount)."""

    __tablename__ = "payment_records"
    __table_args__ = (
        # One row per project and month: the import replaces it; the board sums them with this index.
        UniqueConstraint("project_id", "year", "month", name="uq_payment_records_project_month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_payment_records_month"),
        CheckConstraint("amount >= 0", name="ck_payment_records_amount"),
        Index("ix_payment_records_year_month", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    year: Mapped[int]
    month: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("payment_imports.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
