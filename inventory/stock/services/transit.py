"""Goods in transit stay on the books: a batch that leaves a depot moves onto its in-transit twin lot (kept at the
depot it left), and leaves that lot only when it is received, delivered, returned or written off. Valuation at any
moment therefore counts what is on the road, for transfers and relief shipments alike.

The helpers post movements in the caller's unit of work; they never commit.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from core.db import Session
from core.models import User
from inventory.network.models import Depot
from inventory.stock.models import Document, Lot, MovementKind
from inventory.stock.services.ledger import lock_lots, post_movement
from inventory.stock.services.receipts import same_batch_at


def transit_lot(lot: Lot) -> Lot:
    """The in-transit twin of a batch (same depot, item, batch, cost, funding and provenance), made when first
    needed."""
    values = {column: getattr(lot, column) for column in (
        "depot_id", "item_id", "batch_no", "production_date", "expiry_date", "unit_cost", "funding_source",
        "ownership", "holder", "donor", "donation_restriction")}
    insert = postgresql.insert if Session.get_bind().dialect.name == "postgresql" else sqlite.insert
    Session.execute(insert(Lot).values(**values, on_hand=0, reserved=0, in_transit=True).on_conflict_do_nothing())
    return Session.scalars(select(Lot).where(Lot.depot_id == lot.depot_id, Lot.item_id == lot.item_id,
                                             Lot.batch_no == lot.batch_no, Lot.in_transit.is_(True))).one()


def lock_for_sending(lots: list[Lot]) -> None:
    """Lock the lots goods leave and their in-transit twins together, in id order, before changing any: a shipment
    that locked its source first and its twin later could hold one while a receipt held the other."""
    lock_lots([*lots, *(transit_lot(lot) for lot in lots)])


def lock_for_receiving(sources: list[Lot], depot: Depot) -> None:
    """Lock the in-transit twins of the batches arriving and the lots they go into at `depot`, in id order."""
    lock_lots([*(transit_lot(lot) for lot in sources), *(same_batch_at(depot, lot) for lot in sources)])


def send(document: Document, lot: Lot, quantity: int, actor: User, kind: MovementKind, *, release_reserved: int = 0,
         occurred_at: datetime | None = None, reason: str | None = None, **belongs_to) -> Lot:
    """Take `quantity` out of a lot (`kind`: transfer out, dispatch) and put it in transit; returns the transit lot."""
    post_movement(document, lot, kind, -quantity, actor, release_reserved=release_reserved, occurred_at=occurred_at,
                  reason=reason, **belongs_to)
    onward = transit_lot(lot)
    post_movement(document, onward, MovementKind.TRANSIT, quantity, actor, occurred_at=occurred_at, reason=reason,
                  **belongs_to)
    return onward


def arrive(document: Document, source: Lot, quantity: int, actor: User, *, occurred_at: datetime | None = None,
           reason: str | None = None, kind: MovementKind = MovementKind.TRANSIT, **belongs_to) -> None:
    """Take `quantity` of a batch off the road (`kind`: transit when it is received into a depot, delivery when it
    reaches the people, loss when it is written off, return when it goes back)."""
    post_movement(document, transit_lot(source), kind, -quantity, actor, occurred_at=occurred_at, reason=reason,
                  **belongs_to)


def receive_into(document: Document, source: Lot, depot: Depot, quantity: int, actor: User, *,
                 occurred_at: datetime | None = None, reason: str | None = None, **belongs_to) -> Lot:
    """Goods of a batch come off the road into the same batch at `depot` (a transfer's or shipment's destination)."""
    arrive(document, source, quantity, actor, occurred_at=occurred_at, reason=reason, **belongs_to)
    lot = same_batch_at(depot, source)
    post_movement(document, lot, MovementKind.TRANSFER_IN, quantity, actor, occurred_at=occurred_at, reason=reason,
                  **belongs_to)
    return lot


def bring_back(document: Document, source: Lot, quantity: int, actor: User, *, occurred_at: datetime | None = None,
               reason: str | None = None, **belongs_to) -> None:
    """Goods of a batch come back off the road into the lot they left (refused at a stop, or turned back)."""
    arrive(document, source, quantity, actor, occurred_at=occurred_at, reason=reason, **belongs_to)
    post_movement(document, source, MovementKind.RETURN, quantity, actor, occurred_at=occurred_at, reason=reason,
                  **belongs_to)
