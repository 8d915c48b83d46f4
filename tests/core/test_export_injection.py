"""Spreadsheet formula injection (issue #15, point 7): text a spreadsheet would run comes out as text, in every
CSV and XLSX export; numbers stay numbers."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from openpyxl import load_workbook

from core import clock
from core.exports import table_response, workbook_response
from core.models import Role
from inventory.stock.services.issues import Issue, IssueLine, issue_stock
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock

HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR"]


def test_the_journal_neutralises_hostile_text_and_keeps_negative_quantities_numbers(
        client, make_depot, make_item, make_user, api_token):
    depot, item = make_depot(), make_item()
    clerk = make_user(Role.CLERK, depots=[depot])
    receive_stock(Receipt(depot.id, [ReceiptLine(item.id, 50, "=HYPERLINK(\"http://x\")", Decimal("2.50"),
                                                 "central",
                                                 expiry_date=clock.today() + timedelta(days=400))]), clerk)
    issue_stock(Issue(depot.id, [IssueLine(item.id, 7)], "安置点", reason=HOSTILE[0]), clerk)
    query = f"date_from={clock.today()}&date_to={clock.today()}"
    finance = api_token(make_user(Role.FINANCE))

    workbook = client.get(f"/api/v1/reports/journal?{query}&format=xlsx", headers=finance)
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"], "a live formula in the XLSX"
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert "'" + HOSTILE[0] in texts and "'=HYPERLINK(\"http://x\")" in texts
    headers = [cell.value for cell in sheet[1]]
    quantities = [row[headers.index("Quantity")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert -7 in quantities and 50 in quantities  # number cells, the issue's negative one too

    text = client.get(f"/api/v1/reports/journal?{query}&format=csv", headers=finance).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    values = {value for row in rows for value in row}
    assert "'" + HOSTILE[0] in values and HOSTILE[0] not in values
    assert "-7" in [row[headers.index("Quantity")] for row in rows]


def test_every_formula_start_is_neutralised_in_both_formats_and_in_workbooks(app):
    row = [*HOSTILE, -5, Decimal("-1.25"), "-12", "-0.5", None, "plain"]
    with app.test_request_context():
        table_csv = table_response("t", ["a"] * len(row), [row], "csv").get_data().decode("utf-8-sig")
        table_xlsx = table_response("t", ["a"] * len(row), [row], "xlsx").get_data()
        book = workbook_response("b", [("lines", ["=header"], [row])]).get_data()
    expected = ["'" + value for value in HOSTILE]
    assert list(csv.reader(io.StringIO(table_csv, newline="")))[1] == [*expected, "-5", "-1.25", "-12", "-0.5", "",
                                                                        "plain"]
    for data, first in ((table_xlsx, "a"), (book, "'=header")):
        sheet = load_workbook(io.BytesIO(data)).active
        header, values = list(sheet.iter_rows(values_only=True))
        assert header[0] == first
        read_back = [value.replace("\r", "\n") for value in expected]  # XML reads a lone CR as a line feed
        assert list(values) == [*read_back, -5, -1.25, "-12", "-0.5", None, "plain"]
        assert all(cell.data_type != "f" for cell in sheet[2])
