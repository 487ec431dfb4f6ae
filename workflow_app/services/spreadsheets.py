"""The bureau's printable Excel tables (台账, 清单, 排名): a title row, a subtitle row, a bordered table with its header
repeated on every printed page, landscape and one page wide. The ledgers of the processes differ only in their
columns and rows, so they share this one layout."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"


def titled_table(*, title: str, subtitle: str, sheet_title: str, headers: Sequence[str], widths: Sequence[int],
                 rows: Iterable[Sequence[object]], formats: Mapping[str, str] | None = None) -> BytesIO:
    """One sheet: `title` (row 1), `subtitle` (row 2), `headers` (row 3) and the `rows`; `formats` maps a header to
    the number format of its column, so dates and amounts stay real cells a clerk can sort, filter and sum."""
    formats = formats or {}
    column_formats = [formats.get(header) for header in headers]
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([subtitle])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    sheet.append(list(headers))
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    body = Alignment(vertical="top", wrap_text=True)
    for row_number, values in enumerate(rows, start=4):
        sheet.append(list(values))
        for column, number_format in enumerate(column_formats, start=1):
            cell = sheet.cell(row_number, column)
            cell.border = border
            cell.alignment = body
            if number_format and cell.value is not None:
                cell.number_format = number_format
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.freeze_panes = "A4"
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out
