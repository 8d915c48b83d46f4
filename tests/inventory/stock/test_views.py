"""The depot clerk's stock pages: forms, vouchers, history, registers and who may use them."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import clock
from core.db import Session
from core.models import Role
from inventory.network.models import DepotLevel
from inventory.network.services import close_depot
from inventory.stock.models import Document, Lot, Movement, ScrapRequest, Transfer, TransferStatus
from inventory.stock.services.issues import Issue, IssueLine, issue_stock
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock
from inventory.stock.services.transfers import (
    Arrival,
    ReceivedLine,
    TransferRequest,
    approve_transfer,
    draft_transfer,
    receive_transfer,
    ship_transfer,
)


def error_beside(html: str, field: str) -> str:
    """The error text rendered next to a form field, or '' when there is none."""
    match = re.search(rf'<span class="error" id="{field}-error">([^<]*)</span>', html)
    return match.group(1) if match else ""


def value_of(html: str, field: str) -> str | None:
    match = re.search(rf'<input[^>]*id="{field}"[^>]*value="([^"]*)"', html) or \
        re.search(rf'<input[^>]*value="([^"]*)"[^>]*id="{field}"', html)
    return match.group(1) if match else None


def chosen_in(html: str, select_id: str) -> str | None:
    """The value a select shows as chosen."""
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    chosen = block and re.search(r'<option(?=[^>]*\bselected\b)[^>]*value="([^"]*)"', block.group(1))
    return chosen.group(1) if chosen else None


def lines(*rows: dict, prefix: str = "lines") -> dict:
    """Flatten line dicts into FieldList form data: rows given as None are sent blank, as a browser does."""
    data = {}
    for index, row in enumerate(rows):
        for name, value in (row or {"quantity": ""}).items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def receipt_line(item, **overrides) -> dict:
    line = {"item_id": item.id, "quantity": "40", "unit": "", "batch_no": "B-001", "production_date": "2026-01-10",
            "expiry_date": "", "unit_cost": "180.00", "funding_source": "provincial", "ownership": "government"}
    line.update(overrides)
    return line


def count(model) -> int:
    return Session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def depot(make_depot):
    return make_depot()


@pytest.fixture
def item(make_item):
    return make_item()  # piece, packs of 10 ("bale"), 5-year shelf life


@pytest.fixture
def clerk(make_user, depot):
    return make_user(Role.CLERK, depots=[depot])


@pytest.fixture
def clerk_client(clerk, login):
    return login(clerk)


@pytest.fixture
def second_client(app, make_user, depot):
    """Another clerk of the same depot, for the second pair of eyes."""
    client = app.test_client()
    user = make_user(Role.CLERK, depots=[depot])
    client.post("/login", data={"username": user.username, "password": "correct horse battery"})
    return client


def stock_up(depot, item, actor, quantity=100, batch="B-001", **extra) -> Document:
    line = ReceiptLine(item_id=item.id, quantity=quantity, batch_no=batch, unit_cost=Decimal("180.00"),
                       funding_source=extra.pop("funding_source", "provincial"),
                       production_date=clock.today() - timedelta(days=30), **extra)
    return receive_stock(Receipt(depot.id, [line], supplier="Supplier Co"), actor=actor)


# --- receipts -------------------------------------------------------------------------------------------------

def test_clerk_receives_two_lines_one_in_packs_and_sees_the_voucher(clerk_client, depot, item, make_item):
    blanket = make_item(name="棉被", base_unit="piece")
    data = {"supplier": "Chengdu Textiles", "reason": "annual purchase",
            **lines(receipt_line(item), None, receipt_line(blanket, quantity="3", unit="bale", batch_no="B-002"))}
    response = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data)
    assert response.status_code == 302
    voucher = clerk_client.get(response.location).get_data(as_text=True)
    assert re.search(r"RK-\d{4}-000001", voucher) and "recorded" in voucher
    assert "Chengdu Textiles" in voucher and "B-002" in voucher
    assert ">30<" in voucher  # 3 bales of 10, in base units
    assert "12,600.00" in voucher  # 70 pieces at 180.00
    stock = clerk_client.get(f"/depots/{depot.id}/stock").get_data(as_text=True)
    assert "B-001" in stock and "B-002" in stock and blanket.name in stock


def test_a_bad_line_is_shown_beside_its_field_and_every_entry_is_kept(clerk_client, depot, item):
    data = {"supplier": "Chengdu Textiles",
            **lines(receipt_line(item), None, receipt_line(item, batch_no="B-009", production_date="", quantity="7"))}
    response = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # The service numbers the two filled lines 0 and 1; its line 1 is the form's third row.
    assert "Give the production date or the expiry date." in error_beside(html, "lines-2-production_date")
    assert error_beside(html, "lines-0-production_date") == ""
    assert html.count("Give the production date or the expiry date.") == 1  # said once, beside its field
    assert "expires: give its production or expiry date" not in html
    assert "correct the entries marked below" in html  # the pointer above the form
    assert value_of(html, "lines-2-batch_no") == "B-009" and value_of(html, "lines-2-quantity") == "7"
    assert value_of(html, "supplier") == "Chengdu Textiles" and value_of(html, "lines-0-batch_no") == "B-001"
    assert count(Movement) == 0


def test_field_and_cross_field_errors_come_together_on_the_first_submit(clerk_client, depot, item):
    data = {"supplier": "Chengdu Textiles", "occurred_on": (clock.today() + timedelta(days=2)).isoformat(),
            **lines(receipt_line(item, quantity=""),
                    receipt_line(item, batch_no="B-002", production_date="2026-03-01", expiry_date="2026-02-01"),
                    receipt_line(item, batch_no="B-003", funding_source="donation"),
                    receipt_line(item, batch_no="B-004", unit="box", production_date="not a date"))}
    html = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data).get_data(as_text=True)
    assert error_beside(html, "occurred_on") == "Cannot be in the future."
    assert error_beside(html, "lines-0-quantity") == "This field is required."
    assert error_beside(html, "lines-1-expiry_date") == "Must be after the production date."
    assert error_beside(html, "lines-2-donor") == "Name the donor."
    assert "counted in piece or its packs" in error_beside(html, "lines-3-unit")
    assert error_beside(html, "lines-3-production_date") == "Not a valid date value."  # one message, not two
    assert html.count("Must be after the production date.") == 1 and "Expiry before production" not in html
    assert value_of(html, "lines-1-expiry_date") == "2026-02-01" and value_of(html, "lines-2-batch_no") == "B-003"
    assert chosen_in(html, "lines-2-funding_source") == "donation" and chosen_in(html, "lines-3-unit") == "box"
    assert count(Movement) == 0


def test_a_service_refusal_stands_once_beside_its_field(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, batch="B-001")  # at 180.00
    data = lines(receipt_line(item, unit_cost="175.00", production_date=(clock.today() - timedelta(days=30))
                              .isoformat()))
    html = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data).get_data(as_text=True)
    beside = error_beside(html, "lines-0-batch_no")
    assert "Batch B-001 exists with a different unit cost" in beside
    assert html.count("B-001 exists with a different") == 1 and "is already here with another" not in html
    assert value_of(html, "lines-0-unit_cost") == "175.00"


def line_rows(html: str) -> int:
    return len(re.findall(r'id="lines-\d+-quantity"', html))


def test_add_a_line_without_javascript_keeps_what_was_typed_and_records_nothing(login, make_user, make_depot, item):
    provincial = make_depot(level=DepotLevel.PROVINCIAL)
    client = login(make_user(Role.CLERK, depots=[provincial]))
    url = f"/depots/{provincial.id}/receipts/new"
    assert line_rows(client.get(url).get_data(as_text=True)) == 5
    typed = [receipt_line(item, batch_no=f"B-00{n}", quantity="") for n in range(5)]  # every line lacks its quantity
    response = client.post(url, data={"supplier": "Chengdu Textiles", "add_line": "Add a line", **lines(*typed)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and line_rows(html) == 6
    assert value_of(html, "lines-4-batch_no") == "B-004" and value_of(html, "supplier") == "Chengdu Textiles"
    assert value_of(html, "lines-5-batch_no") == "" and chosen_in(html, "lines-5-funding_source") == "provincial"
    assert 'class="error"' not in html and "correct the entries" not in html  # nothing was checked yet
    assert count(Movement) == 0 and count(Document) == 0
    typed.append(receipt_line(item, batch_no="B-005", quantity="6"))
    for line in typed[:5]:
        line["quantity"] = "1"
    response = client.post(url, data=lines(*typed))
    assert response.status_code == 302 and count(Movement) == 6


def test_remove_a_line_without_javascript_moves_the_later_lines_up(clerk_client, depot, item):
    url = f"/depots/{depot.id}/receipts/new"
    typed = lines(receipt_line(item, batch_no="B-000"), receipt_line(item, batch_no="B-001"),
                  receipt_line(item, batch_no="B-002", quantity=""))
    data = {"remove_line-1": "Remove this line", **typed}
    html = clerk_client.post(url, data=data).get_data(as_text=True)
    assert line_rows(html) == 2
    assert value_of(html, "lines-0-batch_no") == "B-000" and value_of(html, "lines-1-batch_no") == "B-002"
    assert value_of(html, "lines-1-quantity") == "" and 'class="error"' not in html
    assert count(Movement) == 0
    data = {"remove_line-0": "Remove this line", **lines(receipt_line(item))}
    html = clerk_client.post(url, data=data).get_data(as_text=True)
    assert line_rows(html) == 1 and value_of(html, "lines-0-batch_no") == ""  # one line is always left to fill


def test_a_transfer_draft_adds_lines_up_to_its_bound(clerk_client, depot, item, make_depot):
    url = f"/depots/{depot.id}/transfers/new"
    full = lines(*[{"item_id": "", "quantity": ""}] * 40)
    html = clerk_client.post(url, data={"destination": "X", "add_line": "Add a line", **full}).get_data(as_text=True)
    assert line_rows(html) == 40 and "At most 40 lines on one document" in html
    assert re.search(r'<input[^>]*name="add_line"[^>]*disabled', html)


@pytest.mark.parametrize("path", ["receipts/new", "issues/new", "transfers/new", "scraps/new"])
def test_a_hostile_post_with_ten_thousand_lines_is_refused_not_a_crash(clerk_client, depot, item, path):
    data = {f"lines-{n}-quantity": "1" for n in range(10_000)}
    response = clerk_client.post(f"/depots/{depot.id}/{path}", data={"recipient": "x", "reason": "x", **data})
    html = response.get_data(as_text=True)
    assert response.status_code < 500
    assert response.status_code >= 400 or ("At most 40 lines on one document" in html and line_rows(html) == 40)
    assert count(Movement) == 0 and count(Document) == 0
    far = clerk_client.post(f"/depots/{depot.id}/{path}", data={"lines-2147483648-quantity": "1"})
    assert far.status_code < 500 and "At most 40 lines" in far.get_data(as_text=True)


def test_a_half_filled_line_asks_for_what_is_missing(clerk_client, depot, item):
    data = lines(receipt_line(item, quantity="", unit_cost=""))
    html = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data).get_data(as_text=True)
    assert error_beside(html, "lines-0-quantity") == "This field is required."
    assert error_beside(html, "lines-0-unit_cost") == "This field is required."
    assert count(Movement) == 0


def test_a_donation_needs_its_donor_beside_the_donor_field(clerk_client, depot, item):
    data = lines(receipt_line(item, funding_source="donation"))
    html = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data).get_data(as_text=True)
    assert error_beside(html, "lines-0-donor") == "Name the donor."


def test_an_unknown_pack_unit_is_refused_beside_the_unit(clerk_client, depot, item):
    data = lines(receipt_line(item, unit="box"))
    html = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data).get_data(as_text=True)
    assert "counted in piece or its packs" in error_beside(html, "lines-0-unit")


def test_a_receipt_is_funded_by_the_depots_own_level_unless_the_clerk_says_otherwise(login, make_user, make_depot,
                                                                                     item):
    provincial = make_depot(level=DepotLevel.PROVINCIAL)
    client = login(make_user(Role.CLERK, depots=[provincial]))
    form = client.get(f"/depots/{provincial.id}/receipts/new").get_data(as_text=True)
    assert chosen_in(form, "lines-0-funding_source") == "provincial"
    assert chosen_in(form, "lines-4-funding_source") == "provincial"
    line = receipt_line(item)
    del line["funding_source"]  # as a client that sends only what it changed
    response = client.post(f"/depots/{provincial.id}/receipts/new", data=lines(line, receipt_line(
        item, batch_no="B-002", funding_source="central")))
    assert response.status_code == 302
    voucher = client.get(response.location).get_data(as_text=True)
    assert "<th>Funding</th>" in voucher
    assert re.search(r"B-001.*?Provincial government", voucher, re.S)
    assert re.search(r"B-002.*?Central government", voucher, re.S)
    assert {lot.batch_no: lot.funding_source.value for lot in Session.scalars(select(Lot))} == {
        "B-001": "provincial", "B-002": "central"}


def test_a_county_depot_defaults_to_county_funding(clerk_client, depot):
    form = clerk_client.get(f"/depots/{depot.id}/receipts/new").get_data(as_text=True)
    assert chosen_in(form, "lines-0-funding_source") == "county"


# --- issues ---------------------------------------------------------------------------------------------------

def test_clerk_issues_stock_first_expiring_first(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    data = {"recipient": "Wuhou shelter", **lines({"item_id": item.id, "quantity": "2", "unit": "bale"})}
    response = clerk_client.post(f"/depots/{depot.id}/issues/new", data=data)
    assert response.status_code == 302
    voucher = clerk_client.get(response.location).get_data(as_text=True)
    assert re.search(r"CK-\d{4}-000001", voucher) and "Wuhou shelter" in voucher and ">20<" in voucher
    assert Session.scalar(select(Lot.on_hand)) == 30


def test_issuing_more_than_there_is_shows_the_shortage_beside_the_quantity(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    data = {"recipient": "Wuhou shelter", **lines(None, {"item_id": item.id, "quantity": "60", "unit": ""})}
    html = clerk_client.post(f"/depots/{depot.id}/issues/new", data=data).get_data(as_text=True)
    assert "Only 50 piece available" in error_beside(html, "lines-1-quantity")
    assert value_of(html, "recipient") == "Wuhou shelter" and value_of(html, "lines-1-quantity") == "60"
    assert Session.scalar(select(Lot.on_hand)) == 50


def test_an_issue_says_a_missing_recipient_and_a_shortage_in_one_round(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    data = {"recipient": "", **lines({"item_id": item.id, "quantity": "60", "unit": ""},
                                     {"item_id": item.id, "quantity": "", "unit": ""},
                                     {"item_id": item.id, "quantity": "2", "unit": "box"})}
    html = clerk_client.post(f"/depots/{depot.id}/issues/new", data=data).get_data(as_text=True)
    assert error_beside(html, "recipient") == "Name the recipient."
    assert "Only 50 piece available" in error_beside(html, "lines-0-quantity")  # the stock, asked in the same round
    assert error_beside(html, "lines-1-quantity") == "This field is required."
    assert "counted in piece or its packs" in error_beside(html, "lines-2-unit")
    assert html.count("Only 50 piece available") == 1 and "Not enough" not in html
    assert Session.scalar(select(Lot.on_hand)) == 50


def test_a_transfer_draft_says_an_unknown_destination_and_a_shortage_in_one_round(clerk_client, clerk, depot,
                                                                                    item):
    stock_up(depot, item, clerk, 50)
    data = {"destination": "NOWHERE", **lines({"item_id": item.id, "quantity": "60", "unit": ""})}
    html = clerk_client.post(f"/depots/{depot.id}/transfers/new", data=data).get_data(as_text=True)
    assert error_beside(html, "destination") == "No depot has code NOWHERE."
    assert "Only 50 piece available" in error_beside(html, "lines-0-quantity")


# --- transfers ------------------------------------------------------------------------------------------------

def test_transfer_is_drafted_approved_by_another_shipped_and_received_short(
        clerk_client, second_client, clerk, depot, item, make_depot, make_user, login, app):
    destination = make_depot()
    stock_up(depot, item, clerk, 50)
    data = {"destination": destination.code, **lines({"item_id": item.id, "quantity": "20", "unit": ""})}
    response = clerk_client.post(f"/depots/{depot.id}/transfers/new", data=data)
    assert response.status_code == 302
    transfer = Session.scalar(select(Transfer))
    assert "Approve and reserve" in clerk_client.get(response.location).get_data(as_text=True)
    own = clerk_client.post(f"/transfers/{transfer.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "another person must approve it" in own
    second_client.post(f"/transfers/{transfer.id}/approve")
    second_client.post(f"/transfers/{transfer.id}/ship")
    receiver = app.test_client()
    keeper = make_user(Role.CLERK, depots=[destination])
    receiver.post("/login", data={"username": keeper.username, "password": "correct horse battery"})
    line_id = Session.scalar(select(Transfer)).lines[0].id
    arrival = lines({"line_id": line_id, "received": "18", "damaged": "1", "note": "wet box"})
    response = receiver.post(f"/transfers/{transfer.id}/receive", data=arrival)
    assert response.status_code == 302
    page = receiver.get(response.location).get_data(as_text=True)
    assert "Discrepancies" in page and "wet box" in page
    Session.expire_all()
    assert Session.get(Transfer, transfer.id).status == TransferStatus.RECEIVED


def test_a_bad_transfer_draft_shows_each_problem_beside_its_field(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    data = {"destination": "NOWHERE", **lines({"item_id": item.id, "quantity": "20", "unit": ""})}
    html = clerk_client.post(f"/depots/{depot.id}/transfers/new", data=data).get_data(as_text=True)
    assert error_beside(html, "destination") == "No depot has code NOWHERE."
    assert value_of(html, "lines-0-quantity") == "20"


def test_a_transfer_line_asking_too_much_is_refused_beside_its_quantity(clerk_client, clerk, depot, item, make_depot):
    destination = make_depot()
    stock_up(depot, item, clerk, 50)
    data = {"destination": destination.code,
            **lines({"item_id": item.id, "quantity": "10", "unit": ""}, {"item_id": item.id, "quantity": "6",
                                                                         "unit": "bale"})}
    html = clerk_client.post(f"/depots/{depot.id}/transfers/new", data=data).get_data(as_text=True)
    assert "Only 40 piece available" in error_beside(html, "lines-1-quantity")
    assert count(Transfer) == 0


def shipped_transfer(clerk, depot, item, destination, admin) -> Transfer:
    """20 of the 50 the clerk stocked up, drafted by the clerk, approved and shipped by the admin."""
    stock_up(depot, item, clerk, 50)
    transfer = draft_transfer(TransferRequest(depot.id, destination.id, [IssueLine(item.id, 20)]), clerk)
    approve_transfer(transfer.id, admin)
    ship_transfer(transfer.id, admin)
    return transfer


def test_receiving_more_than_shipped_is_refused_beside_the_line(clerk, depot, item, make_depot, make_user, app):
    admin = make_user(Role.ADMIN)
    transfer = shipped_transfer(clerk, depot, item, make_depot(), admin)
    client = app.test_client()
    client.post("/login", data={"username": admin.username, "password": "correct horse battery"})
    line_id = Session.get(Transfer, transfer.id).lines[0].id
    response = client.post(f"/transfers/{transfer.id}/receive", data=lines({"line_id": line_id, "received": "25"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "between 0 and 20" in error_beside(html, "lines-0-received")


def test_admin_resolves_a_discrepancy_from_the_voucher(clerk, depot, item, make_depot, make_user, login):
    admin = make_user(Role.ADMIN)
    transfer = shipped_transfer(clerk, depot, item, make_depot(), admin)
    line_id = Session.get(Transfer, transfer.id).lines[0].id
    receive_transfer(transfer.id, Arrival([ReceivedLine(line_id, 15)]), admin)
    discrepancy = Session.get(Transfer, transfer.id).discrepancies[0]
    client = login(admin)
    too_many = client.post(f"/discrepancies/{discrepancy.id}/resolve",
                           data={f"d{discrepancy.id}-recovered": "9"}).get_data(as_text=True)
    assert "Between 0 and the shortage, 5." in error_beside(too_many, f"d{discrepancy.id}-recovered")
    response = client.post(f"/discrepancies/{discrepancy.id}/resolve",
                           data={f"d{discrepancy.id}-recovered": "3", f"d{discrepancy.id}-note": "found"})
    assert response.status_code == 302
    assert "recovered: found" in client.get(response.location).get_data(as_text=True)


def test_evacuation_drafts_all_free_stock_and_the_clerk_trims_it(clerk_client, clerk, depot, item, make_depot):
    destination = make_depot()
    stock_up(depot, item, clerk, 50)
    response = clerk_client.post(f"/depots/{depot.id}/evacuate", data={"destination": destination.code})
    assert "/edit" in response.location
    form = clerk_client.get(response.location).get_data(as_text=True)
    assert value_of(form, "lines-0-quantity") == "50"
    lot_id = Session.scalar(select(Lot.id))
    response = clerk_client.post(response.location, data=lines({"item_id": item.id, "quantity": "30", "lot_id": lot_id}))
    assert response.status_code == 302
    assert Session.scalar(select(Transfer)).lines[0].quantity == 30


def test_the_depot_picker_finds_active_destinations_by_part_of_a_code_or_name(clerk_client, depot, make_depot,
                                                                             make_user):
    wenchuan = make_depot(name="汶川县应急物资储备库", code="X-513221")
    closed = make_depot(name="汶川县旧仓库", code="X-513221-OLD")
    close_depot(closed.id, make_user(Role.ADMIN))
    make_depot(name="成都市储备库", code="M-510100")
    found = clerk_client.get(f"/depots/{depot.id}/destinations?q=汶川").get_json()["items"]
    assert [d["label"] for d in found] == ["X-513221 — 汶川县应急物资储备库"]  # the closed one cannot take stock
    assert [d["code"] for d in clerk_client.get(f"/depots/{depot.id}/destinations?q=x-5132").get_json()["items"]] \
        == ["X-513221"]
    own = clerk_client.get(f"/depots/{depot.id}/destinations?q={depot.code}").get_json()["items"]
    assert own == []  # not to itself
    assert clerk_client.get(f"/depots/{depot.id}/destinations?q=").get_json()["items"] == []
    assert clerk_client.get(f"/depots/{depot.id}/destinations?q=%25").get_json()["items"] == []  # no wildcards
    for n in range(25):
        make_depot(name=f"Picker depot {n}")
    assert len(clerk_client.get(f"/depots/{depot.id}/destinations?q=Picker").get_json()["items"]) == 20
    assert clerk_client.get(f"/depots/{wenchuan.id}/destinations?q=汶川").status_code == 403  # not the clerk's depot


def test_a_transfer_takes_the_pickers_code_and_name_and_refuses_an_unknown_depot_with_the_lines(
        clerk_client, clerk, depot, item, make_depot):
    stock_up(depot, item, clerk, 50)
    destination = make_depot(name="汶川县应急物资储备库")
    url = f"/depots/{depot.id}/transfers/new"
    data = {"destination": "汶川县储备", **lines({"item_id": item.id, "quantity": ""})}
    html = clerk_client.post(url, data=data).get_data(as_text=True)
    assert error_beside(html, "destination") == "No depot has code 汶川县储备."
    assert error_beside(html, "lines-0-quantity") == "This field is required."  # in the same round
    assert value_of(html, "destination") == "汶川县储备"
    assert f'data-depot-picker="/depots/{depot.id}/destinations"' in html and 'list="destination-options"' in html
    data = {"destination": f"{destination.code} — {destination.name}", **lines({"item_id": item.id, "quantity": "20"})}
    assert clerk_client.post(url, data=data).status_code == 302
    assert Session.scalar(select(Transfer)).destination_id == destination.id
    data = {"destination": depot.code, **lines({"item_id": item.id, "quantity": "20"})}
    html = clerk_client.post(url, data=data).get_data(as_text=True)
    assert error_beside(html, "destination") == "Choose another depot."


def test_an_evacuation_to_an_unknown_depot_is_refused_beside_the_field(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    response = clerk_client.post(f"/depots/{depot.id}/evacuate", data={"destination": "NOWHERE — somewhere"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_beside(html, "destination") == "No depot has code NOWHERE."
    assert value_of(html, "destination") == "NOWHERE — somewhere" and count(Transfer) == 0


def test_an_evacuation_the_service_refuses_says_why_above_its_form(clerk_client, depot, make_depot):
    name, code = make_depot(name="汶川县应急物资储备库").name, depot.code
    response = clerk_client.post(f"/depots/{depot.id}/evacuate", data={"destination": name})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and count(Transfer) == 0
    assert f"{code} has no free stock to evacuate." in html  # a full name was taken: the depot had nothing
    assert value_of(html, "destination") == name and error_beside(html, "destination") == ""


# --- counts and scrap -------------------------------------------------------------------------------------------

def test_count_is_opened_counted_and_approved_by_a_second_clerk(clerk_client, second_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    response = clerk_client.post(f"/depots/{depot.id}/counts/new", data={})
    assert response.status_code == 302
    count_url = response.location
    bad = clerk_client.post(count_url, data=lines({"line_id": _count_line_id(), "counted": "-1"})).get_data(as_text=True)
    assert error_beside(bad, "lines-0-counted") == "Cannot be negative."
    clerk_client.post(count_url, data=lines({"line_id": _count_line_id(), "counted": "47"}))
    approve_url = count_url + "/approve"
    mine = clerk_client.post(approve_url, follow_redirects=True).get_data(as_text=True)
    assert "another person must approve it" in mine
    response = second_client.post(approve_url)
    voucher = second_client.get(response.location).get_data(as_text=True)
    assert re.search(r"PD-\d{4}-000001", voucher) and "-3" in voucher and "Count adjustment" in voucher
    assert Session.scalar(select(Lot.on_hand)) == 47


def _count_line_id() -> int:
    from inventory.stock.models import CountLine

    return Session.scalar(select(CountLine.id))


def test_scrap_request_is_approved_by_a_second_clerk(clerk_client, second_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    lot_id = Session.scalar(select(Lot.id))
    too_much = clerk_client.post(f"/depots/{depot.id}/scraps/new",
                                 data={"reason": "water damage", **lines({"lot_id": lot_id, "quantity": "80"})})
    assert "Only 50 piece free" in error_beside(too_much.get_data(as_text=True), "lines-0-quantity")
    response = clerk_client.post(f"/depots/{depot.id}/scraps/new",
                                 data={"reason": "water damage", **lines({"lot_id": lot_id, "quantity": "5"})})
    voucher_url = response.location
    assert "Approve scrapping" in clerk_client.get(voucher_url).get_data(as_text=True)
    scrap_id = Session.scalar(select(ScrapRequest.id))
    second_client.post(f"/scraps/{scrap_id}/approve")
    voucher = second_client.get(voucher_url).get_data(as_text=True)
    assert "approved" in voucher and Session.scalar(select(Lot.on_hand)) == 45


# --- who may use what --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["stock", "movements", "receipts/new", "issues/new", "transfers/new", "counts/new",
                                  "scraps/new", "receipts/import"])
def test_a_clerk_is_refused_at_another_depots_pages(clerk_client, make_depot, path):
    other = make_depot()
    assert clerk_client.get(f"/depots/{other.id}/{path}").status_code == 403


def test_a_clerk_cannot_post_a_receipt_to_another_depot(clerk_client, make_depot, item):
    other = make_depot()
    response = clerk_client.post(f"/depots/{other.id}/receipts/new", data=lines(receipt_line(item)))
    assert response.status_code == 403 and count(Movement) == 0


def test_a_dispatcher_sees_stock_and_vouchers_but_no_forms(make_user, login, clerk, depot, item):
    document = stock_up(depot, item, clerk, 50)
    client = login(make_user(Role.DISPATCHER))
    page = client.get(f"/depots/{depot.id}/stock").get_data(as_text=True)
    assert "B-001" in page and "Receive</a>" not in page
    assert client.get(f"/documents/{document.id}").status_code == 200
    assert client.get(f"/depots/{depot.id}/receipts/new").status_code == 403
    assert client.get(f"/depots/{depot.id}/issues/new").status_code == 403


def test_a_clerk_cannot_read_another_depots_voucher(clerk, depot, item, make_depot, make_user, login):
    document = stock_up(depot, item, clerk, 50)
    stranger = make_user(Role.CLERK, depots=[make_depot()])
    assert login(stranger).get(f"/documents/{document.id}").status_code == 403


# --- vouchers, history, reversal -----------------------------------------------------------------------------------

def test_voucher_shows_number_parties_lines_total_and_signatures(clerk_client, clerk, depot, item):
    document = stock_up(depot, item, clerk, 12)
    html = clerk_client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert document.number in html and "Receipt voucher" in html and "Supplier Co" in html
    assert item.code in html and "B-001" in html and "2,160.00" in html
    assert "Prepared by" in html and "Received by" in html and "data-print" in html


def test_the_transfer_voucher_totals_the_value_sent_once(clerk, depot, item, make_depot, make_user, login):
    admin = make_user(Role.ADMIN)
    transfer = shipped_transfer(clerk, depot, item, make_depot(), admin)
    receive_transfer(transfer.id, Arrival([ReceivedLine(Session.get(Transfer, transfer.id).lines[0].id, 20)]), admin)
    html = login(admin).get(f"/documents/{transfer.document_id}").get_data(as_text=True)
    total = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group(0)
    assert "3,600.00" in total  # 20 quilts at 180.00, though the goods moved out, through transit and in


def test_history_filters_by_kind_and_date_and_links_to_vouchers(clerk_client, clerk, depot, item):
    receipt = stock_up(depot, item, clerk, 50)
    issue_stock(Issue(depot.id, [IssueLine(item.id, 5)], recipient="shelter"), clerk)
    everything = clerk_client.get(f"/depots/{depot.id}/movements").get_data(as_text=True)
    assert "+50" in everything and "-5" in everything
    issues = clerk_client.get(f"/depots/{depot.id}/movements?kind=issue").get_data(as_text=True)
    assert "-5" in issues and "+50" not in issues
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert "No movement matches" in clerk_client.get(f"/depots/{depot.id}/movements?from={tomorrow}").get_data(
        as_text=True)
    assert f'href="/documents/{receipt.id}"' in everything


def test_reversal_needs_a_reason_and_books_the_opposite(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50)
    movement_id = Session.scalar(select(Movement.id))
    url = f"/movements/{movement_id}/reverse"
    assert "Reverse</a>" in clerk_client.get(f"/depots/{depot.id}/movements").get_data(as_text=True)
    html = clerk_client.post(url, data={"reason": ""}).get_data(as_text=True)
    assert error_beside(html, "reason") == "Give a reason."
    response = clerk_client.post(url, data={"reason": "typed 50 instead of 5"})
    voucher = clerk_client.get(response.location).get_data(as_text=True)
    assert re.search(r"CX-\d{4}-000001", voucher) and "-50" in voucher
    assert Session.scalar(select(Lot.on_hand)) == 0
    assert "reversed" in clerk_client.get(f"/depots/{depot.id}/movements").get_data(as_text=True)


# --- dashboard ----------------------------------------------------------------------------------------------------

def test_as_of_view_shows_the_stock_of_a_past_day_from_the_ledger(clerk_client, clerk, depot, item):
    ten_days_ago = clock.today() - timedelta(days=10)
    data = {"occurred_on": ten_days_ago.isoformat(), **lines(receipt_line(item, quantity="40"))}
    assert clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data).status_code == 302
    issue_stock(Issue(depot.id, [IssueLine(item.id, 15)], recipient="shelter"), clerk)
    past = clerk_client.get(f"/depots/{depot.id}/stock?as_of={(ten_days_ago + timedelta(days=2)).isoformat()}")
    html = past.get_data(as_text=True)
    day = (ten_days_ago + timedelta(days=2)).isoformat()
    assert f'Stock at the end of <span class="nowrap">{day}</span>, from the ledger' in html
    assert "<strong>40</strong>" in html
    assert "<strong>25</strong>" in clerk_client.get(f"/depots/{depot.id}/stock").get_data(as_text=True)
    before = clerk_client.get(f"/depots/{depot.id}/stock?as_of={(ten_days_ago - timedelta(days=1)).isoformat()}")
    assert "No stock on that day." in before.get_data(as_text=True)


def test_dashboard_marks_expired_and_due_lots(clerk_client, clerk, depot, make_item, monkeypatch):
    short = make_item(shelf_life_days=100, rotation_lead_days=90)
    today = clock.today()
    line = {"unit_cost": Decimal(5), "funding_source": "county"}
    lines_ = [ReceiptLine(short.id, 5, "OLD", expiry_date=today + timedelta(days=5), **line),
              ReceiptLine(short.id, 5, "SOON", expiry_date=today + timedelta(days=60), **line)]
    receive_stock(Receipt(depot.id, lines_), actor=clerk)
    monkeypatch.setattr(clock, "today", lambda: today + timedelta(days=10))  # OLD has expired since
    html = clerk_client.get(f"/depots/{depot.id}/stock").get_data(as_text=True)
    assert 'class="lot state-expired"' in html and 'class="lot state-due"' in html
    assert "5 expired" in html


def test_admin_sets_a_quota_and_the_shortfall_report_lists_the_depot(clerk, depot, item, make_user, login):
    stock_up(depot, item, clerk, 30)
    client = login(make_user(Role.ADMIN))
    bad = client.post(f"/depots/{depot.id}/quotas", data={"item_id": item.id, "target": "10", "minimum": "50"})
    assert error_beside(bad.get_data(as_text=True), "minimum") == "Must be between 0 and the target."
    response = client.post(f"/depots/{depot.id}/quotas", data={"item_id": item.id, "target": "100", "minimum": "50"})
    assert response.status_code == 302
    assert "below minimum by 20" in client.get(f"/depots/{depot.id}/stock").get_data(as_text=True)
    report = client.get("/quotas/shortfalls?province=510000").get_data(as_text=True)
    assert depot.code in report and ">20<" in report
    elsewhere = client.get("/quotas/shortfalls?province=420000").get_data(as_text=True)
    assert depot.code not in elsewhere


def test_donations_register_shows_donor_restriction_and_where_goods_went(clerk_client, clerk, depot, item):
    stock_up(depot, item, clerk, 50, funding_source="donation", donor="Red Cross Sichuan",
             donation_restriction="children only")
    issue = issue_stock(Issue(depot.id, [IssueLine(item.id, 8)], recipient="Wuhou school"), clerk)
    html = clerk_client.get("/donations").get_data(as_text=True)
    assert "Red Cross Sichuan" in html and "children only" in html
    assert issue.number in html and "to Wuhou school" in html and ">42<" in html


# --- bulk import ------------------------------------------------------------------------------------------------

IMPORT_HEADER = ("item_code,quantity,unit,batch_no,production_date,expiry_date,unit_cost,funding_source,ownership,"
                 "holder,donor,donation_restriction\n")


def upload(client, depot, text: str, name: str = "receipts.csv", headers: dict | None = None):
    return client.post(f"/depots/{depot.id}/receipts/import", headers=headers,
                       data={"file": (io.BytesIO(text.encode()), name)}, content_type="multipart/form-data")


def test_import_template_lists_the_expected_columns(clerk_client):
    response = clerk_client.get("/receipts/import/template.csv")
    assert response.mimetype == "text/csv" and response.get_data(as_text=True).startswith(IMPORT_HEADER.strip())


def test_the_downloaded_template_imports_unchanged_into_the_demo_catalogue(clerk_client, depot):
    from seed.loader import load_items

    load_items(Session)
    template = clerk_client.get("/receipts/import/template.csv").get_data(as_text=True)
    response = upload(clerk_client, depot, template, name="receipts-template.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(Movement) == 1


def test_the_template_example_is_a_catalogue_item_in_one_of_its_own_packs(clerk_client, make_item):
    make_item(code="AA-001", pack_units=[])
    make_item(code="ZZ-001", pack_units=[{"name": "carton", "factor": 24}], reference_price=Decimal("36.50"))
    example = clerk_client.get("/receipts/import/template.csv").get_data(as_text=True).splitlines()[1]
    assert example.startswith("ZZ-001,") and ",carton," in example and ",36.50," in example


def test_import_page_refuses_other_file_types(clerk_client, depot):
    html = upload(clerk_client, depot, "x", name="receipts.txt").get_data(as_text=True)
    assert error_beside(html, "file") == "Only .csv and .xlsx files."


def test_imported_rows_become_one_receipt_voucher(clerk_client, depot, item):
    pytest.importorskip("inventory.stock.services.imports")
    text = IMPORT_HEADER + f"{item.code},2,bale,IMP-1,2026-01-10,,180,provincial,government,,,\n"
    response = upload(clerk_client, depot, text)
    assert response.status_code == 302
    assert re.search(r"RK-\d{4}-000001", clerk_client.get(response.location).get_data(as_text=True))
    assert Session.scalar(select(Lot.on_hand)) == 20


def test_bad_import_rows_are_listed_and_nothing_is_written(clerk_client, depot, item):
    pytest.importorskip("inventory.stock.services.imports")
    text = IMPORT_HEADER + (f"{item.code},2,bale,IMP-1,2026-01-10,,180,provincial,government,,,\n"
                            f"NOPE,abc,,IMP-2,2026-01-10,,180,provincial,government,,,\n")
    html = upload(clerk_client, depot, text).get_data(as_text=True)
    assert "Nothing was written." in html and 'class="problems"' in html
    assert re.search(r'<td class="num">3</td>', html)  # the bad row, numbered as in the spreadsheet
    assert count(Movement) == 0


def test_the_summary_counts_the_rows_with_problems_not_the_rows_of_the_file(clerk_client, depot, item):
    text = IMPORT_HEADER + (f"{item.code},2,bale,IMP-1,2026-01-10,,180,provincial,government,,,\n"
                            f"NOPE,abc,,IMP-2,2026-01-10,,180,provincial,government,,,\n"
                            f"{item.code},0,,IMP-3,2026-01-10,,180,provincial,government,,,\n")
    html = upload(clerk_client, depot, text).get_data(as_text=True)
    assert "3 problems in 2 rows. Nothing was written." in html


def test_one_problem_in_one_row_is_said_in_the_singular(clerk_client, depot, item):
    text = IMPORT_HEADER + (f"{item.code},2,bale,IMP-1,2026-01-10,,180,provincial,government,,,\n"
                            f"NOPE,2,,IMP-2,2026-01-10,,180,provincial,government,,,\n")
    english = upload(clerk_client, depot, text).get_data(as_text=True)
    assert "1 problem in 1 row. Nothing was written." in english
    chinese = upload(clerk_client, depot, text, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "1 行中有 1 处问题" in chinese


def test_import_problems_are_shown_row_by_row(clerk_client, depot, monkeypatch):
    """The page's side alone, with the service's answer stubbed: every problem gets a table row."""
    from inventory.stock.services import imports

    def refuse(depot_id, filename, content, actor):
        return imports.ImportReport(rows=4, problems=[imports.ImportProblem(2, "quantity", "A whole number above 0."),
                                                      imports.ImportProblem(4, None, "Unknown item code X.")])

    monkeypatch.setattr(imports, "import_receipts", refuse)
    html = upload(clerk_client, depot, IMPORT_HEADER).get_data(as_text=True)
    assert "2 problems in" in html and "A whole number above 0." in html and "Unknown item code X." in html


# --- Chinese ------------------------------------------------------------------------------------------------------

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}


def test_a_refused_receipt_speaks_chinese_beside_the_fields(clerk_client, depot, item):
    data = {"supplier": "成都纺织厂", **lines(receipt_line(item, production_date="", quantity="3", unit="bale"),
                                              receipt_line(item, batch_no="B-002", quantity=""))}
    html = clerk_client.post(f"/depots/{depot.id}/receipts/new", data=data, headers=CHINESE).get_data(as_text=True)
    assert error_beside(html, "lines-1-quantity") == "此项必填。"  # the form's own check and the line's rule together
    assert error_beside(html, "lines-0-production_date") == "请填写生产日期或到期日期。"
    assert "未记录：请更正下面标出的各项。" in html
    assert value_of(html, "supplier") == "成都纺织厂" and value_of(html, "lines-0-quantity") == "3"
    assert f"{depot.name}入库" in html and "登记入库" in html


def test_the_voucher_and_the_dashboard_speak_chinese(clerk_client, clerk, depot, item):
    document = receive_stock(Receipt(depot.id, [ReceiptLine(item.id, 3, "B-001", Decimal(180), "provincial",
                                                                     unit="bale", production_date=clock.today())]),
                                      clerk)
    voucher = clerk_client.get(f"/documents/{document.id}", headers=CHINESE).get_data(as_text=True)
    assert f"入库单 <span class=\"number\">{document.number}</span>" in voucher
    assert "制单人" in voucher and "收货人" in voucher and "<td>件</td>" in voucher
    stock = clerk_client.get(f"/depots/{depot.id}/stock", headers=CHINESE).get_data(as_text=True)
    assert f"{depot.name}库存" in stock and "(件)" in stock and "省级财政" in stock


def test_import_problems_are_counted_in_chinese(clerk_client, depot, item):
    text = IMPORT_HEADER + "NOPE,abc,,IMP-2,2026-01-10,,180,provincial,government,,,\n"
    html = upload(clerk_client, depot, text, headers=CHINESE).get_data(as_text=True)
    assert "1 行中有 2 处问题，未登记任何内容。" in html
    assert "没有编码为 NOPE 的物资。" in html and "应为大于 0 的整数。" in html
