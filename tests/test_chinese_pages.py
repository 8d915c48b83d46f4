"""Every page each role can reach, read in Chinese, holds no English word apart from the data and a few names.

The template test (tests/test_i18n.py) proves the templates mark their text. This one reads the pages as they
are served, so it also catches English that comes from Python: labels, statuses, units, flash messages and the
reasons the system writes. Each role starts at the home page and follows every link (two of each kind), with a
world that has one of everything: lots due and expired, a transfer on its way, a count, a scrap request, a
rotation plan and a capacity agreement.

The same crawl checks what the Content-Security-Policy relies on: every page carries the security headers and
holds no inline script, no inline event handler and no javascript: URL (tests/core/test_security.py).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from sqlalchemy import Enum, String, Text, select

from core import clock
from core.db import Base, Session
from core.models import Role
from dispatch.demand.services import DemandLineRequest, save_demand
from dispatch.fleet.services import Requisition, VehicleSpec, requisition_vehicle
from dispatch.incidents.services import (
    ResponseChange,
    SupportAsked,
    add_area,
    create_incident,
    record_response,
    request_support,
)
from dispatch.planning.services import get_job, plan_incident
from dispatch.plans.services import approve_plan
from dispatch.shipments.models import Shipment
from dispatch.shipments.services import ReceivedLine, StopReceipt, VehicleDetails, dispatch_shipment, receive_stop
from inventory.agreements.services import activate_agreement, create_agreement
from inventory.network.models import Item
from inventory.rotation.services import RotationLineRequest, draft_rotation_plan
from inventory.stock.services.counts import open_count
from inventory.stock.services.issues import Issue, IssueLine, issue_stock
from inventory.stock.services.scraps import ScrapRequestLine, request_scrap
from inventory.stock.services.transfers import TransferRequest, approve_transfer, draft_transfer, ship_transfer
from tests.chinese import english_words
from tests.factories import PASSWORD
from tests.inventory.agreements.test_agreements import agreement_data

pytestmark = pytest.mark.usefixtures("reconciled")

# Names that read the same in a Chinese page: the language switch, file formats, their extensions and a
# spreadsheet program, the script language maps need, the region code standard (GB/T 2260), the currency, the time
# zone and the date notation.
ALLOWED_WORDS = {"English", "CSV", "XLSX", "csv", "xlsx", "Excel", "JavaScript", "GB", "CNY", "UTC", "YYYY", "MM", "DD"}
CODE = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")  # item codes (JZ-BR-001) and document numbers (RK-2026-000001)
SKIPPED = ("/api/", "/static/", "/logout")
SAME_KIND_PAGES = 2  # pages visited per path shape, e.g. /depots/N/stock


def plan_an_incident(app, dispatcher, depot, quilts) -> None:
    """An earthquake with a response, an area, demand, a requisitioned truck and a finished plan."""
    with app.app_context():
        incident = create_incident({"kind": "earthquake", "title": "武侯区地震", "started_at": clock.utcnow()
                                    - timedelta(hours=1)}, dispatcher)
        record_response(incident.id, ResponseChange("provincial", "II", "510000"), dispatcher)
        request_support(incident.id, SupportAsked("county", "510107", "武侯区应急管理局"), dispatcher)
        area = add_area(incident.id, {"region_code": "510107", "affected_population": 500,
                                      "displaced_population": 150}, dispatcher)
        save_demand(incident.id, [DemandLineRequest(area.id, quilts.id, 150)], dispatcher)
        requisition_vehicle(incident.id, Requisition("成都某物流公司", "川A12345", depot.id, VehicleSpec(
            "厢式货车", 2000, Decimal(10), 60, Decimal(3))), dispatcher)
        job = plan_incident(incident.id, dispatcher)
        for _attempt in range(240):
            if get_job(job.id).finished:
                break
            time.sleep(0.25)
        plan_id = get_job(job.id).plan_id
        assert plan_id is not None
        send_and_receive(plan_id, dispatcher)


def send_and_receive(plan_id: int, dispatcher) -> None:
    """Approve the plan, send its first shipment and confirm it with a damaged unit; the others wait to load."""
    approve_plan(plan_id, dispatcher)
    shipment = Session.scalars(select(Shipment).where(Shipment.plan_id == plan_id).order_by(Shipment.id)).first()
    dispatch_shipment(shipment.id, dispatcher, VehicleDetails(plate="川A54321", driver_name="李师傅",
                                                              driver_phone="13900000000", carrier="武侯区储备库车队"))
    first_stop = shipment.stops[0]
    lines = [line for line in shipment.lines if line.stop_id == first_stop.id]
    received = [ReceivedLine(line.id, line.quantity - (1 if index == 0 else 0), reason="damaged" if index == 0
                             else None, note="外包装破损" if index == 0 else None) for index, line in enumerate(lines)]
    receive_stop(shipment.id, StopReceipt(received, first_stop.id, "王主任"), dispatcher)


@pytest.fixture
def world(app, make_depot, make_item, make_user, receive, expire):
    today = clock.today()
    depot, other = make_depot(name="武侯区救灾物资储备库"), make_depot(name="锦江区救灾物资储备库")
    quilts = make_item(
        name="棉被",
        name_en="quilt",
        pack_units=[{"name": "bale", "factor": 10}],
        shelf_life_days=730,
        rotation_lead_days=60,
    )
    users = {role: make_user(role, depots=[depot, other] if role == Role.CLERK else ()) for role in Role}
    admin, clerk = users[Role.ADMIN], users[Role.CLERK]
    due = receive(depot, quilts, 40, "Q-DUE", expiry=today + timedelta(days=20), unit_cost=Decimal(150))
    expire(receive(depot, quilts, 6, "Q-OLD"), days_ago=4)
    receive(other, quilts, 30, "Q-FINE")
    issue_stock(Issue(depot.id, [IssueLine(quilts.id, 2)], recipient="簇桥街道"), clerk)
    transfer = draft_transfer(TransferRequest(depot.id, other.id, [IssueLine(quilts.id, 5)]), clerk)
    approve_transfer(transfer.id, admin)
    ship_transfer(transfer.id, clerk)
    open_count(other.id, clerk)
    request_scrap(depot.id, [ScrapRequestLine(due.id, 1)], "受潮霉变", clerk)
    sale = RotationLineRequest(
        due.id,
        10,
        "sell",
        "purchase",
        counterparty="某超市",
        expected_unit_proceeds=Decimal(60),
        replacement_quantity=10,
        replacement_unit_cost=Decimal(160),
    )
    draft_rotation_plan(depot.id, [sale], clerk)
    agreement = create_agreement(agreement_data(quilts), actor=None)
    activate_agreement(agreement.id, 3000, users[Role.DISPATCHER], "武侯区地震安置点")
    for user in users.values():
        user.locale = "zh_CN"
    Session.commit()
    plan_an_incident(app, users[Role.DISPATCHER], depot, quilts)
    return users


class _Page(HTMLParser):
    """The visible text of a page (with its titles and placeholders) and its links. ``<code>`` holds codes
    (a file's column names), which stay as they are."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.inline_code: list[str] = []  # inline scripts, on* handlers and javascript: URLs, which the CSP forbids
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._hidden += tag in ("script", "style", "code")
        if tag == "script" and not attrs.get("src"):
            self.inline_code.append("<script> without src")
        self.inline_code.extend(f"<{tag} {name}>" for name in attrs if name.startswith("on"))
        self.inline_code.extend(f"<{tag} {name}={value}>" for name, value in attrs.items()
                                if value and value.strip().lower().startswith("javascript:"))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self.text.extend(attrs[name] for name in ("title", "placeholder", "aria-label", "alt") if attrs.get(name))

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "code")

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def stored_text() -> set[str]:
    """Every text the database holds apart from enum codes: names, codes, numbers and reasons people typed."""
    values = set()
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text) and not isinstance(c.type, Enum)]
        if columns:
            for row in Session.execute(select(*columns)):
                values.update(value for value in row if isinstance(value, str) and value)
    return values


SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


def crawl(client, unsafe: dict | None = None) -> dict[str, str]:
    """Visible text of each HTML page reachable from home by links, keyed by path.

    `unsafe`, when given, collects per path the security headers a page lacks and the inline code it holds.
    """
    seen, queue, kinds, pages = set(), ["/"], Counter(), {}
    while queue:
        url = queue.pop(0)
        kind = re.sub(r"\d+", "N", urlparse(url).path)
        if url in seen or kinds[kind] >= SAME_KIND_PAGES:
            continue
        seen.add(url)
        kinds[kind] += 1
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        pages[url] = " ".join(page.text)
        if unsafe is not None:
            missing = [f"no {name}" for name in SECURITY_HEADERS if name not in response.headers]
            if missing or page.inline_code:
                unsafe[url] = missing + page.inline_code
        for href in page.links:
            link = urlparse(urljoin(url, href))
            if not link.netloc and not link.path.startswith(SKIPPED) and "format=" not in link.query:
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return pages


@pytest.mark.parametrize("role", list(Role))
def test_every_page_a_role_reaches_speaks_chinese(world, client, role):
    user = world[role]
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    unsafe = {}
    pages = crawl(client, unsafe)
    assert len(pages) >= 5, sorted(pages)
    assert any(url.endswith("/progress") for url in pages), "the follow-up dashboard is linked from the incident"
    if role in (Role.ADMIN, Role.CLERK):  # the header links to the approvals inbox
        assert "/inbox" in pages and "等待您签批" in pages["/inbox"]
    if role in (Role.ADMIN, Role.FINANCE, Role.DISPATCHER):  # the header links to the carriers' settlement
        assert "/reports/settlement" in pages and "运输结算" in pages["/reports/settlement"]
    assert not unsafe, f"pages the Content-Security-Policy would break or leave open: {unsafe}"
    data = stored_text()
    left = {
        url: sorted(words) for url, text in pages.items() if (words := english_words(text, data, ALLOWED_WORDS, CODE))
    }
    assert not left, f"English left on {role.value}'s pages: {left}"


def test_the_network_map_speaks_chinese_with_an_item_and_a_province_chosen_or_refused(world, client):
    """The map's variants the crawl cannot reach by links: coloured by an item in a province, and with choices
    that are no choices (the errors beside the fields)."""
    user = world[Role.DISPATCHER]
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    quilts = Session.scalar(select(Item.id).where(Item.name == "棉被"))
    data = stored_text()
    for url in (f"/map?province=510000&item_id={quilts}", f"/map?item_id={quilts}", "/map?province=510000",
                "/map?province=999999&item_id=abc"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = _Page()
        page.feed(response.get_data(as_text=True))
        words = english_words(" ".join(page.text), data, ALLOWED_WORDS, CODE)
        assert not words, f"English left on {url}: {sorted(words)}"
