"""Activating a capacity agreement: when, how much, the output expected day by day, and what came in against it."""
from __future__ import annotations

from datetime import datetime, timedelta

from core import clock
from core.models import Role


def test_an_activation_records_its_time_schedule_and_receipts(client, make_agreement, make_user, api_token):
    agreement = make_agreement(daily_capacity=2400, lead_time_hours=24, max_quantity=10000)
    dispatcher = api_token(make_user(Role.DISPATCHER))
    before = clock.utcnow()
    answer = client.post(f"/api/v1/capacity-agreements/{agreement.id}/activations",
                         json={"quantity": 6000, "requested_for": "汶川地震 安置点"},
                         headers={**dispatcher, "Idempotency-Key": "activate-1"})
    assert answer.status_code == 201, answer.get_json()
    activation = answer.get_json()
    activated = datetime.fromisoformat(activation["activated_at"])
    assert before - timedelta(seconds=1) <= activated <= clock.utcnow()
    assert datetime.fromisoformat(activation["first_output_at"]) - activated == timedelta(hours=24)
    schedule = activation["schedule"]
    assert sum(day["quantity"] for day in schedule) == 6000
    assert all(day["quantity"] <= 2400 for day in schedule) and schedule[1]["quantity"] == 2400
    replay = client.post(f"/api/v1/capacity-agreements/{agreement.id}/activations",
                         json={"quantity": 6000, "requested_for": "汶川地震 安置点"},
                         headers={**dispatcher, "Idempotency-Key": "activate-1"})
    assert replay.headers.get("Idempotent-Replayed") == "true"

    beyond = client.post(f"/api/v1/capacity-agreements/{agreement.id}/activations",
                         json={"quantity": 5000, "requested_for": "另一事件"}, headers=dispatcher)
    assert beyond.status_code == 422 and "4000" in beyond.get_json()["error"].replace(",", "")

    url = f"/api/v1/activations/{activation['id']}/outputs"
    assert client.post(url, json={"quantity": 6001}, headers=dispatcher).status_code == 422
    assert client.post(url, json={"quantity": 2000, "reference": "SH-001"}, headers=dispatcher).status_code == 201
    done = client.post(url, json={"quantity": 4000, "reference": "SH-002"}, headers=dispatcher).get_json()
    assert done["status"] == "completed" and done["received"] == 6000
    assert client.post(url, json={"quantity": 1}, headers=dispatcher).status_code == 409
    listed = client.get(f"/api/v1/capacity-agreements/{agreement.id}/activations", headers=dispatcher).get_json()
    assert [o["reference"] for o in listed["items"][0]["outputs"]] == ["SH-001", "SH-002"]


def test_the_agreement_page_activates_and_records_output(client, make_agreement, make_user, login):
    agreement = make_agreement(daily_capacity=1000, lead_time_hours=12, max_quantity=3000)
    page = login(make_user(Role.DISPATCHER))
    refused = page.post(f"/agreements/{agreement.id}/activations", data={"quantity": 4000, "requested_for": "x"})
    assert refused.status_code == 422 and "Between 1 and 3" in refused.get_data(as_text=True).replace(",", "")
    done = page.post(f"/agreements/{agreement.id}/activations", data={"quantity": 2500, "requested_for": "泸定地震"},
                     follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "Activated: first output expected" in html and "泸定地震" in html and "Expected output" in html
    activation_id = html.split('id="activation-')[1].split('"')[0]
    received = page.post(f"/agreements/{agreement.id}/outputs", data={
        "activation_id": activation_id, "quantity": 1000, "reference": "送货单 17"}, follow_redirects=True)
    assert "Output recorded." in received.get_data(as_text=True) and "送货单 17" in received.get_data(as_text=True)
    hostile = page.post(f"/agreements/{agreement.id}/outputs", data={"activation_id": "x", "quantity": "-5"})
    assert hostile.status_code == 422
