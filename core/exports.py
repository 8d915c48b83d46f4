"""Tables as CSV or XLSX downloads (openpyxl), with the same figures as the page.

The caller gives the headers and any words in the rows already in the reader's language; figures stay
numbers: plain machine-readable text in CSV (no grouping, a dot for decimals), number cells in XLSX.

Text that a spreadsheet program would read as a formula (beginning with = + - @, a tab or a carriage return:
a reason typed as `=cmd|...`) is written with a leading apostrophe, so it shows as the text it is. Numbers are
never text: a negative quantity stays a number cell.
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.workbook.child import INVALID_TITLE_REGEX

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet program may run as a formula
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def table_response(filename: str, headers: list[str], rows: list[list], fmt: str,
                   totals: list | None = None, title: str = "report") -> Response:
    """A CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) or XLSX file of the table.

    `title` names the XLSX sheet (the report's name in the reader's language).
    """
    headers = [str(header) for header in headers]
    body = _xlsx(headers, rows, totals, title) if fmt == "xlsx" else _csv(headers, rows, totals)
    response = Response(body, mimetype=XLSX_TYPE if fmt == "xlsx" else "text/csv")  # werkzeug adds the charset
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def workbook_response(filename: str, sheets: list[tuple[str, list[str], list[list]]]) -> Response:
    """An XLSX file of several tables, one sheet each: (sheet title, headers, rows)."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title))
        sheet.append([_cell(str(header)) for header in headers])
        for row in rows:
            sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    response = Response(out.getvalue(), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _csv(headers: list[str], rows: list[list], totals: list | None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_inert(header) for header in headers])
    writer.writerows([_plain(value) for value in row] for row in rows)
    if totals:
        writer.writerow([_plain(value) for value in totals])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(headers: list[str], rows: list[list], totals: list | None, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.append([_cell(header) for header in headers])
    for row in rows + ([totals] if totals else []):
        sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title) -> str:
    """Excel refuses some characters and more than 31 of them in a sheet's name."""
    return INVALID_TITLE_REGEX.sub(" ", str(title)).strip()[:31] or "report"


def _plain(value):
    if value is None:
        return ""
    return _inert(value) if isinstance(value, str) else value


def _cell(value):
    # Money stays exact: openpyxl writes Decimal as a number cell.
    if isinstance(value, (int, float, Decimal)) or value is None:
        return value
    return _inert(str(value))


def _inert(text: str) -> str:
    """Text as a spreadsheet shows it, never run: a leading apostrophe before anything read as a formula.

    A number that arrives as text ("-5") is left alone: it reads as the number it is and runs nothing.
    """
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
