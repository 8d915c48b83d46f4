"""Tables as CSV or XLSX downloads (openpyxl), with the same figures as the page.

The caller gives the headers and any words in the rows already in the reader's language; figures stay
numbers: plain machine-readable text in CSV (no grouping, a dot for decimals), number cells in XLSX.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.workbook.child import INVALID_TITLE_REGEX

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
        sheet.append([str(header) for header in headers])
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
    writer.writerow(headers)
    writer.writerows([_plain(value) for value in row] for row in rows)
    if totals:
        writer.writerow([_plain(value) for value in totals])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(headers: list[str], rows: list[list], totals: list | None, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.append(headers)
    for row in rows + ([totals] if totals else []):
        sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title) -> str:
    """Excel refuses some characters and more than 31 of them in a sheet's name."""
    return INVALID_TITLE_REGEX.sub(" ", str(title)).strip()[:31] or "report"


def _plain(value):
    return "" if value is None else value


def _cell(value):
    # Money stays exact: openpyxl writes Decimal as a number cell.
    return value if isinstance(value, (int, Decimal, str)) or value is None else str(value)
