"""Bulk receipts from CSV or XLSX: every row is checked first; one bad row and nothing is written."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from openpyxl import load_workbook
from sqlalchemy import select

from core.db import Session
from core.errors import DomainError
from core.models import User
from inventory.network.models import Item
from inventory.stock.models import Document, FundingSource, Ownership
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock

COLUMNS = ["item_code", "quantity", "unit", "batch_no", "production_date", "expiry_date", "unit_cost",
           "funding_source", "ownership", "holder", "donor", "donation_restriction"]
REQUIRED = ["item_code", "quantity", "batch_no", "unit_cost", "funding_source"]
MAX_ROWS = 5000


@dataclass
class ImportProblem:
    row: int          # as the spreadsheet numbers it: the header is row 1
    field: str | None
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    document: Document | None = None

    @property
    def rows_with_problems(self) -> int:
        """How many rows the problems are in; a row may have several, and a file-wide one is on row 1."""
        return len({problem.row for problem in self.problems})


def import_receipts(depot_id: int, filename: str, content: bytes, actor: User,
                    supplier: str | None = None) -> ImportReport:
    """Read a receipt file and record it as one receipt, or report every bad row and write nothing."""
    report = ImportReport()
    try:
        rows = _read_rows(filename, content)
    except ValueError as error:
        report.problems.append(ImportProblem(1, None, str(error)))
        return report
    report.rows = len(rows)
    lines = [_parse_row(number, row, report) for number, row in rows]
    if report.problems:
        return report
    try:
        receipt = Receipt(depot_id, lines, supplier=supplier, reason=_("import %(file)s", file=filename))
        report.document = receive_stock(receipt, actor)
    except DomainError as error:
        _report_refusal(error, [number for number, _row in rows], report)
    return report


def _read_rows(filename: str, content: bytes) -> list[tuple[int, dict]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(content)
    elif name.endswith(".csv"):
        table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        raise ValueError(_("Upload a .csv or .xlsx file."))
    if not table:
        raise ValueError(_("The file is empty."))
    header = [str(cell or "").strip().lower() for cell in table[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ValueError(_("Missing columns: %(missing)s. Expected: %(expected)s.",
                           missing=", ".join(missing), expected=", ".join(COLUMNS)))
    rows = [(number, dict(zip(header, cells))) for number, cells in enumerate(table[1:], start=2)
            if any(str(cell or "").strip() for cell in cells)]
    if not rows:
        raise ValueError(_("The file has a header but no rows."))
    if len(rows) > MAX_ROWS:
        raise ValueError(_("At most %(rows)s rows per file.", rows=MAX_ROWS))
    return rows


def _xlsx_table(content: bytes) -> list[list]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise ValueError(_("This is not a readable XLSX file.")) from error
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _parse_row(number: int, row: dict, report: ImportReport) -> ReceiptLine | None:
    problems_before = len(report.problems)

    def problem(column: str, message: str) -> None:
        report.problems.append(ImportProblem(number, column, message))

    values = {column: _text(row.get(column)) for column in COLUMNS}
    for column in REQUIRED:
        if not values[column]:
            problem(column, _("Required."))
    item = Session.scalar(select(Item).where(Item.code == values["item_code"])) if values["item_code"] else None
    if values["item_code"] and item is None:
        problem("item_code", _("No item with code %(code)s.", code=values["item_code"]))
    quantity = _parse(values["quantity"], _whole_number, "quantity", problem)
    unit_cost = _parse(values["unit_cost"], Decimal, "unit_cost", problem)
    produced = _parse(row.get("production_date"), _date, "production_date", problem)
    expires = _parse(row.get("expiry_date"), _date, "expiry_date", problem)
    funding = _parse(values["funding_source"], FundingSource, "funding_source", problem)
    ownership = _parse(values["ownership"] or "government", Ownership, "ownership", problem)
    if len(report.problems) > problems_before:
        return None
    return ReceiptLine(item.id, quantity, values["batch_no"], unit_cost, funding, unit=values["unit"] or None,
                       production_date=produced, expiry_date=expires, ownership=ownership,
                       holder=values["holder"] or None, donor=values["donor"] or None,
                       donation_restriction=values["donation_restriction"] or None)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse(value, parser, column: str, problem):
    if value in (None, ""):
        return None
    try:
        return parser(value)
    except (ValueError, InvalidOperation):
        problem(column, _parse_message(parser, column))
        return None


def _whole_number(value) -> int:
    number = Decimal(str(value))
    if number != number.to_integral_value() or number <= 0:
        raise ValueError
    return int(number)


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _parse_message(parser, column: str) -> str:
    """What a cell that did not parse should have held; enum cells take the codes the template shows."""
    if parser is _whole_number:
        return _("A whole number above 0.")
    if parser is Decimal:
        return _("Not a number.")
    if parser is _date:
        return _("A date as YYYY-MM-DD.")
    if parser in (FundingSource, Ownership):
        return _("One of: %(values)s.", values=", ".join(member.value for member in parser))
    return _("Not a valid %(column)s.", column=column)


def _report_refusal(error: DomainError, row_numbers: list[int], report: ImportReport) -> None:
    """Turn the service's per-line refusal into per-row problems."""
    lines = error.fields.get("lines", {})
    if not isinstance(lines, dict) or not lines:
        report.problems.append(ImportProblem(1, None, error.message))
        return
    for index, fields in sorted(lines.items()):
        for column, messages in fields.items():
            report.problems.append(ImportProblem(row_numbers[int(index)], column, " ".join(messages)))
