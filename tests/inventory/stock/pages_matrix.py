"""Role-matrix rows for the stock pages (inventory/stock_views.py), in tests/test_role_matrix.py's MATRIX format.

Clerks are allowed only at depots they are bound to; the matrix test binds its clerk to
{depot}, and {incoming} is a shipped transfer into {depot}, so a clerk there may receive it.
"""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from core import clock
from core.db import Session
from core.models import Role
from inventory.network.services import create_depot
from inventory.stock.models import Lot
from inventory.stock.services.counts import open_count
from inventory.stock.services.issues import IssueLine
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock
from inventory.stock.services.scraps import ScrapRequestLine, request_scrap
from inventory.stock.services.transfers import TransferRequest, approve_transfer, draft_transfer, ship_transfer

ADMIN = {Role.ADMIN}
EVERYONE = set(Role)
KEEPERS = {Role.ADMIN, Role.CLERK}          # record stock changes (clerks at their own depots)
PLANNERS = {Role.ADMIN, Role.DISPATCHER}

STOCK_PAGES = [
    ("stock.dashboard", "GET", "/depots/{depot}/stock", EVERYONE),
    ("stock.set_quota", "POST", "/depots/{depot}/quotas", ADMIN),
    ("stock.new_receipt", "GET", "/depots/{depot}/receipts/new", KEEPERS),
    ("stock.import_receipts", "GET", "/depots/{depot}/receipts/import", KEEPERS),
    ("stock.import_template", "GET", "/receipts/import/template.csv", KEEPERS),
    ("stock.new_issue", "GET", "/depots/{depot}/issues/new", KEEPERS),
    ("stock.new_transfer", "GET", "/depots/{depot}/transfers/new", KEEPERS),
    ("stock.evacuate", "POST", "/depots/{depot}/evacuate", KEEPERS),
    ("stock.destinations", "GET", "/depots/{depot}/destinations?q=T", KEEPERS),
    ("stock.edit_transfer", "GET", "/transfers/{transfer}/edit", KEEPERS),
    ("stock.approve_transfer", "POST", "/transfers/{transfer}/approve", KEEPERS),
    ("stock.ship_transfer", "POST", "/transfers/{transfer}/ship", KEEPERS),
    ("stock.cancel_transfer", "POST", "/transfers/{transfer}/cancel", KEEPERS),
    ("stock.receive_transfer", "POST", "/transfers/{incoming}/receive", KEEPERS),
    ("stock.resolve_discrepancy", "POST", "/discrepancies/{discrepancy}/resolve", ADMIN),
    ("stock.new_count", "GET", "/depots/{depot}/counts/new", KEEPERS),
    ("stock.count", "GET", "/counts/{count}", KEEPERS),
    ("stock.approve_count", "POST", "/counts/{count}/approve", KEEPERS),
    ("stock.cancel_count", "POST", "/counts/{count}/cancel", KEEPERS),
    ("stock.new_scrap", "GET", "/depots/{depot}/scraps/new", KEEPERS),
    ("stock.approve_scrap", "POST", "/scraps/{scrap}/approve", KEEPERS),
    ("stock.reject_scrap", "POST", "/scraps/{scrap}/reject", KEEPERS),
    ("stock.document", "GET", "/documents/{document}", EVERYONE),
    ("stock.movements", "GET", "/depots/{depot}/movements", EVERYONE),
    ("stock.reverse_movement", "GET", "/movements/{movement}/reverse", KEEPERS),
    ("stock.donations", "GET", "/donations", EVERYONE),
    ("stock.shortfalls", "GET", "/quotas/shortfalls", PLANNERS),
]

STOCK_TARGETS = ("document", "movement", "transfer", "incoming", "count", "scrap", "discrepancy")


def stock_targets(depot_id: int, item_id: int, admin, other_admin) -> dict:
    """Documents at the target depot for the matrix URLs: a receipt, a draft transfer, a shipped transfer
    into the depot, an open count and a pending scrap request."""
    def receive(depot):
        line = ReceiptLine(item_id=item_id, quantity=100, batch_no="M-1", unit_cost=Decimal(10),
                           funding_source="county", production_date=clock.today() - timedelta(days=10))
        return receive_stock(Receipt(depot, [line]), actor=admin)

    other = create_depot(_other_depot_data(), actor=None)
    document = receive(depot_id)
    receive(other.id)
    transfer = draft_transfer(TransferRequest(depot_id, other.id, [IssueLine(item_id, 5)]), admin)
    incoming = draft_transfer(TransferRequest(other.id, depot_id, [IssueLine(item_id, 5)]), admin)
    approve_transfer(incoming.id, other_admin)
    ship_transfer(incoming.id, other_admin)
    count = open_count(depot_id, admin)
    lot_id = Session.scalar(select(Lot.id).where(Lot.depot_id == depot_id))
    scrap = request_scrap(depot_id, [ScrapRequestLine(lot_id, 1)], "damaged", admin)
    return {"document": document.id, "movement": document.movements[0].id, "transfer": transfer.id,
            "incoming": incoming.id, "count": count.id, "scrap": scrap.id, "discrepancy": 999999}


def _other_depot_data() -> dict:
    return {"code": "X-MATRIX-2", "name": "Matrix neighbour", "level": "county", "region_code": "510107",
            "latitude": None, "longitude": None, "operator_type": "government",
            "capacity_volume_m3": Decimal(100), "capacity_weight_t": Decimal(10)}
