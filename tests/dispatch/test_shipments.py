"""The second half of the dispatcher's day through the API, on the demo network: approve a plan (its lots reserved
once), dispatch its shipments, receive them with a rejected line, and find the ledger, the valuation, the
reservations and the settlement exact; plans that stock no longer covers are refused whole; superseding,
cancelling and turning back give back what they held."""
from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from core import clock
from core.db import Session
from core.models import User, depot_clerks
from core.services import issue_token
from dispatch.plans.models import PlanLine
from dispatch.shipments.models import ShipmentLine
from inventory.network.models import Depot, DepotLevel
from inventory.stock.models import Lot, Movement, MovementKind, Reservation
from inventory.stock.queries import ledger_mismatches
from tests.dispatch.test_planning import an_incident, dispatcher_token, wait_for

PLATE = {"plate": "川A·12345", "driver_name": "王师傅", "driver_phone": "13800000000"}


def token(app, username: str) -> dict:
    with app.app_context():
        user = Session.scalar(select(User).where(User.username == username))
        _token, raw = issue_token(user.id, "tests", actor=user)
        Session.remove()
    return {"Authorization": f"Bearer {raw}"}


def keyed(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


def a_plan(app, client, headers, areas=None) -> tuple[int, int]:
    incident_id = an_incident(client, headers, **({"areas": areas} if areas else {}))
    job = client.post(f"/api/v1/incidents/{incident_id}/plans", json={}, headers=headers).get_json()
    finished = wait_for(client, job["id"], headers)
    assert finished["status"] == "succeeded", finished
    return incident_id, finished["plan_id"]


def valuation(client, headers) -> Decimal:
    report = client.get(f"/api/v1/reports/valuation?as_of={clock.today().isoformat()}", headers=headers)
    assert report.status_code == 200, report.get_json()
    return Decimal(report.get_json()["total_value"])


def reserved_by_plans(app) -> int:
    with app.app_context():
        total = Session.scalar(select(func.coalesce(func.sum(Reservation.quantity), 0)))
        Session.remove()
    return int(total)


def depot_line_quantity(app, plan_id: int) -> int:
    with app.app_context():
        total = Session.scalar(select(func.sum(PlanLine.quantity)).where(PlanLine.plan_id == plan_id,
                                                                        PlanLine.depot_id.is_not(None)))
        Session.remove()
    return int(total or 0)


def approve(client, headers, plan_id: int, key: str = "approve"):
    return client.post(f"/api/v1/plans/{plan_id}/approve", headers=keyed(headers, f"{key}-{plan_id}"))


def a_sample(shipments: list[dict], each: int = 4) -> list[dict]:
    """A few shipments of each mode: enough for every filter to find lines and leave some out."""
    kept = Counter()
    sample = []
    for shipment in shipments:
        if kept[shipment["mode"]] < each:
            kept[shipment["mode"]] += 1
            sample.append(shipment)
    return sample


def dispatch_all(client, headers, shipments: list[dict]) -> None:
    for shipment in shipments:
        details = PLATE if shipment["mode"] == "road" and shipment["source_kind"] == "depot" else {}
        details = details or ({"carrier": "中铁快运"} if not shipment["carrier"] else {})
        sent = client.post(f"/api/v1/shipments/{shipment['id']}/dispatch", json=details,
                           headers=keyed(headers, f"dispatch-{shipment['id']}"))
        assert sent.status_code == 200, sent.get_json()
        assert sent.get_json()["status"] == "in_transit"


def receive_all(client, headers, shipments: list[dict], reject: int = 0) -> dict:
    """Every stop accepts everything, except `reject` units of the first depot line, rejected as damaged."""
    rejected = {}
    for shipment in shipments:
        full = client.get(f"/api/v1/shipments/{shipment['id']}", headers=headers).get_json()
        for stop in full["stops"]:
            lines = []
            for line in (line for line in full["lines"] if line["stop_id"] == stop["id"]):
                if reject and not rejected and line["lot_id"] and line["quantity"] > reject:
                    rejected[line["id"]] = reject
                    lines.append({"line_id": line["id"], "accepted": line["quantity"] - reject, "reason": "damaged",
                                  "note": "外包装破损"})
                else:
                    lines.append({"line_id": line["id"], "accepted": line["quantity"]})
            answer = client.post(f"/api/v1/shipments/{shipment['id']}/receive",
                                 json={"stop_id": stop["id"], "signed_by": "李主任", "lines": lines},
                                 headers=keyed(headers, f"receive-{stop['id']}"))
            assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["status"] == "delivered"
    return rejected


def test_incident_to_delivered_shipments_keeps_the_ledger_and_the_valuation(demo_app):
    client = demo_app.test_client()
    headers, finance = dispatcher_token(demo_app), token(demo_app, "finance")
    incident_id, plan_id = a_plan(demo_app, client, headers)
    before = valuation(client, finance)

    approved = approve(client, headers, plan_id)
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["status"] == "approved" and body["shipment_count"] == len(body["shipments"]) > 0
    assert reserved_by_plans(demo_app) == depot_line_quantity(demo_app, plan_id)
    replay = approve(client, headers, plan_id)
    assert replay.status_code == 200 and replay.headers.get("Idempotent-Replayed") == "true"
    again = client.post(f"/api/v1/plans/{plan_id}/approve", headers=keyed(headers, "a-second-key"))
    assert again.status_code == 409

    dispatch_all(client, headers, body["shipments"])
    assert reserved_by_plans(demo_app) == 0
    assert valuation(client, finance) == before  # goods on the road are still on the books
    listed = client.get(f"/api/v1/shipments?plan_id={plan_id}&status=in_transit&per_page=200", headers=headers)
    assert listed.get_json()["total"] == len(body["shipments"])

    rejected = receive_all(client, headers, body["shipments"], reject=3)
    assert sum(rejected.values()) == 3
    with demo_app.app_context():
        assert ledger_mismatches() == []
        planned = Session.scalar(select(func.sum(PlanLine.quantity)).where(PlanLine.plan_id == plan_id,
                                                                          PlanLine.depot_id.is_not(None)))
        delivered = -Session.scalar(select(func.sum(Movement.quantity)).where(Movement.kind == MovementKind.DELIVERY))
        lost = Session.execute(select(func.sum(-Movement.quantity), func.sum(-Movement.quantity * Movement.unit_cost))
                               .where(Movement.kind == MovementKind.LOSS)).one()
        delivered_value = Session.scalar(select(func.sum(-Movement.quantity * Movement.unit_cost))
                                         .where(Movement.kind == MovementKind.DELIVERY))
        in_transit = Session.scalar(select(func.sum(Lot.on_hand)).where(Lot.in_transit.is_(True)))
        accepted = Session.scalar(select(func.sum(ShipmentLine.accepted)).where(ShipmentLine.lot_id.is_not(None)))
        Session.remove()
    assert delivered == accepted == planned - 3 and lost[0] == 3
    assert in_transit == 0
    assert valuation(client, finance) == before - Decimal(delivered_value) - Decimal(lost[1])
    assert demo_app.test_cli_runner().invoke(args=["stock", "reconcile"]).exit_code == 0
    progress = client.get(f"/api/v1/incidents/{incident_id}/progress", headers=headers).get_json()
    assert progress["totals"]["delivered"] == planned - 3 and progress["totals"]["in_transit"] == 0


def test_an_approval_that_stock_no_longer_covers_is_refused_whole(demo_app):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    _incident_id, plan_id = a_plan(demo_app, client, headers)
    with demo_app.app_context():
        line = Session.scalar(select(PlanLine).where(PlanLine.plan_id == plan_id, PlanLine.depot_id.is_not(None))
                              .order_by(PlanLine.quantity.desc()))
        lots = Session.scalars(select(Lot).where(Lot.depot_id == line.depot_id, Lot.item_id == line.item_id,
                                                 Lot.in_transit.is_(False), Lot.on_hand > Lot.reserved,
                                                 (Lot.expiry_date.is_(None)) | (Lot.expiry_date > clock.today()))).all()
        depot_id, item_id, line_id = line.depot_id, line.item_id, line.id
        lot_ids = [(lot.id, lot.free) for lot in lots]
        Session.remove()
    clerk_like = token(demo_app, "admin")
    for lot_id, free in lot_ids:  # a clerk issues the whole stock the plan counted on
        issued = client.post("/api/v1/issues", json={
            "depot_id": depot_id, "recipient": "县民政局",
            "lines": [{"item_id": item_id, "quantity": free, "lot_id": lot_id}]},
            headers=clerk_like)
        assert issued.status_code == 201, issued.get_json()
    refused = approve(client, headers, plan_id)
    assert refused.status_code == 409
    answer = refused.get_json()
    assert "plan again" in answer["error"] and str(line_id) in answer["fields"]["lines"]
    assert reserved_by_plans(demo_app) == 0
    plan = client.get(f"/api/v1/plans/{plan_id}", headers=headers).get_json()
    assert plan["status"] == "proposed"
    assert client.get(f"/api/v1/shipments?plan_id={plan_id}", headers=headers).get_json()["total"] == 0


def road_stops(client, headers, shipment: dict) -> list[dict]:
    return client.get(f"/api/v1/shipments/{shipment['id']}", headers=headers).get_json()["stops"]


def test_superseding_cancelling_and_turning_back_give_back_the_stock(demo_app):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    incident_id, first = a_plan(demo_app, client, headers)
    body = approve(client, headers, first).get_json()
    road = next(s for s in body["shipments"] if s["source_kind"] == "depot")
    dispatch_all(client, headers, [road])
    with demo_app.app_context():
        free_before_return = {lot.id: lot.free for lot in Session.scalars(select(Lot).where(Lot.in_transit.is_(False)))}
        Session.remove()

    # A re-plan from a fresh snapshot counts what is already on the road; approving it supersedes the first plan,
    # whose shipments not yet left release their stock while the one on the road goes on.
    job = client.post(f"/api/v1/incidents/{incident_id}/plans", json={}, headers=headers).get_json()
    second = wait_for(client, job["id"], headers)["plan_id"]
    replanned = client.get(f"/api/v1/plans/{second}", headers=headers).get_json()
    demand = client.get(f"/api/v1/incidents/{incident_id}/demand", headers=headers).get_json()
    on_the_road = defaultdict(int)
    for line in client.get(f"/api/v1/shipments/{road['id']}", headers=headers).get_json()["lines"]:
        stop = next(s for s in road_stops(client, headers, road) if s["id"] == line["stop_id"])
        on_the_road[(stop["area_id"], line["item_id"])] += line["quantity"]
    answered = defaultdict(int, on_the_road)
    for entry in replanned["lines"] + replanned["unmet"]:
        answered[(entry["area_id"], entry["item_id"])] += entry["quantity"]
    assert dict(answered) == {(line["area_id"], line["item_id"]): line["quantity"] for line in demand["lines"]}
    assert approve(client, headers, second).status_code == 200
    first_state = client.get(f"/api/v1/plans/{first}", headers=headers).get_json()
    assert first_state["status"] == "superseded" and "superseded by plan" in first_state["close_reason"]
    statuses = defaultdict(set)
    for shipment in client.get(f"/api/v1/shipments?plan_id={first}&per_page=200", headers=headers).get_json()["items"]:
        statuses[shipment["status"]].add(shipment["id"])
    assert statuses["in_transit"] == {road["id"]} and set(statuses) <= {"in_transit", "cancelled"}
    assert reserved_by_plans(demo_app) == depot_line_quantity(demo_app, second)

    turned = client.post(f"/api/v1/shipments/{road['id']}/return", json={"reason": "道路中断"},
                         headers=keyed(headers, "turn-back"))
    assert turned.status_code == 200 and turned.get_json()["status"] == "returned"
    cancelled = client.post(f"/api/v1/plans/{second}/cancel", json={"reason": "需求已满足"},
                            headers=keyed(headers, "cancel"))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert reserved_by_plans(demo_app) == 0
    with demo_app.app_context():
        assert ledger_mismatches() == []
        assert Session.scalar(select(func.sum(Lot.on_hand)).where(Lot.in_transit.is_(True))) == 0
        free_now = {lot.id: lot.free for lot in Session.scalars(select(Lot).where(Lot.in_transit.is_(False)))}
        road_lots = Session.execute(select(ShipmentLine.lot_id, func.sum(ShipmentLine.quantity))
                                    .where(ShipmentLine.shipment_id == road["id"])
                                    .group_by(ShipmentLine.lot_id)).all()
        Session.remove()
    for lot_id, quantity in road_lots:  # back in the lots it left
        assert free_now[lot_id] == free_before_return[lot_id] + quantity


def signed_in(app, username: str):
    page = app.test_client()
    assert page.post("/login", data={"username": username, "password": "demo1234"}).status_code == 302
    return page


def test_the_pages_take_a_plan_from_approval_to_a_receipt_with_a_discrepancy(demo_app):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    _incident_id, plan_id = a_plan(demo_app, client, headers)
    dispatcher = signed_in(demo_app, "dispatcher")
    assert "Approve the plan" in dispatcher.get(f"/plans/{plan_id}").get_data(as_text=True)
    approved = dispatcher.post(f"/plans/{plan_id}/approve", follow_redirects=True)
    html = approved.get_data(as_text=True)
    assert approved.status_code == 200 and "Plan approved" in html and "Waybill" in html
    shipment = client.get(f"/api/v1/shipments?plan_id={plan_id}&per_page=200", headers=headers).get_json()["items"]
    road = next(s for s in shipment if s["source_kind"] == "depot" and s["mode"] == "road")

    depot = dispatcher.get(f"/depots/{road['depot_id']}/stock").get_data(as_text=True)
    assert "Reserved for" in depot and f"/plans/{plan_id}" in depot and road["number"] in depot

    bill = dispatcher.get(f"/shipments/{road['id']}/waybill").get_data(as_text=True)
    for words in ("Relief supplies waybill", road["number"], "Driver and phone", "Received by (signature"):
        assert words in bill, words
    missing_driver = dispatcher.post(f"/shipments/{road['id']}/dispatch", data={"plate": "川A·12345"})
    assert missing_driver.status_code == 422 and "Required before the vehicle leaves." in \
        missing_driver.get_data(as_text=True)
    left = dispatcher.post(f"/shipments/{road['id']}/dispatch", data=PLATE, follow_redirects=True)
    assert "On its way" in left.get_data(as_text=True)

    full = client.get(f"/api/v1/shipments/{road['id']}", headers=headers).get_json()
    stop = full["stops"][0]
    lines = [line for line in full["lines"] if line["stop_id"] == stop["id"]]
    form = {"stop_id": stop["id"], "signed_by": "李主任"}
    for index, line in enumerate(lines):
        form |= {f"lines-{index}-line_id": line["id"], f"lines-{index}-accepted": line["quantity"]}
    form["lines-0-accepted"] = lines[0]["quantity"] - 1  # one short, and no reason given
    refused = dispatcher.post(f"/shipments/{road['id']}/receive", data=form)
    assert refused.status_code == 422 and "Choose a reason." in refused.get_data(as_text=True)
    form["lines-0-reason"] = "missing"
    received = dispatcher.post(f"/shipments/{road['id']}/receive", data=form, follow_redirects=True)
    assert received.status_code == 200 and ("Receipt recorded." in received.get_data(as_text=True)
                                            or "Delivered" in received.get_data(as_text=True))
    after = client.get(f"/api/v1/shipments/{road['id']}", headers=headers).get_json()
    first = next(line for line in after["lines"] if line["id"] == lines[0]["id"])
    assert (first["accepted"], first["rejected"], first["reject_reason"]) == (lines[0]["quantity"] - 1, 1, "missing")
    document = dispatcher.get(f"/shipments/by-document/{after['document_id']}")
    assert document.status_code == 302 and document.headers["Location"].endswith(f"/shipments/{road['id']}")
    voucher = dispatcher.get(f"/documents/{after['document_id']}").get_data(as_text=True)
    assert "Waybill" in voucher and "Lost in transit" in voucher and "The shipment" in voucher
    with demo_app.app_context():
        assert ledger_mismatches() == []
        Session.remove()


def test_a_shipment_to_an_area_served_by_a_depot_becomes_a_receipt_there(demo_app):
    client = demo_app.test_client()
    headers, clerk = dispatcher_token(demo_app), token(demo_app, "clerk")
    with demo_app.app_context():
        clerk_user = Session.scalar(select(User).where(User.username == "clerk"))
        receiving = Session.scalar(select(Depot).join(depot_clerks, depot_clerks.c.depot_id == Depot.id)
                                   .where(depot_clerks.c.user_id == clerk_user.id, Depot.level == DepotLevel.COUNTY))
        code, depot_id = receiving.code, receiving.id
        Session.remove()
    incident_id, plan_id = a_plan(demo_app, client, headers)
    areas = client.get(f"/api/v1/incidents/{incident_id}", headers=headers).get_json()["areas"]
    body = approve(client, headers, plan_id).get_json()
    stop_areas = {stop["area_id"] for shipment in body["shipments"]
                  for stop in road_stops(client, headers, shipment)}
    area = next(area for area in areas if area["id"] in stop_areas)
    changed = client.patch(f"/api/v1/incidents/{incident_id}/areas/{area['id']}",
                           json={"receiving_depot_code": code.lower()}, headers=keyed(headers, "receive-into"))
    assert changed.status_code == 200 and changed.get_json()["receiving_depot_code"] == code
    unknown = client.patch(f"/api/v1/incidents/{incident_id}/areas/{area['id']}",
                           json={"receiving_depot_code": "NO-SUCH"}, headers=headers)
    assert unknown.status_code == 422 and "receiving_depot_code" in unknown.get_json()["fields"]

    going = [s for s in body["shipments"] if any(stop["area_id"] == area["id"]
                                                  for stop in road_stops(client, headers, s))][:4]  # a few will do
    dispatch_all(client, headers, going)
    before = client.get(f"/api/v1/depots/{depot_id}/stock", headers=clerk).get_json()
    on_hand = {entry["item_id"]: entry["on_hand"] for entry in before["items"]}
    arriving = defaultdict(int)
    for shipment in going:
        full = client.get(f"/api/v1/shipments/{shipment['id']}", headers=clerk).get_json()  # the clerk may read it
        stop = next(stop for stop in full["stops"] if stop["area_id"] == area["id"])
        lines = [line for line in full["lines"] if line["stop_id"] == stop["id"]]
        for line in lines:
            arriving[line["item_id"]] += line["quantity"]
        accepted = [{"line_id": line["id"], "accepted": line["quantity"]} for line in lines]
        answer = client.post(f"/api/v1/shipments/{shipment['id']}/receive",
                             json={"stop_id": stop["id"], "signed_by": "库管员", "lines": accepted}, headers=clerk)
        assert answer.status_code == 200, answer.get_json()
    after = client.get(f"/api/v1/depots/{depot_id}/stock", headers=clerk).get_json()
    for entry in after["items"]:
        assert entry["on_hand"] == on_hand.get(entry["item_id"], 0) + arriving.get(entry["item_id"], 0)
    with demo_app.app_context():
        assert ledger_mismatches() == []
        Session.remove()
