"""Downloads keep text someone typed as text: a spreadsheet must not run a carrier's name as a formula."""
import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from core.exports import table_response

TYPED = ["=HYPERLINK(\"http://example.com\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "a=b"]


def test_formula_like_text_is_kept_as_text_and_numbers_stay_numbers():
    rows = [[*TYPED, Decimal("-3.50"), -4]]
    written = csv.reader(io.StringIO(table_response("t", [str(i) for i in range(9)], rows, "csv")
                                     .get_data(as_text=True).lstrip("\ufeff")))
    assert list(written)[1] == [*(f"'{text}" for text in TYPED[:6]), "a=b", "-3.50", "-4"]
    sheet = load_workbook(io.BytesIO(table_response("t", [str(i) for i in range(9)], rows, "xlsx")
                                     .get_data())).active
    cells = list(sheet.iter_rows(min_row=2, values_only=True))[0]
    assert cells[:5] == tuple(f"'{text}" for text in TYPED[:5]) and cells[5].startswith("'")  # XML reads CR as LF
    assert cells[6:] == ("a=b", -3.5, -4)
    assert all(cell.data_type == "s" for cell in next(sheet.iter_rows(min_row=2))[:7])
