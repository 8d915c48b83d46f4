"""The second half of the dispatcher's day in a real browser, on the demo network: the dispatcher approves a plan,
the source depot's clerk prints the waybill and dispatches the truck, the dispatcher confirms the receipt with a
discrepancy, finance finds the trip in the settlement report, and the dashboard shows the basic-living share delivered
within its due time."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.db import Session
from core.models import User, depot_clerks
from dispatch.shipments.models import Shipment
from inventory.network.services import assign_clerk
from tests.browser.steps import follow_header_link, open_signed_in
from tests.dispatch.test_planning import dispatcher_token
from tests.dispatch.test_shipments import a_plan

pytestmark = pytest.mark.browser
SCREENS = "/tmp/relief-walkthrough"



def the_clerk_keeps(app, depot_id: int) -> None:
    """The demo clerk is the clerk of the depot the first truck leaves from (the administrator assigns clerks)."""
    with app.app_context():
        clerk = Session.scalar(select(User).where(User.username == "clerk"))
        assigned = Session.scalar(select(depot_clerks.c.depot_id).where(depot_clerks.c.user_id == clerk.id,
                                                                         depot_clerks.c.depot_id == depot_id))
        if assigned is None:
            assign_clerk(depot_id, "clerk", actor=None)
        Session.remove()


def test_approve_print_dispatch_and_receive_with_a_discrepancy(demo_app, demo_server, page, new_page):
    client = demo_app.test_client()
    incident_id, plan_id = a_plan(demo_app, client, dispatcher_token(demo_app))
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: problems.append(response.url) if response.status == 404 else None)

    open_signed_in(page, f"{demo_server}/plans/{plan_id}", "dispatcher", "demo1234")
    with page.expect_navigation(timeout=60_000):  # approval reserves every lot and makes the shipments at once
        page.click("text=Approve the plan", no_wait_after=True)
    expect(page.locator(".flash")).to_contain_text("Plan approved")
    expect(page.locator("#shipments table")).to_contain_text("YD-")
    page.screenshot(path=f"{SCREENS}-1-approved.png", full_page=True)
    with demo_app.app_context():
        truck = Session.scalars(select(Shipment).where(Shipment.plan_id == plan_id, Shipment.route_id.is_not(None))
                                .order_by(Shipment.id)).first()
        truck_id, depot_id, number = truck.id, truck.depot_id, truck.number
        Session.remove()
    the_clerk_keeps(demo_app, depot_id)

    clerk = new_page()
    open_signed_in(clerk, f"{demo_server}/shipments", "clerk", "demo1234")
    clerk.click(f"text={number}")
    clerk.click("text=Print the waybill")
    expect(clerk.locator("h1")).to_contain_text(number)
    expect(clerk.locator(".signatures").first).to_be_visible()
    clerk.screenshot(path=f"{SCREENS}-2-waybill.png", full_page=True)
    clerk.click("text=Back to the shipment")
    clerk.fill("#plate", "川A·88888")
    clerk.fill("#driver_name", "赵师傅")
    clerk.fill("#driver_phone", "13700000000")
    clerk.click("text=Dispatch: the vehicle leaves now")
    expect(clerk.locator(".flash")).to_contain_text("On its way")
    expect(clerk.locator("h1 .badge").first).to_contain_text("in transit")

    page.goto(f"{demo_server}/shipments/{truck_id}")
    page.fill("#lines-0-accepted", str(int(page.input_value("#lines-0-accepted")) - 2))
    page.select_option("#lines-0-reason", "damaged")
    page.fill("#lines-0-note", "两件受潮")
    page.fill("#signed_by", "映秀镇 王主任")
    page.click("#confirm-receipt")
    expect(page.locator(".flash")).to_contain_text(re.compile("Receipt recorded|Delivered"))
    expect(page.locator(".late").first).to_contain_text("damaged")
    page.screenshot(path=f"{SCREENS}-3-received.png", full_page=True)

    finance = new_page()
    open_signed_in(finance, f"{demo_server}/", "finance", "demo1234")
    follow_header_link(finance, "Reports", "Transport settlement")
    expect(finance.locator("#settlement-lines, table").first).to_contain_text(number)
    expect(finance.locator("#unsettled-none")).to_be_visible()  # every finished trip has its line
    assert float(finance.inner_text("#total-amount").replace(",", "")) > 0
    finance.screenshot(path=f"{SCREENS}-4-settlement.png", full_page=True)

    page.goto(f"{demo_server}/plans/{plan_id}")
    page.click("text=Follow the relief on the dashboard")
    expect(page.locator("h1")).to_contain_text("Follow-up dashboard")
    figures = client.get(f"/api/v1/incidents/{incident_id}/progress", headers=dispatcher_token(demo_app)).get_json()
    share = figures["basic_living"]["share"]
    assert figures["basic_living"]["on_time"] > 0  # the received truck carried basic-living goods in time
    expect(page.locator("#basic-living + .share strong")).to_have_text(f"{share * 100:.1f} %")
    page.screenshot(path=f"{SCREENS}-5-dashboard.png", full_page=True)
    assert not problems, problems
