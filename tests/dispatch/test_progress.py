"""The follow-up dashboard of an incident, on the demo network through the API and the page: planned, in transit and
delivered follow approval, dispatch and receipt (a rejected unit is not delivered); only what arrives within its due
time counts in the basic-living share; late shipments are listed as overdue; the chart draws the table's figures."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from core import clock
from core.db import Session
from core.models import Role
from dispatch.demand.models import DemandLine
from dispatch.demand.queries import norms_in_force
from dispatch.incidents.services import add_area, create_incident
from dispatch.progress.queries import MAX_TIMELINE_POINTS, OVERDUE_SHOWN, on_time_units, timeline
from tests.dispatch.test_planning import dispatcher_token
from tests.dispatch.test_shipments import a_plan, a_sample, approve, dispatch_all, receive_all, signed_in

CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}
T0 = datetime(2026, 12, 1, 8, tzinfo=timezone.utc)


def progress(client, headers, incident_id: int) -> dict:
    answer = client.get(f"/api/v1/incidents/{incident_id}/progress", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def per_item(body: dict, figure: str) -> dict[tuple[int, int], int]:
    """One figure per (area, item), leaving out zeros."""
    return {(area["area_id"], item["item_id"]): item[figure] for area in body["by_area"] for item in area["items"]
            if item[figure]}


def planned_lines(client, headers, plan_id: int) -> dict[tuple[int, int], int]:
    planned = defaultdict(int)
    for line in client.get(f"/api/v1/plans/{plan_id}", headers=headers).get_json()["lines"]:
        planned[(line["area_id"], line["item_id"])] += line["quantity"]
    return dict(planned)


def carried(client, headers, shipments: list[dict]) -> tuple[dict[tuple[int, int], int], dict[int, tuple[int, int]]]:
    """What the shipments carry per (area, item), and each shipment line's (area, item)."""
    quantities, keys = defaultdict(int), {}
    for shipment in shipments:
        full = client.get(f"/api/v1/shipments/{shipment['id']}", headers=headers).get_json()
        areas = {stop["id"]: stop["area_id"] for stop in full["stops"]}
        for line in full["lines"]:
            keys[line["id"]] = (areas[line["stop_id"]], line["item_id"])
            quantities[keys[line["id"]]] += line["quantity"]
    return dict(quantities), keys


def test_planned_in_transit_and_delivered_follow_the_plan_to_its_receipt(demo_app, monkeypatch):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    incident_id, plan_id = a_plan(demo_app, client, headers)
    demand = client.get(f"/api/v1/incidents/{incident_id}/demand", headers=headers).get_json()
    before = progress(client, headers, incident_id)
    assert before["plan_id"] is None and before["totals"]["planned"] == 0 and before["timeline"] == []
    assert before["timeline_step_minutes"] is None
    assert per_item(before, "demand") == {(line["area_id"], line["item_id"]): line["quantity"]
                                          for line in demand["lines"]}

    shipments = a_sample(approve(client, headers, plan_id).get_json()["shipments"])  # a few of each mode
    planned = planned_lines(client, headers, plan_id)
    approved = progress(client, headers, incident_id)
    assert approved["plan_id"] == plan_id and per_item(approved, "planned") == planned
    assert approved["totals"]["in_transit"] == approved["totals"]["delivered"] == 0

    dispatch_all(client, headers, shipments)
    sent, line_keys = carried(client, headers, shipments)
    on_the_road = progress(client, headers, incident_id)
    assert per_item(on_the_road, "in_transit") == sent and per_item(on_the_road, "delivered") == {}
    assert on_the_road["timeline"][-1] | {"at": None} == {"at": None, "dispatched": sum(sent.values()),
                                                          "delivered": 0}

    monkeypatch.setattr(clock, "utcnow", lambda: datetime.now(timezone.utc) + timedelta(hours=3))  # they arrive
    rejected = receive_all(client, headers, shipments, reject=3)
    expected = dict(sent)
    for line_id, units in rejected.items():
        expected[line_keys[line_id]] -= units
    received = progress(client, headers, incident_id)
    assert per_item(received, "delivered") == {key: units for key, units in expected.items() if units}
    assert received["totals"]["in_transit"] == 0 and received["totals"]["planned"] == sum(planned.values())
    assert received["totals"]["delivered"] == sum(sent.values()) - 3
    assert received["timeline"][-1]["delivered"] == sum(sent.values()) - 3
    assert {0, sum(sent.values()) - 3} <= {point["delivered"] for point in received["timeline"]}
    assert not {row["shipment_id"] for row in received["overdue"]} & {shipment["id"] for shipment in shipments}

    page = signed_in(demo_app, "dispatcher")
    html = page.get(f"/incidents/{incident_id}/progress").get_data(as_text=True)
    for words in ("Follow-up dashboard", "By area and item", "How it is computed"):
        assert words in html, words
    assert_chart_draws_the_table(html, received)
    link = f'href="/incidents/{incident_id}/progress"'
    assert link in page.get(f"/incidents/{incident_id}").get_data(as_text=True)
    plan_page = page.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Follow the relief on the dashboard" in plan_page and link in plan_page


def assert_chart_draws_the_table(html: str, body: dict) -> None:
    """Each point of each line in the chart sits at the height of the table's figure for that moment."""
    svg = re.search(r'<svg [^>]*data-y-max="(\d+)" data-plot-top="(\d+)" data-plot-bottom="(\d+)"', html)
    y_max, top, bottom = (int(value) for value in svg.groups())
    table = re.search(r'<table class="timeline">(.*?)</table>', html, re.S).group(1)
    rows = [[int(cell.replace(",", "")) for cell in re.findall(r'<td class="num">([\d,]+)</td>', row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert [row for row in rows if row] == [[point["dispatched"], point["delivered"]] for point in body["timeline"]]
    for column, series in enumerate(("dispatched", "delivered")):
        markers = re.findall(rf'<circle class="{series}" cx="[\d.]+" cy="([\d.]+)" r="3" data-series="{series}" '
                             r'data-value="(\d+)">', html)
        assert [int(value) for _cy, value in markers] == [row[column] for row in rows if row]
        for cy, value in markers:
            assert abs(float(cy) - (bottom - (bottom - top) * int(value) / y_max)) < 0.11
    assert y_max >= body["totals"]["demand"]


def basic_living_items(app, incident_id: int) -> set[int]:
    with app.app_context():
        items = {norm.item.id for norm in norms_in_force(incident_id) if norm.basic_living}
        Session.remove()
    return items


def test_only_deliveries_within_their_due_time_count_and_late_shipments_are_overdue(demo_app, monkeypatch):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    incident_id, plan_id = a_plan(demo_app, client, headers)
    approved = approve(client, headers, plan_id).get_json()["shipments"]
    shipments = a_sample(approved)  # a few of each mode are sent; the others wait at their depots
    unsent = [shipment for shipment in approved if shipment not in shipments]
    dispatch_all(client, headers, shipments)
    basic = basic_living_items(demo_app, incident_id)
    demand = client.get(f"/api/v1/incidents/{incident_id}/demand", headers=headers).get_json()["lines"]
    basic_demand = {(line["area_id"], line["item_id"]): line["quantity"] for line in demand if line["item_id"] in basic}
    in_time, late = shipments[::2], shipments[1::2]
    early, _keys = carried(client, headers, in_time)
    later, _keys = carried(client, headers, late)
    on_time = {key: min(units, basic_demand[key]) for key, units in early.items() if key in basic_demand}
    assert sum(on_time.values()) > 0 and any(key in basic_demand for key in later), "both halves carry basic goods"

    receive_all(client, headers, in_time)
    body = progress(client, headers, incident_id)
    assert body["basic_living"]["demand"] == sum(basic_demand.values())
    assert body["basic_living"]["on_time"] == sum(on_time.values())

    due = max(datetime.fromisoformat(line["due_at"]) for line in demand if line["item_id"] in basic)
    moved = due + timedelta(hours=1)
    monkeypatch.setattr(clock, "utcnow", lambda: moved.astimezone(timezone.utc))
    waiting = progress(client, headers, incident_id)
    margin = timedelta(hours=demo_app.config["SHIPMENT_OVERDUE_HOURS"])
    expected_overdue = {shipment["id"] for shipment in late + unsent if any(
        datetime.fromisoformat(stop["expected_arrival_at"]) + margin < moved
        for stop in client.get(f"/api/v1/shipments/{shipment['id']}", headers=headers).get_json()["stops"])}
    assert expected_overdue & {shipment["id"] for shipment in late}
    assert waiting["overdue_total"] == len(expected_overdue)
    assert {row["shipment_id"] for row in waiting["overdue"]} <= expected_overdue
    assert len(waiting["overdue"]) == min(OVERDUE_SHOWN, len(expected_overdue))
    page = signed_in(demo_app, "dispatcher")
    html = page.get(f"/incidents/{incident_id}/progress").get_data(as_text=True)
    assert all(f'href="/shipments/{row["shipment_id"]}"' in html for row in waiting["overdue"])
    chinese = page.get(f"/incidents/{incident_id}/progress", headers=CHINESE).get_data(as_text=True)
    assert "超时发运" in chinese and "小时" in chinese and "Overdue shipments" not in chinese

    receive_all(client, headers, late)  # received now: after their due time
    after = progress(client, headers, incident_id)
    assert after["basic_living"]["on_time"] == sum(on_time.values())
    assert after["basic_living"]["share"] == round(sum(on_time.values()) / sum(basic_demand.values()), 4)
    delivered_basic = sum(units for key, units in per_item(after, "delivered").items() if key in basic_demand)
    assert delivered_basic > after["basic_living"]["on_time"]
    assert after["overdue_total"] == len(expected_overdue - {shipment["id"] for shipment in late})
    for area in after["by_area"]:
        assert area["basic_living"]["on_time"] == sum(units for (area_id, _item), units in on_time.items()
                                                      if area_id == area["area_id"])


def test_an_incident_with_nothing_yet_reads_in_english_and_chinese_and_an_unknown_one_is_404(
        client, make_user, login, api_token):
    dispatcher = make_user(Role.DISPATCHER)
    incident = create_incident({"kind": "flood", "title": "暴雨洪涝", "started_at": clock.utcnow()
                                - timedelta(hours=2)}, dispatcher)
    area = add_area(incident.id, {"region_code": "510107", "affected_population": 100,
                                  "displaced_population": 20}, dispatcher)
    body = progress(client, api_token(dispatcher), incident.id)
    assert body["totals"] == {"demand": 0, "planned": 0, "in_transit": 0, "delivered": 0}
    assert body["basic_living"] == {"demand": 0, "on_time": 0, "share": None}
    assert body["by_area"] == [{"area_id": area.id, "name": area.name, "items": [],
                                "basic_living": {"demand": 0, "on_time": 0, "share": None}}]
    assert (body["timeline"], body["overdue"], body["plan_id"], body["demand_version"]) == ([], [], None, None)

    login(dispatcher)
    english = client.get(f"/incidents/{incident.id}/progress")
    assert english.status_code == 200
    assert "Follow-up dashboard" in english.get_data(as_text=True)
    assert "Nothing has left yet" in english.get_data(as_text=True)
    chinese = client.get(f"/incidents/{incident.id}/progress", headers=CHINESE).get_data(as_text=True)
    assert "救灾进展跟踪" in chinese and "Follow-up dashboard" not in chinese

    missing = client.get("/api/v1/incidents/999999/progress", headers=api_token(dispatcher))
    assert missing.status_code == 404 and missing.get_json()["error"]
    assert client.get("/incidents/999999/progress").status_code == 404


def test_a_phased_line_counts_its_peak_by_its_due_time_and_its_tail_by_the_later_one():
    line = DemandLine(quantity=100, tail_quantity=40, due_at=T0, tail_due_at=T0 + timedelta(hours=24))
    assert on_time_units(line, [(T0 - timedelta(hours=1), 50)]) == 50
    # The peak (60) is filled late, so the late units go to the peak first and the tail gets what came beyond it.
    deliveries = [(T0 - timedelta(hours=1), 50), (T0 + timedelta(hours=2), 30), (T0 + timedelta(hours=30), 20)]
    assert on_time_units(line, deliveries) == 50 + 20
    assert on_time_units(line, [(T0, 500)]) == 100  # never more than the line asks for
    single = DemandLine(quantity=10, tail_quantity=0, due_at=T0)
    assert on_time_units(single, [(T0, 4), (T0 + timedelta(seconds=1), 6)]) == 4


def test_the_timeline_sums_steps_of_minutes_when_too_many_moments_happened():
    dispatches = [(T0 + timedelta(minutes=20 * n), 10) for n in range(200)]
    deliveries = [(T0 + timedelta(minutes=20 * n + 5), 7) for n in range(200)]
    summed = timeline(T0, dispatches, deliveries)
    points = summed.points
    assert summed.step_minutes == 120 and 10 < len(points) <= MAX_TIMELINE_POINTS
    assert (points[-1].dispatched, points[-1].delivered) == (2000, 1400)
    for point in points:  # each point's figures are exact as of its moment
        assert point.dispatched == sum(units for at, units in dispatches if at <= point.at)
        assert point.delivered == sum(units for at, units in deliveries if at <= point.at)
    few = timeline(T0, dispatches[:2], deliveries[:2])
    assert few.step_minutes is None
    assert [(point.dispatched, point.delivered) for point in few.points] == [(10, 0), (10, 7), (20, 7), (20, 14)]
