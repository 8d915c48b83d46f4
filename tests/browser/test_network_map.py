"""The dispatcher's one map in a real browser, with no map tiles (an isolated intranet) and a strict Content Security
Policy: choose an item and a province, see the depots coloured by their stock against the quota and the shipment on
the road as a line linking to its page; no script error, no console error, no policy violation."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.db import Session
from dispatch.shipments.models import ShipmentLine
from tests.browser.steps import open_signed_in
from tests.dispatch.test_planning import dispatcher_token
from tests.dispatch.test_shipments import PLATE, a_plan, approve, keyed

pytestmark = pytest.mark.browser
# What the pages promise (no inline script, no inline handler, everything from the app itself), enforced here.
STRICT_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI); });"""


@pytest.fixture
def demo_server(demo_app, demo_server):
    demo_app.config["TILE_URL"] = None  # no tile server: the map draws on a blank background
    return demo_server


def a_shipment_on_the_road(app) -> tuple[int, int]:
    """A truck of an approved plan, dispatched; its id and the item it carries."""
    client = app.test_client()
    headers = dispatcher_token(app)
    _incident_id, plan_id = a_plan(app, client, headers)
    shipments = approve(client, headers, plan_id).get_json()["shipments"]
    truck = next(s for s in shipments if s["mode"] == "road" and s["source_kind"] == "depot")
    sent = client.post(f"/api/v1/shipments/{truck['id']}/dispatch", json=PLATE, headers=keyed(headers, "go"))
    assert sent.status_code == 200, sent.get_json()
    with app.app_context():
        item_id = Session.scalar(select(ShipmentLine.item_id).where(ShipmentLine.shipment_id == truck["id"]))
        Session.remove()
    return truck["id"], item_id


def strict_policy(route):
    response = route.fetch(max_redirects=0)  # the browser follows redirects itself, to the right address
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_POLICY})


def test_the_map_shows_stock_against_quota_and_the_shipment_without_tiles(demo_app, demo_server, page):
    truck_id, item_id = a_shipment_on_the_road(demo_app)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: problems.append(response.url) if response.status >= 400 else None)
    page.add_init_script(RECORD_VIOLATIONS)
    page.route(f"{demo_server}/map*", strict_policy)

    open_signed_in(page, f"{demo_server}/map", "dispatcher", "demo1234")
    the_map = page.locator(".map[data-map]")
    expect(the_map).to_have_attribute("data-ready", "true")
    expect(the_map).to_have_class(re.compile(r"\bplain\b"))  # drawn on the blank background
    assert page.locator(".leaflet-tile").count() == 0

    page.select_option("#item_id", str(item_id))
    page.select_option("#province", "510000")
    page.click("#map-filters button[type=submit]")
    query = parse_qs(urlparse(page.url).query)
    assert query == {"province": ["510000"], "item_id": [str(item_id)]}
    expect(the_map).to_have_attribute("data-ready", "true")
    expect(page.locator("#province")).to_have_value("510000")

    legend = page.locator(".map-legend")
    for meaning in ("Below the minimum", "Below the target", "At or above the target", "No quota for this item",
                    "Shipment in transit"):
        expect(legend).to_contain_text(meaning)
    # The province's 300-odd depots are grouped at this zoom, each group coloured like its worst-stocked depot.
    clusters = the_map.locator(".marker-cluster.cluster-state")
    expect(clusters.first).to_be_visible()
    shipment = the_map.locator("path.shipment")
    expect(shipment).to_have_count(1)
    # Clicked through Leaflet's own event path, not at the middle of the line's box: a route with a bend can leave
    # that point off the line, or under a cluster of depots.
    shipment.dispatch_event("click")
    expect(the_map.locator(".leaflet-popup-content a")).to_have_attribute("href", f"/shipments/{truck_id}")

    clusters.first.click()  # zooms into the group until its depots stand alone
    for _attempt in range(6):
        if the_map.locator("path[class*='depot-']").count():
            break
        if clusters.count():
            clusters.first.click()
        page.wait_for_timeout(600)
    depots = the_map.locator("path[class*='depot-']")
    assert depots.count() > 0
    assert all(any(f"depot-{state}" in (depots.nth(i).get_attribute("class") or "") for state in
                   ("below_minimum", "below_target", "at_quota", "no_quota")) for i in range(depots.count()))
    assert page.evaluate("window.__violations") == []
    assert not problems, problems
