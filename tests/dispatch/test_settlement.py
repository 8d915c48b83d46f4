"""Finance settles with the carriers: after a plan's shipments are delivered, the settlement report's amount is the
sum of each trip priced by the rule (route km x rate + fixed fee for a vehicle, tonne-km x rate otherwise), the
page, the API, the CSV and the XLSX say the same totals, the filters narrow the lines, a line is paid once, and no
filter or payment, however hostile, gives a 500."""
from __future__ import annotations

import csv
import html as html_lib
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core import clock
from core.db import Session
from core.models import Role, User
from dispatch.fleet.models import DepotVehicle, Mode, RequisitionedVehicle, TransportMode
from dispatch.plans.models import PlanRoute
from optimizer.travel import DEFAULT_MODES
from tests.dispatch.test_planning import dispatcher_token
from tests.dispatch.test_shipments import a_plan, a_sample, approve, dispatch_all, keyed, receive_all, signed_in, token

CENT = Decimal("0.01")
COLUMNS = {"distance_km": 6, "tonne_km": 7, "amount": 11}  # in the download, as on the page


def delivered_plan(app, client) -> tuple[int, list[dict]]:
    """A plan on the demo network approved, and a few shipments of each mode sent and received (the other trips wait,
    unpriced): its incident and the delivered shipments, in full."""
    headers = dispatcher_token(app)
    incident_id, plan_id = a_plan(app, client, headers)
    approved = approve(client, headers, plan_id)
    assert approved.status_code == 200, approved.get_json()
    shipments = a_sample(approved.get_json()["shipments"])
    dispatch_all(client, headers, shipments)
    receive_all(client, headers, shipments)
    return incident_id, [client.get(f"/api/v1/shipments/{s['id']}", headers=headers).get_json() for s in shipments]


def priced_by_the_rule(app, shipment: dict) -> Decimal:
    """What the carrier is owed for one trip, worked out here from the shipment and the fleet's rates."""
    distance, tonne_km = Decimal(shipment["distance_km"]), Decimal(shipment["tonne_km"])
    with app.app_context():
        vehicle = None
        if shipment["requisitioned_vehicle_id"]:
            vehicle = Session.get(RequisitionedVehicle, shipment["requisitioned_vehicle_id"])
        elif shipment["route_id"]:
            vehicle_type = Session.get(PlanRoute, shipment["route_id"]).vehicle_type
            vehicle = Session.get(DepotVehicle, int(vehicle_type.removeprefix("v")))
        if vehicle is not None:
            amount = Decimal(vehicle.fixed_cost) + Decimal(vehicle.cost_per_km) * distance
        else:
            stored = Session.get(TransportMode, Mode(shipment["mode"]))
            rate = stored.cost_per_tkm if stored else Decimal(str(DEFAULT_MODES[shipment["mode"]].cost_per_tkm))
            amount = Decimal(rate) * tonne_km
        Session.remove()
    return amount.quantize(CENT)


def page_figure(html: str, element_id: str) -> Decimal:
    shown = re.search(rf'id="{element_id}">([^<]+)<', html).group(1)
    return Decimal(shown.replace(",", ""))


def download_link(html: str, fmt: str) -> str:
    link = html_lib.unescape(re.search(rf'href="([^"]*format={fmt}[^"]*)"', html).group(1))
    assert "incident_id=" in link, link  # the download has the page's filters
    return link


def download_totals(rows: list[list]) -> dict[str, Decimal]:
    total = next(row for row in rows if row[0] == "Total")
    return {name: Decimal(str(total[column])) for name, column in COLUMNS.items()}


def trip_ended(shipments: list[dict], number: str) -> datetime:
    shipment = next(shipment for shipment in shipments if shipment["number"] == number)
    return datetime.fromisoformat(shipment["delivered_at"] or shipment["closed_at"])


def test_the_report_adds_up_the_trips_and_the_page_api_csv_and_xlsx_agree(demo_app):
    client = demo_app.test_client()
    incident_id, shipments = delivered_plan(demo_app, client)
    finance = token(demo_app, "finance")
    expected = sum((priced_by_the_rule(demo_app, shipment) for shipment in shipments), Decimal("0"))
    assert expected > 0

    answer = client.get(f"/api/v1/reports/settlement?incident_id={incident_id}", headers=finance)
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    totals = report["totals"]
    assert Decimal(totals["amount"]) == expected == Decimal(totals["due"]) and Decimal(totals["paid"]) == 0
    assert totals["lines"] == len(shipments) == report["finished_shipments"] and report["unsettled"] == []
    assert {row["waybill"] for row in report["rows"]} == {shipment["number"] for shipment in shipments}
    assert Decimal(totals["tonne_km"]) == sum(Decimal(s["tonne_km"]) for s in shipments)
    assert Decimal(totals["distance_km"]) == sum(Decimal(s["distance_km"]) for s in shipments)
    assert sum(Decimal(carrier["amount"]) for carrier in report["by_carrier"]) == expected
    figures = {name: Decimal(totals[name]) for name in COLUMNS}

    reader = signed_in(demo_app, "finance")
    page = reader.get(f"/reports/settlement?incident_id={incident_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "unsettled-none" in html
    assert {name: page_figure(html, element) for name, element in (
        ("distance_km", "total-distance"), ("tonne_km", "total-tonne-km"), ("amount", "total-amount"))} == figures
    for shipment in shipments:
        assert f'href="/shipments/{shipment["id"]}">{shipment["number"]}</a>' in html

    csv_file = reader.get(download_link(html, "csv"))  # the page's own link, read with the page's session
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    csv_rows = list(csv.reader(io.StringIO(csv_file.get_data(as_text=True).lstrip("\ufeff"))))
    assert download_totals(csv_rows) == figures
    assert sum(Decimal(row[11]) for row in csv_rows[1:len(shipments) + 1]) == expected

    xlsx_file = reader.get(download_link(html, "xlsx"))
    assert xlsx_file.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_file.get_data())).active
    assert download_totals([list(row) for row in sheet.iter_rows(values_only=True)]) == figures
    lines = list(sheet.iter_rows(min_row=2, max_row=len(shipments) + 1))  # finance-grade: see core.exports
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    assert all(line[COLUMNS["amount"]].number_format == "#,##0.00" for line in lines)
    assert all(isinstance(line[2].value, datetime) and line[2].number_format == "yyyy-mm-dd hh:mm" for line in lines)
    total = sheet[len(shipments) + 2]
    assert total[0].value == "Total" and total[COLUMNS["amount"]].font.b
    assert csv_rows[1][2] == clock.local_iso(trip_ended(shipments, csv_rows[1][0]))  # CSV: local ISO text


def test_the_filters_narrow_the_lines(demo_app):
    client = demo_app.test_client()
    incident_id, shipments = delivered_plan(demo_app, client)
    finance = token(demo_app, "finance")

    def rows(**params) -> list[dict]:
        answer = client.get("/api/v1/reports/settlement", query_string={"incident_id": incident_id, **params},
                            headers=finance)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["rows"]

    assert len(rows()) == len(shipments)
    for mode in {shipment["mode"] for shipment in shipments}:
        assert {row["waybill"] for row in rows(mode=mode)} == {s["number"] for s in shipments if s["mode"] == mode}
    carrier = shipments[0]["carrier"]
    assert {row["waybill"] for row in rows(carrier=carrier)} == {s["number"] for s in shipments
                                                                 if s["carrier"] == carrier}
    today, yesterday = clock.today(), clock.today() - timedelta(days=1)
    assert len(rows(delivered_from=today.isoformat(), delivered_to=today.isoformat())) == len(shipments)
    assert rows(delivered_to=yesterday.isoformat()) == []
    assert rows(incident_id=incident_id + 1000) == []
    assert len(rows(status="due")) == len(shipments) and rows(status="paid") == []

    page = signed_in(demo_app, "dispatcher").get(f"/reports/settlement?incident_id={incident_id}&carrier={carrier}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Record a payment" not in html  # dispatchers read, finance pays
    assert html.count('<tr id="line-') == sum(1 for s in shipments if s["carrier"] == carrier)


def test_a_line_is_paid_once_and_clerks_may_not_pay(demo_app):
    client = demo_app.test_client()
    incident_id, _shipments = delivered_plan(demo_app, client)
    finance = token(demo_app, "finance")
    lines = client.get(f"/api/v1/reports/settlement?incident_id={incident_id}", headers=finance).get_json()["rows"]
    first, rest = lines[0], lines[1:]
    payment = {"line_ids": [first["id"]], "reference": "ZF-2026-0001"}

    paid = client.post("/api/v1/settlement/payments", json=payment, headers=keyed(finance, "pay-1"))
    assert paid.status_code == 200, paid.get_json()
    assert paid.get_json()["lines"][0]["status"] == "paid" and paid.get_json()["lines"][0]["paid_at"]
    replay = client.post("/api/v1/settlement/payments", json=payment, headers=keyed(finance, "pay-1"))
    assert replay.status_code == 200 and replay.headers.get("Idempotent-Replayed") == "true"
    twice = client.post("/api/v1/settlement/payments", json=payment, headers=keyed(finance, "pay-2"))
    assert twice.status_code == 409 and "already paid" in twice.get_json()["error"]
    report = client.get(f"/api/v1/reports/settlement?incident_id={incident_id}", headers=finance).get_json()
    assert Decimal(report["totals"]["paid"]) == Decimal(first["amount"])
    assert Decimal(report["totals"]["due"]) == sum((Decimal(line["amount"]) for line in rest), Decimal("0"))
    download = client.get(f"/api/v1/reports/settlement?incident_id={incident_id}&format=xlsx", headers=finance)
    sheet = load_workbook(io.BytesIO(download.data)).active
    headers = [cell.value for cell in sheet[1]]
    row = next(dict(zip(headers, row)) for row in sheet.iter_rows(min_row=2, values_only=True)
               if row[0] == first["waybill"])
    with demo_app.app_context():
        name = Session.scalar(select(User.display_name).where(User.username == "finance"))
        Session.remove()
    assert row["Paid by"] == f"{name} (finance)" and isinstance(row["Paid at"], datetime)  # a name, not an id

    clerk = token(demo_app, "clerk")
    refused = client.post("/api/v1/settlement/payments", json={"line_ids": [rest[0]["id"]], "reference": "X"},
                          headers=keyed(clerk, "clerk-pays"))
    assert refused.status_code == 403
    assert client.get("/api/v1/reports/settlement", headers=clerk).status_code == 403

    page = signed_in(demo_app, "finance")
    again = page.post(f"/reports/settlement/payments?incident_id={incident_id}",
                      data={"line_ids": [first["id"], rest[0]["id"]], "reference": "ZF-2026-0002"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and f"Waybill {first['waybill']} is already paid." in html
    assert 'id="line_ids-error"' in html
    done = page.post(f"/reports/settlement/payments?incident_id={incident_id}",
                     data={"line_ids": [rest[0]["id"]], "reference": "ZF-2026-0002"}, follow_redirects=True)
    assert done.status_code == 200 and "Payment ZF-2026-0002 recorded; lines paid: 1." in done.get_data(as_text=True)
    assert signed_in(demo_app, "clerk").post("/reports/settlement/payments", data=payment).status_code == 403


HOSTILE_QUERIES = [
    ({"delivered_from": "2026-13-45"}, "delivered_from"),
    ({"delivered_to": "4974-10-21"}, "delivered_to"),
    ({"delivered_from": "2026-06-30", "delivered_to": "2026-06-01"}, "delivered_to"),
    ({"incident_id": "abc"}, "incident_id"),
    ({"incident_id": "99999999999999999999"}, "incident_id"),
    ({"mode": "boat"}, "mode"),
    ({"status": "'; DROP TABLE settlement_lines; --"}, "status"),
    ({"carrier": "\x00"}, "carrier"),
    ({"carrier": "x" * 201}, "carrier"),
    ({"format": "pdf"}, "format"),
]


@pytest.mark.parametrize("params, field", HOSTILE_QUERIES, ids=[field for _params, field in HOSTILE_QUERIES])
def test_hostile_filters_are_refused_beside_their_field(client, make_user, api_token, login, params, field):
    finance = make_user(Role.FINANCE)
    answer = client.get("/api/v1/reports/settlement", query_string=params, headers=api_token(finance))
    assert answer.status_code == 400 and field in answer.get_json()["fields"]
    if field == "format":
        return
    page = login(finance).get("/reports/settlement", query_string=params)
    html = page.get_data(as_text=True)
    if any("\x00" in value for value in params.values()):  # refused for every page before the form is read
        assert page.status_code == 400 and field in html
        return
    assert page.status_code == 400 and re.search(rf'<span class="error" id="{field}-error">', html)


HOSTILE_PAYMENTS = [
    ({"line_ids": [], "reference": "ZF-1"}, "line_ids", 422),
    ({"line_ids": ["one"], "reference": "ZF-1"}, "line_ids", 422),
    ({"line_ids": [99999999999999], "reference": "ZF-1"}, "line_ids", 422),
    ({"line_ids": [1], "reference": ""}, "reference", 422),
    ({"line_ids": [1], "reference": "x" * 81}, "reference", 422),
    ({"line_ids": [1], "reference": "ZF\x00-1"}, "reference", 400),  # refused before any schema reads it
    ({"line_ids": [1], "reference": "ZF-1", "paid_at": "tomorrow"}, "paid_at", 422),
    ({"line_ids": [424242], "reference": "ZF-1"}, None, 404),
]


@pytest.mark.parametrize("payment, field, status", HOSTILE_PAYMENTS, ids=[str(row[1]) for row in HOSTILE_PAYMENTS])
def test_hostile_payments_are_refused_and_write_nothing(client, make_user, api_token, payment, field, status):
    headers = {**api_token(make_user(Role.FINANCE)), "Idempotency-Key": "hostile"}
    answer = client.post("/api/v1/settlement/payments", json=payment, headers=headers)
    assert answer.status_code == status, answer.get_json()
    assert field is None or field in answer.get_json()["fields"]


def test_the_page_refuses_a_hostile_payment_beside_its_field(client, make_user, login):
    page = login(make_user(Role.FINANCE))
    for data, field in (({"line_ids": "x", "reference": "ZF-1"}, "line_ids"),
                        ({"line_ids": "1", "reference": "ZF-1", "paid_on": "2026-02-30"}, "paid_on"),
                        ({"reference": "ZF-1"}, "line_ids")):
        answer = page.post("/reports/settlement/payments", data=data)
        assert answer.status_code == 422 and f'id="{field}-error"' in answer.get_data(as_text=True), data
    refused = page.post("/reports/settlement/payments", data={"line_ids": "1", "reference": "ZF\x00"})
    assert refused.status_code == 400 and "reference" in refused.get_data(as_text=True)  # NUL: for every form


def test_the_openapi_document_says_the_decimals_are_strings(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name, keys in (("SettlementLine", ("distance_km", "tonne_km", "rate", "fixed_fee", "amount")),
                       ("SettlementFigures", ("distance_km", "tonne_km", "amount", "paid", "due"))):
        assert {key: schemas[name]["properties"][key]["type"] for key in keys} == dict.fromkeys(keys, "string")
    report = schemas["SettlementReport"]["properties"]
    assert {"rows", "totals", "by_carrier", "unsettled"} <= set(report)
