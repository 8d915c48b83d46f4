"""The plan as the dispatcher reads it: key figures beside the baseline, why demand is unmet, the routes, two plans
side by side, the spreadsheet."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.dispatch.test_planning import AREAS, an_incident, dispatcher_token, wait_for

# 20,000 displaced in Wenchuan: more than the province's depots hold in time, so some demand stays unmet.
BIG = [("513221", 60000, 20000), *AREAS[1:]]


def planned_twice(app):
    client = app.test_client()
    headers = dispatcher_token(app)
    incident_id = an_incident(client, headers, areas=BIG)
    plans = []
    for _attempt in range(2):
        job = client.post(f"/api/v1/incidents/{incident_id}/plans", json={}, headers=headers).get_json()
        plans.append(wait_for(client, job["id"], headers)["plan_id"])
    page = app.test_client()
    page.post("/login", data={"username": "dispatcher", "password": "demo1234"})
    return incident_id, plans, page


def test_the_plan_page_explains_itself_and_exports_and_compares(demo_app):
    incident_id, (first, second), page = planned_twice(demo_app)
    html = page.get(f"/plans/{first}").get_data(as_text=True)
    for words in ("This plan, as routed", "Greedy baseline, same snapshot", "Which depots could supply, and why",
                  "Provincial depots", "Unmet demand", "Vehicle routes", "A wider response opening Central depots"):
        assert words in html, words
    assert "data-map" in html and f"/api/v1/plans/{first}/map" in html
    geo = page.get(f"/api/v1/plans/{first}/map").get_json()
    kinds = {feature["properties"]["kind"] for feature in geo["features"]}
    assert {"area", "source", "route"} <= kinds
    workbook = load_workbook(io.BytesIO(page.get(f"/plans/{first}/export.xlsx").data))
    assert workbook.sheetnames == ["Key figures", "Lines", "Unmet", "Routes"]
    assert workbook["Lines"].max_row > 1 and workbook["Key figures"]["A2"].value == "Fill rate"
    lines = workbook["Lines"]
    headers = [cell.value for cell in lines[1]]
    body, total = list(lines.iter_rows(min_row=2, max_row=lines.max_row - 1)), lines[lines.max_row]
    assert lines.freeze_panes == "A2" and total[0].value == "Total" and total[0].font.b
    quantity, cost, arrives = (headers.index(name) for name in ("Quantity", "Cost (CNY)", "Arrives at"))
    assert total[quantity].value == sum(row[quantity].value for row in body)
    assert total[quantity].number_format == "#,##0"
    assert all(row[cost].number_format == "#,##0.00" and row[arrives].is_date for row in body)
    compared = page.get(f"/plans/compare?a={first}&b={second}").get_data(as_text=True)
    assert "Two plans side by side" in compared and "Per area and item" in compared
    incident = page.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "Compare plans A and B" in incident and f"/plans/{second}" in incident
