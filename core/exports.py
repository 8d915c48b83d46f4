"""Tables as CSV or XLSX downloads (openpyxl), with the same figures as the page.

The caller gives the headers and any words in the rows already in the reader's language; figures stay
numbers: plain machine-readable text in CSV (no grouping, a dot for decimals), number cells in XLSX.

An XLSX sheet is meant for finance to work in: whole numbers grouped (`#,##0`), decimals grouped with at least two
places (`#,##0.00`: money), instants as date-time cells on the local wall clock (a spreadsheet has no time
zones), columns as wide as their contents (within reason), the header row bold and frozen, the totals row bold.
CSV carries the same instants as text, local ISO 8601 with the offset.

Text that a spreadsheet program would read as a formula (beginning with = + - @, a tab or a carriage return:
a reason typed as `=cmd|...`) is written with a leading apostrophe, so it shows as the text it is. Numbers are
never text: a negative quantity stays a number cell.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX

from core import clock

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet program may run as a formula
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
WHOLE, MONEY = "#,##0", "#,##0.00"
DATE_TIME, DAY = "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
BOLD = Font(bold=True)
WIDTH_MIN, WIDTH_MAX = 8, 50  # characters; a long reason wraps off the edge rather than making a wall


class Sheet(NamedTuple):
    """One table: its rows, then its totals row (bold), then any notes below it (a reconciliation, sub-totals)."""

    title: str
    headers: list
    rows: list[list]
    totals: list | None = None
    notes: list[list] | tuple = ()


def table_response(filename: str, headers: list[str], rows: list[list], fmt: str,
                   totals: list | None = None, title: str = "report", notes: list[list] | None = None) -> Response:
    """A CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) or XLSX file of the table.

    `title` names the XLSX sheet (the report's name in the reader's language); `notes` are rows after the totals.
    """
    sheet = Sheet(title, headers, rows, totals, notes or [])
    if fmt == "xlsx":
        return _xlsx_response(filename, [sheet])
    response = Response(_csv(sheet), mimetype="text/csv")  # werkzeug adds the charset
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def workbook_response(filename: str, sheets: list[Sheet | tuple]) -> Response:
    """An XLSX file of several tables, one sheet each: a Sheet, or (title, headers, rows[, totals[, notes]])."""
    return _xlsx_response(filename, [Sheet(*sheet) for sheet in sheets])


def _xlsx_response(filename: str, sheets: list[Sheet]) -> Response:
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    out = io.BytesIO()
    workbook.save(out)
    response = Response(out.getvalue(), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_inert(str(header)) for header in sheet.headers])
    rows = sheet.rows + ([sheet.totals] if sheet.totals else []) + list(sheet.notes)
    writer.writerows([_plain(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    """Widths and the frozen pane are set before the first row: a write-only sheet streams its rows out."""
    worksheet = workbook.create_sheet(_sheet_title(sheet.title))
    headers = [_value(str(header)) for header in sheet.headers]
    body = [[_value(value) for value in row] for row in sheet.rows]
    totals = [_value(value) for value in sheet.totals] if sheet.totals else None
    notes = [[_value(value) for value in row] for row in sheet.notes]
    for column, width in enumerate(_widths([headers, *body, *([totals] if totals else []), *notes]), start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
    worksheet.freeze_panes = "A2"  # the header stays in view while scrolling
    worksheet.append([_xlsx_cell(worksheet, value, bold=True) for value in headers])
    for row in body:
        worksheet.append([_xlsx_cell(worksheet, value) for value in row])
    if totals:
        worksheet.append([_xlsx_cell(worksheet, value, bold=True) for value in totals])
    for row in notes:
        worksheet.append([_xlsx_cell(worksheet, value) for value in row])


def _xlsx_cell(worksheet, value, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value)
    number_format = _number_format(value)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = BOLD
    return cell


def _number_format(value) -> str | None:
    """By the value's type: a Decimal with more than two places (a rate, tonne-km) keeps them all."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return WHOLE
    if isinstance(value, float):
        return MONEY
    if isinstance(value, Decimal):
        places = -value.as_tuple().exponent if value.is_finite() else 0
        return MONEY + "0" * max(0, places - 2)
    if isinstance(value, datetime):
        return DATE_TIME
    if isinstance(value, date):
        return DAY
    return None


def _widths(rows: list[list]) -> list[int]:
    widths: list[int] = []
    for row in rows:
        for column, value in enumerate(row):
            shown = _shown_width(value)
            if column < len(widths):
                widths[column] = max(widths[column], shown)
            else:
                widths.append(shown)
    return [min(WIDTH_MAX, max(WIDTH_MIN, width + 2)) for width in widths]


def _shown_width(value) -> int:
    """About how many character widths the cell shows: Chinese characters take two."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len("2026-01-01 00:00")
    if isinstance(value, date):
        return len("2026-01-01")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return len(f"{value:,.2f}") if not isinstance(value, int) else len(f"{value:,}")
    text = max(str(value).splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _sheet_title(title) -> str:
    """Excel refuses some characters and more than 31 of them in a sheet's name."""
    return INVALID_TITLE_REGEX.sub(" ", str(title)).strip()[:31] or "report"


def _plain(value):
    """A CSV field: numbers as they are, instants as local ISO 8601 text, text made inert."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return clock.local_iso(value) if value.tzinfo else value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return _inert(value) if isinstance(value, str) else value


def _value(value):
    """An XLSX cell's value. Money stays exact: openpyxl writes Decimal as a number cell. An instant becomes the
    local wall-clock time, since a spreadsheet's date-time cells have no zone."""
    if isinstance(value, (int, float, Decimal, date)) or value is None:
        if isinstance(value, datetime) and value.tzinfo:
            return value.astimezone(clock.LOCAL_ZONE).replace(tzinfo=None)
        return value
    return _inert(str(value))


def _inert(text: str) -> str:
    """Text as a spreadsheet shows it, never run: a leading apostrophe before anything read as a formula.

    A number that arrives as text ("-5") is left alone: it reads as the number it is and runs nothing.
    """
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
