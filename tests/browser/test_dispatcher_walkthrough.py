"""A dispatcher in a real browser, on the demo network: record an earthquake, raise the response, place areas (one
by its county, one by a click on the map), save the estimated demand, plan, watch the job, read the plan's map."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core import clock
from tests.browser.steps import open_signed_in

pytestmark = pytest.mark.browser



def test_a_dispatcher_goes_from_an_incident_to_a_plan_on_the_map(demo_server, page):
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    open_signed_in(page, demo_server + "/incidents/new", "dispatcher", "demo1234")
    page.select_option("#kind", "earthquake")
    page.fill("#title", "汶川县 6.1 级地震")
    page.fill("#started_at", (clock.utcnow() - timedelta(hours=2)).astimezone(clock.LOCAL_ZONE).strftime(
        "%Y-%m-%dT%H:%M"))
    page.click("text=Record incident")
    expect(page.locator("h1")).to_have_text("汶川县 6.1 级地震")

    page.select_option("#response-authority", "provincial")
    page.fill("#response-region_code", "510000")
    page.select_option("#response-level", "II")
    page.click("text=Record response")
    expect(page.locator(".openings")).to_contain_text("Provincial depots")

    page.fill("#area-region_code", "513221")
    page.fill("#area-affected_population", "6000")
    page.fill("#area-displaced_population", "2000")
    page.click("text=Add area")
    expect(page.locator("#areas ~ table tbody")).to_contain_text("汶川县")

    the_map = page.locator(".map[data-map]")
    expect(the_map).to_have_attribute("data-ready", "true")
    box = the_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.55)
    expect(page.locator("#area-latitude")).not_to_have_value("")
    page.fill("#area-name", "映秀安置点")
    page.fill("#area-affected_population", "900")
    page.fill("#area-displaced_population", "900")
    page.click("text=Add area")
    expect(page.locator("#areas ~ table tbody tr")).to_have_count(2)

    page.click("text=no demand yet: estimate it")
    expect(page.locator("table.demand")).to_contain_text("映秀安置点")
    page.fill("#note", "按定额测算")
    page.click("text=Save as a new version")
    expect(page.locator(".flash-success")).to_contain_text("Demand saved as version 1")

    page.click("text=Plan now")
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("progress")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/plans/\d+$"), timeout=120_000)  # the page follows the job by itself

    expect(page.locator("table.kpis")).to_contain_text("Greedy baseline")
    plan_map = page.locator(".map[data-map]")
    expect(plan_map).to_have_attribute("data-ready", "true")
    expect(plan_map.locator("path.leaflet-interactive").first).to_be_visible()
    markers, lines = plan_map.locator("path.leaflet-interactive").count(), page.locator("#routes ~ details tr").count()
    assert markers > 10 and lines > 1, (markers, lines)
    assert not problems, problems
