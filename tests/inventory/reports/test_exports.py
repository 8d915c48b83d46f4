"""Finance-grade downloads (issue #17, point 6): each XLSX export opened with openpyxl has grouped quantities and
money with two places, a frozen bold header, real date-time cells, names instead of user ids and a bold totals
row; the journal filters by depot, item and kind on its page and in the API and links its documents to their
vouchers; the rotation CSV keeps one column layout, its write-offs a table of their own."""
from __future__ import annotations

import csv
import html as html_lib
import io
import re
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core import clock
from core.db import Session
from core.models import Role
from inventory.rotation.services import (
    RotationLineRequest,
    RotationOut,
    approve_rotation_plan,
    draft_rotation_plan,
    execute_rotation,
)
from inventory.stock.models import Document, Lot
from inventory.stock.services.issues import Issue, IssueLine, issue_stock
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock
from inventory.stock.services.scraps import ScrapRequestLine, approve_scrap, request_scrap
from tests.inventory.network.test_depots import error_beside

TODAY = clock.today()
RECEIVED_AT = datetime.combine(TODAY - timedelta(days=3), time(2, 30), tzinfo=timezone.utc)
PERIOD = f"date_from={TODAY - timedelta(days=10)}&date_to={TODAY}"
WHOLE, MONEY = "#,##0", "#,##0.00"


@pytest.fixture
def books(make_depot, make_item, make_user, api_token):
    """Two depots: the first receives 1,250 quilts and 800 bottles of water, issues 120 bottles, scraps 5 quilts and
    donates 10 through a rotation plan; the second receives 40 quilts. A named clerk records all of it."""
    first, second = make_depot(), make_depot()
    quilt, water = make_item(reference_price=Decimal("180.00")), make_item(category="food_water")
    clerk = make_user(Role.CLERK, depots=[first, second])
    clerk.display_name = "王保管"
    admin, finance = make_user(Role.ADMIN), make_user(Role.FINANCE)  # the admin approves the scrap: its actor
    Session.commit()
    expiry = TODAY + timedelta(days=400)
    receive_stock(Receipt(first.id, [ReceiptLine(quilt.id, 1250, "Q1", Decimal("180.50"), "central",
                                                 expiry_date=TODAY + timedelta(days=60)),  # due for rotation
                                     ReceiptLine(water.id, 800, "W1", Decimal("1.25"), "provincial",
                                                 expiry_date=expiry)], occurred_at=RECEIVED_AT), clerk)
    receive_stock(Receipt(second.id, [ReceiptLine(quilt.id, 40, "Q2", Decimal("180.50"), "central",
                                                  expiry_date=expiry)], occurred_at=RECEIVED_AT), clerk)
    issue_stock(Issue(first.id, [IssueLine(water.id, 120)], "安置点"), clerk)
    quilts = Session.scalar(select(Lot.id).where(Lot.depot_id == first.id, Lot.batch_no == "Q1"))
    approve_scrap(request_scrap(first.id, [ScrapRequestLine(quilts, 5)], "水浸", clerk).id, admin)
    plan = draft_rotation_plan(first.id, [RotationLineRequest(quilts, 10, "donate", "reduction", counterparty="学校",
                                                              reduction_reason="需求下降")], clerk)
    approve_rotation_plan(plan.id, admin)
    execute_rotation(plan.id, clerk, outs=[RotationOut(plan.lines[0].id, 10)])
    return {"first": first, "second": second, "quilt": quilt, "water": water, "clerk": clerk, "admin": admin,
            "finance": finance,
            "token": api_token(finance)}


def workbook(client, url: str, headers: dict):
    answer = client.get(url, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return load_workbook(io.BytesIO(answer.data))


def column(sheet, header: str) -> list:
    """The cells under a header, the header itself left out."""
    headers = [cell.value for cell in sheet[1]]
    return [row[headers.index(header)] for row in sheet.iter_rows(min_row=2)]


def assert_finance_sheet(sheet, quantities: list[str], money: list[str]) -> None:
    """A frozen bold header, fitted widths, grouped whole numbers, money with two places, a bold totals row."""
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    headers = [cell.value for cell in sheet[1]]
    for letter in (chr(ord("A") + index) for index in range(len(headers))):
        assert 8 <= sheet.column_dimensions[letter].width <= 50, letter
    for header in quantities:
        cells = [cell for cell in column(sheet, header) if isinstance(cell.value, (int, float))]
        assert cells and all(cell.number_format == WHOLE for cell in cells), header
    for header in money:
        cells = [cell for cell in column(sheet, header) if isinstance(cell.value, (int, float))]
        assert cells and all(cell.number_format == MONEY for cell in cells), header
    totals = sheet[sheet.max_row]
    assert totals[0].value in ("Total", "Write-offs") and all(cell.font.b for cell in totals)


def test_the_journal_xlsx_has_formats_dates_names_and_totals(client, books):
    sheet = workbook(client, f"/api/v1/reports/journal?{PERIOD}&format=xlsx", books["token"]).active
    assert_finance_sheet(sheet, ["Quantity"], ["Unit cost (CNY)", "Value (CNY)"])
    headers = [cell.value for cell in sheet[1]]
    assert "Recorded by" in headers and not [header for header in headers if "id" in header.lower().split()]
    occurred = column(sheet, "Occurred")[0]
    assert occurred.is_date and occurred.number_format == "yyyy-mm-dd hh:mm"
    assert occurred.value == RECEIVED_AT.astimezone(clock.LOCAL_ZONE).replace(tzinfo=None)  # the local clock
    assert all(isinstance(cell.value, datetime) for cell in column(sheet, "Recorded")[:-1])
    assert {cell.value for cell in column(sheet, "Recorded by")[:-1]} == {
        f"王保管 ({books['clerk'].username})", f"Test User ({books['admin'].username})"}
    names = dict(zip([c.value for c in column(sheet, "Item")], [c.value for c in column(sheet, "Item name")]))
    assert names[books["quilt"].code] == books["quilt"].name and names[books["water"].code] == books["water"].name
    total = {header: cell.value for header, cell in zip(headers, sheet[sheet.max_row])}
    assert total["Quantity"] == 1250 + 800 + 40 - 120 - 5 - 10
    quilts_left, water_left = 1250 + 40 - 5 - 10, 800 - 120
    assert Decimal(str(total["Value (CNY)"])) == quilts_left * Decimal("180.50") + water_left * Decimal("1.25")


def test_the_valuation_xlsx_groups_quantities_and_shows_money_with_two_places(client, books):
    sheet = workbook(client, f"/api/v1/reports/valuation?as_of={TODAY}&format=xlsx", books["token"]).active
    assert_finance_sheet(sheet, ["Quantity"], ["Value (CNY)"])
    quantities = [cell.value for cell in column(sheet, "Quantity")]
    assert quantities[-1] == sum(quantities[:-1]) == 1250 + 800 + 40 - 120 - 5 - 10


def test_the_rotation_xlsx_has_the_plans_and_the_write_offs_each_on_a_formatted_sheet(client, books):
    book = workbook(client, f"/api/v1/reports/rotation?{PERIOD}&format=xlsx", books["token"])
    assert book.sheetnames == ["Rotation costs", "Write-offs in the period"]
    plans, write_offs = book["Rotation costs"], book["Write-offs in the period"]
    assert_finance_sheet(plans, ["Quantity out", "Quantity in"], ["Book value out (CNY)", "Net cost (CNY)"])
    assert [cell.value for cell in column(plans, "Quantity out")] == [10, 10]  # the plan, then the total
    assert_finance_sheet(write_offs, [], ["Book value (CNY)"])
    assert [row[0] for row in write_offs.iter_rows(values_only=True)] == [
        "Write-off", "Scrapped (book value)", "Expired while in stock", "Write-offs"]
    assert Decimal(str(write_offs.cell(2, 2).value)) == 5 * Decimal("180.50")


def test_the_rotation_csv_keeps_one_column_layout_and_its_write_offs_come_apart(client, books):
    def rows(query: str) -> list[list[str]]:
        answer = client.get(f"/api/v1/reports/rotation?{PERIOD}&format=csv{query}", headers=books["token"])
        assert answer.status_code == 200
        return list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))

    plans = rows("")
    assert plans[0][:3] == ["Plan", "Depot", "Quantity out"] and len(plans) == 3  # header, the plan, the total
    assert {len(row) for row in plans} == {9}
    assert plans[-1][:3] == ["Total", "", "10"] and not any("Scrapped" in value for row in plans for value in row)
    write_offs = rows("&table=write_offs")
    assert write_offs == [["Write-off", "Book value (CNY)"], ["Scrapped (book value)", "902.50"],
                          ["Expired while in stock", "0.00"], ["Write-offs", "902.50"]]
    bad = client.get(f"/api/v1/reports/rotation?{PERIOD}&format=csv&table=lots", headers=books["token"])
    assert bad.status_code == 400 and "table" in bad.get_json()["fields"]


def test_the_journal_csv_writes_instants_as_local_iso_text_and_names(client, books):
    answer = client.get(f"/api/v1/reports/journal?{PERIOD}&format=csv", headers=books["token"])
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["Occurred"] == clock.local_iso(RECEIVED_AT)
    assert rows[0]["Recorded by"] == f"王保管 ({books['clerk'].username})"
    assert rows[-1]["Document"] == "Total" and rows[-1]["Quantity"] == str(1250 + 800 + 40 - 120 - 5 - 10)


def test_the_journal_api_filters_by_depot_item_and_kind(client, books):
    def items(query: str) -> list[dict]:
        answer = client.get(f"/api/v1/reports/journal?{PERIOD}&{query}", headers=books["token"])
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["items"]

    second = items(f"depot_code={books['second'].code.lower()}")  # codes are read as capitals
    assert [(row["depot"], row["quantity"]) for row in second] == [(books["second"].code, 40)]
    water = items(f"item_code={books['water'].code}")
    assert {row["item"] for row in water} == {books["water"].code} and len(water) == 2
    assert water[0]["item_name"] == books["water"].name and water[0]["recorded_by"] == books["clerk"].username
    issues = items(f"kind=issue&depot_code={books['first'].code}")
    assert [(row["kind"], row["quantity"]) for row in issues] == [("issue", -120)]
    assert items(f"kind=receipt&item_code={books['quilt'].code}&depot_code={books['first'].code}")[0]["quantity"] \
        == 1250
    csv_text = client.get(f"/api/v1/reports/journal?{PERIOD}&format=csv&kind=scrap",
                          headers=books["token"]).get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))) == 3  # header, the scrap, the total


@pytest.mark.parametrize("query, field", [("depot_code=NO-SUCH", "depot_code"), ("item_code=NO-SUCH", "item_code"),
                                          ("kind=theft", "kind"), ("depot_code=" + "X" * 13, "depot_code")])
def test_the_journal_api_refuses_unknown_filters_naming_the_field(client, books, query, field):
    answer = client.get(f"/api/v1/reports/journal?{PERIOD}&{query}", headers=books["token"])
    assert answer.status_code == 400 and list(answer.get_json()["fields"]) == [field]


def test_the_journal_page_filters_names_and_links_documents_to_their_vouchers(client, books, login):
    login(books["finance"])
    page = client.get(f"/reports/journal?{PERIOD}&depot_code={books['second'].code}").get_data(as_text=True)
    receipt = Session.scalar(select(Document).where(Document.depot_id == books["second"].id))
    assert f'<a href="/documents/{receipt.id}">{receipt.number}</a>' in page
    assert page.count('href="/documents/') == 1 and 'id="total-quantity">40<' in page
    assert books["quilt"].name in page and f"王保管 ({books['clerk'].username})" in page
    download = html_lib.unescape(re.search(r'href="([^"]*format=csv[^"]*)"', page).group(1))
    assert f"depot_code={books['second'].code}" in download  # the downloads keep the page's filters
    voucher = client.get(f"/documents/{receipt.id}")
    assert voucher.status_code == 200 and receipt.number in voucher.get_data(as_text=True)

    issues = client.get(f"/reports/journal?{PERIOD}&kind=issue&item_code={books['water'].code}").get_data(
        as_text=True)
    assert 'id="total-quantity">-120<' in issues and 'id="total-movements">1<' in issues


def test_the_journal_page_says_beside_the_field_which_code_it_does_not_know(client, books, login):
    login(books["finance"])
    answer = client.get(f"/reports/journal?{PERIOD}&depot_code=NO-SUCH&item_code=NONE&kind=theft")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert error_beside(page, "depot_code") == "No depot with code NO-SUCH."
    assert error_beside(page, "item_code") == "No item with code NONE."
    assert error_beside(page, "kind") == "Not a valid choice."
    assert 'id="total-movements">6<' in page  # the bad filters are left out, not taken as "nothing"


def test_the_journal_filters_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    names = {parameter["name"] for parameter in spec["paths"]["/reports/journal"]["get"]["parameters"]}
    assert {"depot_code", "item_code", "kind", "date_from", "date_to", "format"} <= names
    rotation = {parameter["name"] for parameter in spec["paths"]["/reports/rotation"]["get"]["parameters"]}
    assert "table" in rotation
