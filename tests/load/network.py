"""The world a load or crash test works in: a throw-away PostgreSQL database holding a few county depots with
opening stock in shared batches, an administrator and many clerks, each clerk keeping every depot and holding
a bearer token."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core import create_app, migrate
from core.db import Session
from core.models import Role
from core.services import create_user, issue_token
from inventory.network.services import assign_clerk, create_depot, create_item
from inventory.stock.models import Document, Lot
from inventory.stock.services import Receipt, ReceiptLine, receive_stock

COUNTY = "510107"  # a real county (Chengdu's Wuhou district) from the seeded region tree
OPENING_STOCK = 150  # per batch: issues drain the first-expiring lots, so some are refused (409) under load
PASSWORD = "load test password"


@dataclass(frozen=True)
class Batch:
    """A batch every depot holds: receipts top it up with the same expiry, cost and funding."""

    item_id: int
    batch_no: str
    expiry_date: date
    unit_cost: str = "180.00"
    funding_source: str = "county"

    def receipt_line(self, quantity: int) -> dict:
        return {"item_id": self.item_id, "quantity": quantity, "batch_no": self.batch_no,
                "expiry_date": self.expiry_date.isoformat(), "unit_cost": self.unit_cost,
                "funding_source": self.funding_source}


@dataclass
class Network:
    depots: list[int]
    items: list[int]
    batches: list[Batch]
    clerk_tokens: list[str]
    admin_token: str
    lots: dict[int, list[int]] = field(default_factory=dict)  # depot → its lot ids
    documents_before: int = 0  # the highest document id the set-up wrote


@contextmanager
def throwaway_database(server_url: str, purpose: str) -> Iterator[str]:
    """A fresh database on the server of `server_url`, dropped afterwards (whoever still holds a connection)."""
    server = make_url(server_url)
    # No pooled connection: one held across a PostgreSQL restart (the outage test) would be dead at the drop.
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"relief_{purpose}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_network(database_url: str, clerks: int, depots: int = 4, items: int = 2, batches_per_item: int = 3
                  ) -> Network:
    """Migrate the empty database and fill it: depots, items, shared batches with opening stock, users, tokens."""
    migrate.upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "load-test"})
    try:
        with app.app_context():
            return _fill(clerks, depots, items, batches_per_item)
    finally:
        Session.remove()
        app.extensions["db_engine"].dispose()


def _fill(clerks: int, depot_count: int, item_count: int, batches_per_item: int) -> Network:
    from seed.loader import load_regions

    load_regions(Session)
    admin = create_user("admin", "Administrator", PASSWORD, Role.ADMIN, actor=None)
    depots = [create_depot(_depot(n), actor=None).id for n in range(depot_count)]
    items = [create_item(_item(n), actor=None).id for n in range(item_count)]
    batches = [Batch(item, f"B{item}-{n}", date.today() + timedelta(days=200 * (n + 1)))
               for item in items for n in range(batches_per_item)]
    for depot in depots:
        lines = [ReceiptLine(b.item_id, OPENING_STOCK, b.batch_no, Decimal(b.unit_cost), b.funding_source,
                             expiry_date=b.expiry_date) for b in batches]
        receive_stock(Receipt(depot, lines, supplier="opening stock"), admin)
    tokens = []
    for n in range(clerks):
        clerk = create_user(f"clerk{n}", f"Clerk {n}", PASSWORD, Role.CLERK, actor=None)
        for depot in depots:
            assign_clerk(depot, clerk.username, actor=None)
        tokens.append(issue_token(clerk.id, "load", actor=clerk)[1])
    network = Network(depots, items, batches, tokens, issue_token(admin.id, "load", actor=admin)[1])
    for depot in depots:
        network.lots[depot] = list(Session.scalars(select(Lot.id).where(Lot.depot_id == depot).order_by(Lot.id)))
    network.documents_before = Session.scalar(select(func.max(Document.id)))
    Session.commit()
    return network


def _depot(n: int) -> dict:
    return {"code": f"X-LOAD-{n}", "name": f"Load depot {n}", "level": "county", "region_code": COUNTY,
            "latitude": None, "longitude": None, "operator_type": "government",
            "capacity_volume_m3": Decimal("100000"), "capacity_weight_t": Decimal("10000")}


def _item(n: int) -> dict:
    return {"code": f"LOAD-{n}", "name": f"负载物资{n}", "name_en": f"load item {n}", "category": "living",
            "base_unit": "piece", "unit_weight_kg": Decimal("3.000"), "unit_volume_m3": Decimal("0.0400"),
            "shelf_life_days": 1825, "rotation_lead_days": 90, "reference_price": Decimal("180.00"),
            "norm_per_person": Decimal("1"), "pack_units": []}
