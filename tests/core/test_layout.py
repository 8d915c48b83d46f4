"""What the reader sees of the layout: codes, document numbers and dates kept whole on one line; a favicon."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core import clock
from core.db import Session
from core.models import Role
from inventory.stock.models import Transfer
from inventory.stock.services.issues import IssueLine
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

STATIC = Path(__file__).resolve().parents[2] / "core" / "static"
# A token with a hyphen and a digit: RK-2026-000001, X-510107, IT-0007, B-001, 2031-01-01.
HYPHENATED = re.compile(r"[\w.]*\d[\w.]*-[\w.-]+|[\w.]+-[\w.-]*\d[\w.-]*")
UNSEEN = {"script", "style", "title", "option", "textarea"}


class _BrokenCodes(HTMLParser):
    """Collects hyphenated codes shown as text outside any element that keeps them whole (class nowrap, and the
    document numbers' own td.number and h1 .number)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, keeps its text on one line)
        self.breakable: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "input", "img", "meta", "link", "hr", "wbr"}:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.open.append((tag, "nowrap" in classes or (tag in {"td", "span"} and "number" in classes)))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        if any(tag in UNSEEN for tag, _ in self.open) or any(kept for _, kept in self.open):
            return
        self.breakable.extend(HYPHENATED.findall(data))


def breakable_codes(html: str) -> list[str]:
    parser = _BrokenCodes()
    parser.feed(html)
    return parser.breakable


@pytest.fixture
def transferred(make_depot, make_item, make_user):
    """A receipt and a transfer received at its destination: numbers, codes, batches and dates on every page."""
    source, destination, item = make_depot(), make_depot(), make_item()
    clerk, admin = make_user(Role.CLERK, depots=[source]), make_user(Role.ADMIN)
    line = ReceiptLine(item_id=item.id, quantity=50, batch_no="B-2026-001", unit_cost=Decimal("180.00"),
                       funding_source="provincial", production_date=clock.today() - timedelta(days=30))
    receipt = receive_stock(Receipt(source.id, [line], supplier="Supplier Co"), actor=clerk)
    transfer = draft_transfer(TransferRequest(source.id, destination.id, [IssueLine(item.id, 20)]), clerk)
    approve_transfer(transfer.id, admin)
    ship_transfer(transfer.id, admin)
    receive_transfer(transfer.id, Arrival([ReceivedLine(Session.get(Transfer, transfer.id).lines[0].id, 20)]), admin)
    return {"source": source, "receipt": receipt, "transfer": Session.get(Transfer, transfer.id), "admin": admin}


def test_codes_numbers_and_dates_never_break_at_their_hyphens(transferred, login):
    client = login(transferred["admin"])
    source = transferred["source"]
    pages = [f"/documents/{transferred['receipt'].id}", f"/documents/{transferred['transfer'].document_id}",
             f"/depots/{source.id}/stock", f"/depots/{source.id}/movements", "/depots", f"/depots/{source.id}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert breakable_codes(response.get_data(as_text=True)) == [], url


def test_the_nowrap_class_keeps_its_text_on_one_line():
    css = (STATIC / "app.css").read_text()
    assert re.search(r"\.nowrap, h1 \.number, td\.number\s*\{\s*white-space:\s*nowrap;?\s*\}", css)


def test_the_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype.startswith("image/")
    assert response.data == (STATIC / "favicon.ico").read_bytes()
    assert 'rel="icon" href="/static/favicon.ico"' in client.get("/login").get_data(as_text=True)
