"""预算执行 (budget execution): the payments per project and month, their import from the payment system's
export, and the execution to a cut-off month (执行数, 执行率) that monitoring and the board read.

The import rules (README "预算执行"):
- The file is an Excel workbook (.xlsx, first sheet) or a CSV file (UTF-8 with or without BOM, or GBK as the
  Chinese payment systems export). The first non-empty row is the header; other columns are ignored.
- Columns: 项目编码, 月份 (1–12, "3月", or with its year "2027-03" / "2027年3月" / an Excel date), the amount
  paid in that month, and optionally 年度. The amount's header names its unit: 支付金额（元） or 支付金额（万元）
  (half- or full-width brackets); a bare 支付金额 is refused, since a wrong guess is off by 10,000. Amounts in 元
  are converted to 万元 and rounded to two places (half up), as Project.amount is kept.
- The year of a row: its 年度 cell, else the year written in its 月份, else the year given with the upload.
- Every bad row is reported (row number as the spreadsheet shows it, column, reason) and then NOTHING is
  imported: an unknown project code for that year, a bad month, an empty, non-numeric or negative amount,
  the same project and month twice in one file.
- A project's month that is in the file replaces what an earlier import held for it (a corrected export is
  simply loaded again); months not in the file are left as they are.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from sqlalchemy import delete, func, select
from sqlalchemy.sql import Subquery

from ..extensions import db
from ..models import PaymentImport, PaymentRecord, Project, User
from . import audit, policy
from .errors import Invalid
from .transaction import transactional

CENT = Decimal("0.01")
YUAN_PER_WAN = Decimal(10000)
MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 20
# The amount (万元) above which a cell is taken for a typing error rather than a payment (Numeric(14, 2)).
MAX_AMOUNT = Decimal("999999999999.99")

CODE, MONTH, YEAR, AMOUNT = "项目编码", "月份", "年度", "支付金额"
UNITS = {"元": "yuan", "万元": "wan"}
UNIT_LABELS = {"yuan": "元", "wan": "万元"}


# == the execution to a cut-off month ===============================================================
def executed_subquery(year: int, through_month: int) -> Subquery:
    """project_id, executed: the amount paid in months 1..through_month of `year`, one row per project that
    paid anything (join it to projects with an outer join; a missing row means nothing paid)."""
    return (select(PaymentRecord.project_id, func.sum(PaymentRecord.amount).label("executed"))
            .where(PaymentRecord.year == year, PaymentRecord.month <= through_month)
            .group_by(PaymentRecord.project_id).subquery("executed"))


def executed_amounts(project_ids: Iterable[int], year: int, through_month: int) -> dict[int, Decimal]:
    """The amount paid (万元) per project in months 1..through_month of `year`: one grouped statement.
    Every asked project is in the answer, with 0.00 when nothing was paid."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    _check_month(through_month)
    rows = db.session.execute(
        select(PaymentRecord.project_id, func.sum(PaymentRecord.amount))
        .where(PaymentRecord.project_id.in_(ids), PaymentRecord.year == year, PaymentRecord.month <= through_month)
        .group_by(PaymentRecord.project_id))
    found = {project_id: _money(total) for project_id, total in rows}
    return {project_id: found.get(project_id, Decimal("0.00")) for project_id in ids}


def execution_rate(executed: Decimal | int | None, budget: Decimal | int | None) -> Decimal | None:
    """执行率 in percent with two places (half up); None when there is no budget to execute (0 or unknown)."""
    if budget is None or Decimal(budget) == 0:
        return None
    return (Decimal(executed or 0) * 100 / Decimal(budget)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthRow:
    month: int
    amount: Decimal          # paid in that month (0 when nothing was imported for it)
    cumulative: Decimal      # paid in months 1..month
    rate: Decimal | None     # cumulative against the project's budget (Project.amount)
    imported: bool           # whether the payment system reported this month at all


def monthly_execution(project: Project, year: int | None = None) -> list[MonthRow]:
    """The project page's table: each month up to the last one reported, with the running total and rate."""
    year = year or project.fiscal_year
    paid = dict(db.session.execute(select(PaymentRecord.month, PaymentRecord.amount).where(
        PaymentRecord.project_id == project.id, PaymentRecord.year == year)).all())
    if not paid:
        return []
    rows, total = [], Decimal("0.00")
    for month in range(1, max(paid) + 1):
        amount = _money(paid.get(month, 0))
        total += amount
        rows.append(MonthRow(month, amount, total, execution_rate(total, project.amount), month in paid))
    return rows


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT, ROUND_HALF_UP)


def _check_month(month: int) -> None:
    if not 1 <= int(month) <= 12:
        raise ValueError(f"month must be 1..12, not {month!r}")


# == the import ======================================================================================
@dataclass(frozen=True)
class RowError:
    row: int          # as the spreadsheet numbers it (the header is usually row 1)
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class PaymentFileRejected(Invalid):
    """The file was refused as a whole: `rows` lists every bad row (empty when the file itself is unusable)."""

    def __init__(self, message: str, rows: list[RowError] | None = None) -> None:
        self.rows = rows or []
        fields = {"rows": [f"第{e.row}行 {e.column}：{e.message}" for e in self.rows]} if self.rows \
            else {"file": [message]}
        super().__init__(message, fields)


@dataclass
class ImportResult:
    payment_import: PaymentImport
    rows: int                    # months written
    replaced: int                # of which replaced what an earlier import held
    projects: int
    years: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    number: int
    code: str
    year: int
    month: int
    amount: Decimal              # 万元


def import_payments(actor: User, stream: IO[bytes] | None, filename: str | None,
                    year: int | str | None = None) -> ImportResult:
    """Check the whole file, then write it in one transaction, or raise PaymentFileRejected and write nothing.
    `year`: the year of rows whose file says none (no 年度 column, months without a year)."""
    policy.require(actor, "import_payments")
    year = parse_year(year)
    if stream is None or not filename:
        raise PaymentFileRejected("请选择支付数据文件（.xlsx 或 .csv）")
    content = stream.read()
    if not content:
        raise PaymentFileRejected("文件是空的")
    table = _read_table(content, filename)
    rows = _check_rows(table, year)
    return _write(actor, rows, filename, hashlib.sha256(content).hexdigest(), table.unit)


def parse_year(value: int | str | None) -> int | None:
    """The upload's optional year (a form field or a JSON/query value)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise Invalid("年度应为四位年份", {"year": ["应为四位年份，如 2027"]})
    return int(text)


@dataclass
class _Table:
    header_row: int
    columns: dict[str, int]      # our column name -> index
    unit: str
    rows: list[tuple[int, list[Any]]]   # (spreadsheet row number, cells)


def _read_table(content: bytes, filename: str) -> _Table:
    name = filename.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        raw = _xlsx_rows(content)
    elif name.endswith(".xls"):
        raise PaymentFileRejected("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV 后上传")
    elif name.endswith((".csv", ".txt")):
        raw = _csv_rows(content)
    else:
        raise PaymentFileRejected("只能导入 Excel（.xlsx）或 CSV 文件")
    # The header is the first row naming 项目编码 (an export often starts with a title line or two), else the
    # first non-empty row, whose missing columns are then reported.
    filled = [(number, cells) for number, cells in raw[:HEADER_SEARCH_ROWS] if any(_text(c) for c in cells)]
    if not filled:
        raise PaymentFileRejected("文件中没有表头和数据")
    number, cells = next(((n, c) for n, c in filled if CODE in {_normalise_header(x) for x in c}), filled[0])
    return _header(number, cells, raw)


def _xlsx_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is the user's file, not our bug
        raise PaymentFileRejected("无法读取该 Excel 文件，请确认是 .xlsx 格式") from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise PaymentFileRejected(f"文件超过 {MAX_ROWS} 行，请分批导入")
            rows.append((number, list(cells)))
        return rows
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # GB18030 is a superset of GBK (and GB2312): what 国库支付系统 exports from Windows Excel.
            text = content.decode("gb18030")
        except UnicodeDecodeError as error:
            raise PaymentFileRejected("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV") from error
    rows = [(number, cells) for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    if len(rows) > MAX_ROWS + 1:
        raise PaymentFileRejected(f"文件超过 {MAX_ROWS} 行，请分批导入")
    return rows


def _normalise_header(cell: Any) -> str:
    text = re.sub(r"\s+", "", _text(cell))
    return text.replace("（", "(").replace("）", ")")


def _header(number: int, cells: list[Any], raw: list[tuple[int, list[Any]]]) -> _Table:
    columns: dict[str, int] = {}
    unit = None
    for index, cell in enumerate(cells):
        name = _normalise_header(cell)
        if name in (CODE, MONTH, YEAR) and name not in columns:
            columns[name] = index
        elif name.startswith(AMOUNT) and AMOUNT not in columns:
            match = re.fullmatch(rf"{AMOUNT}(?:\((元|万元)\))?", name)
            if not match:
                continue
            if match.group(1) is None:
                raise PaymentFileRejected("请在支付金额的表头注明单位：支付金额（元）或 支付金额（万元）")
            columns[AMOUNT] = index
            unit = UNITS[match.group(1)]
    missing = [c for c in (CODE, MONTH, AMOUNT) if c not in columns]
    if missing:
        raise PaymentFileRejected(f"第{number}行表头缺少列：{'、'.join(missing)}"
                                  "（需要 项目编码、月份、支付金额（元）或支付金额（万元），年度可选）")
    body = [(n, c) for n, c in raw if n > number and any(_text(x) for x in c)]
    if not body:
        raise PaymentFileRejected("文件中没有数据行")
    return _Table(number, columns, unit or "wan", body)


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _cell(cells: list[Any], index: int | None) -> Any:
    if index is None or index >= len(cells):
        return None
    return cells[index]


_MONTH_ONLY = re.compile(r"(\d{1,2})月?")
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))")


def _parse_month(cell: Any) -> tuple[int | None, int] | None:
    """(year or None, month) of a 月份 cell, or None when it is not a month."""
    if isinstance(cell, (datetime, date)):
        return cell.year, cell.month
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        if float(cell).is_integer() and 1 <= int(cell) <= 12:
            return None, int(cell)
        return None
    text = _text(cell)
    if match := _MONTH_ONLY.fullmatch(text):
        month = int(match.group(1))
        return (None, month) if 1 <= month <= 12 else None
    if match := _YEAR_MONTH.fullmatch(text):
        month = int(match.group(2) or match.group(3))
        return (int(match.group(1)), month) if 1 <= month <= 12 else None
    # "2027-03-01" (a date written as text): the month of that date.
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?: .*)?", text):
        month = int(match.group(2))
        return (int(match.group(1)), month) if 1 <= month <= 12 else None
    return None


def _parse_year(cell: Any) -> int | None:
    text = _text(cell).removesuffix("年")
    return int(text) if re.fullmatch(r"\d{4}", text) else None


def _parse_amount(cell: Any) -> Decimal | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float, Decimal)):
        return Decimal(str(cell))
    text = _text(cell).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check_rows(table: _Table, default_year: int | None) -> tuple[list[_Row], dict[tuple[str, int], int]]:
    """The good rows and the project id of each (code, year), or PaymentFileRejected listing every bad row."""
    errors: list[RowError] = []
    parsed: list[tuple[int, str, int | None, int | None, Decimal | None]] = []
    columns = table.columns
    for number, cells in table.rows:
        code = _text(_cell(cells, columns[CODE]))
        if not code:
            errors.append(RowError(number, CODE, "项目编码为空"))
        year = None
        year_cell = _cell(cells, columns.get(YEAR))
        if YEAR in columns and _text(year_cell):
            year = _parse_year(year_cell)
            if year is None:
                errors.append(RowError(number, YEAR, f"年度“{_text(year_cell)}”不是四位年份"))
        month_cell = _cell(cells, columns[MONTH])
        month = None
        parsed_month = _parse_month(month_cell)
        if not _text(month_cell):
            errors.append(RowError(number, MONTH, "月份为空"))
        elif parsed_month is None:
            errors.append(RowError(number, MONTH, f"月份“{_text(month_cell)}”无效，应为1–12或“2027-03”格式"))
        else:
            month_year, month = parsed_month
            if month_year is not None and year is not None and month_year != year:
                errors.append(RowError(number, MONTH, f"月份中的年度{month_year}与年度列{year}不一致"))
            year = year or month_year
        if year is None and default_year is None and code and parsed_month is not None:
            errors.append(RowError(number, YEAR, "缺少年度：请在文件中加年度列、月份写成“2027-03”，或上传时选择年度"))
        year = year or default_year
        amount_cell = _cell(cells, columns[AMOUNT])
        amount = None
        if not _text(amount_cell):
            errors.append(RowError(number, AMOUNT, "支付金额为空"))
        else:
            value = _parse_amount(amount_cell)
            if value is None:
                errors.append(RowError(number, AMOUNT, f"支付金额“{_text(amount_cell)}”不是数字"))
            elif value < 0:
                errors.append(RowError(number, AMOUNT, "支付金额不能为负数"))
            else:
                amount = (value / YUAN_PER_WAN if table.unit == "yuan" else value).quantize(CENT, ROUND_HALF_UP)
                if amount > MAX_AMOUNT:
                    errors.append(RowError(number, AMOUNT, "支付金额过大"))
                    amount = None
        parsed.append((number, code, year, month, amount))

    # The projects of the file: one statement for every (code, year) it names.
    codes = {code for _, code, _, _, _ in parsed if code}
    projects: dict[tuple[str, int], int] = {}
    if codes:
        for code_chunk in _chunks(sorted(codes), 900):
            for project_id, code, year in db.session.execute(
                    select(Project.id, Project.code, Project.fiscal_year).where(Project.code.in_(code_chunk))):
                projects[(code, year)] = project_id

    rows: list[_Row] = []
    seen: dict[tuple[str, int, int], int] = {}
    for number, code, year, month, amount in parsed:
        if code and year is not None and (code, year) not in projects:
            errors.append(RowError(number, CODE, f"项目编码“{code}”在{year}年度项目库中不存在"))
            continue
        if not code or year is None or month is None:
            continue
        key = (code, year, month)
        if key in seen:
            errors.append(RowError(number, MONTH, f"与第{seen[key]}行重复：同一项目同一月份只能有一行"))
            continue
        seen[key] = number
        if amount is not None:
            rows.append(_Row(number, code, year, month, amount))
    if errors:
        errors.sort(key=lambda e: (e.row, list(table.columns).index(e.column) if e.column in table.columns else 9))
        raise PaymentFileRejected(f"有 {len(errors)} 处错误，未导入任何数据：请修改后重新上传", errors)
    return rows, projects


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@transactional
def _write(actor: User, checked: tuple[list[_Row], dict[tuple[str, int], int]], filename: str, digest: str,
           unit: str) -> ImportResult:
    rows, projects = checked
    payment_import = PaymentImport(filename=filename[:255], sha256=digest, row_count=len(rows), unit=unit,
                                   imported_by_id=actor.id)
    db.session.add(payment_import)
    db.session.flush()
    by_year: dict[int, list[_Row]] = {}
    for row in rows:
        by_year.setdefault(row.year, []).append(row)
    replaced = 0
    for year, year_rows in by_year.items():
        ids = sorted({projects[(r.code, year)] for r in year_rows})
        months = {(projects[(r.code, year)], r.month) for r in year_rows}
        # What this file replaces: the same project and month of an earlier import (see the module's rules).
        for id_chunk in _chunks(ids, 900):
            existing = db.session.execute(select(PaymentRecord.id, PaymentRecord.project_id, PaymentRecord.month)
                                          .where(PaymentRecord.year == year, PaymentRecord.project_id.in_(id_chunk)))
            stale = [record_id for record_id, project_id, month in existing if (project_id, month) in months]
            replaced += len(stale)
            for stale_chunk in _chunks(stale, 900):
                db.session.execute(delete(PaymentRecord).where(PaymentRecord.id.in_(stale_chunk)))
        db.session.execute(PaymentRecord.__table__.insert(), [
            {"project_id": projects[(r.code, year)], "year": year, "month": r.month, "amount": r.amount,
             "import_id": payment_import.id} for r in year_rows])
    years = sorted(by_year)
    project_count = len({projects[(r.code, r.year)] for r in rows})
    audit.record("import_payments", actor, object_type="payment_import", object_id=payment_import.id,
                 after={"filename": payment_import.filename, "sha256": digest, "rows": len(rows), "unit": unit,
                        "replaced": replaced, "projects": project_count, "years": years})
    return ImportResult(payment_import, len(rows), replaced, project_count, years)


def recent_imports(limit: int = 20) -> list[PaymentImport]:
    return list(db.session.scalars(select(PaymentImport).order_by(PaymentImport.id.desc()).limit(limit)))


# == the demo county ==================================================================================
# Months 1–6 paid at these shares of a steady pace, so the demo's execution shows every colour at month 6.
DEMO_PACES = {"2027-RSJ-001": Decimal("0.9"), "2027-SLJ-001": Decimal("0.4"), "2027-TJJ-001": Decimal("0.65"),
              "2027-XMZ-001": Decimal("1.0"), "2027-CJL-001": Decimal("0.55")}
DEMO_MONTHS = 6


def seed_demo_payments() -> int:
    """Payments of the demo projects for months 1–6 (`flask seed-demo`), for projects that have none yet."""
    added = 0
    for project in db.session.scalars(select(Project).where(Project.code.in_(DEMO_PACES), Project.fiscal_year == 2027)):
        if db.session.scalar(select(func.count()).select_from(PaymentRecord)
                             .where(PaymentRecord.project_id == project.id)):
            continue
        monthly = (Decimal(project.amount) * DEMO_PACES[project.code] / 12).quantize(CENT, ROUND_HALF_UP)
        for month in range(1, DEMO_MONTHS + 1):
            db.session.add(PaymentRecord(project_id=project.id, year=2027, month=month, amount=monthly))
            added += 1
    db.session.commit()
    return added
