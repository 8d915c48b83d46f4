"""Small read-only look-ups the clerk pages need beyond inventory.queries (choices, a document's subject)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.db import Session
from inventory.models import (
    CountStatus,
    Depot,
    Discrepancy,
    Item,
    Lot,
    Movement,
    MovementKind,
    ScrapRequest,
    ScrapStatus,
    StockCount,
    Transfer,
    TransferStatus,
)

# Where donated goods went: the movements that take stock out of a lot for good or elsewhere.
OUTGOING_KINDS = (MovementKind.ISSUE, MovementKind.TRANSFER_OUT, MovementKind.SCRAP, MovementKind.ROTATION_OUT)


def list_item_options() -> list[Item]:
    """Every catalog item with its packs, for the line selects."""
    return list(Session.scalars(select(Item).options(selectinload(Item.pack_units)).order_by(Item.code)))


def list_depot_lots(depot_id: int) -> list[Lot]:
    """The depot's lots that hold stock, for picking a lot by hand (expired ones included, for scrapping)."""
    return list(Session.scalars(select(Lot).where(Lot.depot_id == depot_id, Lot.on_hand > 0)
                                .options(joinedload(Lot.item)).order_by(Lot.item_id, Lot.expiry_date, Lot.id)))


def get_depot_by_code(code: str) -> Depot | None:
    return Session.scalar(select(Depot).where(Depot.code == code.strip().upper()))


def get_movement(movement_id: int) -> Movement | None:
    return Session.get(Movement, movement_id)


def is_reversed(movement_id: int) -> bool:
    return Session.scalar(select(Movement.id).where(Movement.reverses_id == movement_id)) is not None


def reversed_ids(movement_ids: list[int]) -> set[int]:
    """Which of these movements already have a reversal."""
    if not movement_ids:
        return set()
    return set(Session.scalars(select(Movement.reverses_id).where(Movement.reverses_id.in_(movement_ids))))


def get_transfer(transfer_id: int) -> Transfer | None:
    return Session.get(Transfer, transfer_id)


def get_count(count_id: int) -> StockCount | None:
    return Session.get(StockCount, count_id)


def get_scrap(scrap_id: int) -> ScrapRequest | None:
    return Session.get(ScrapRequest, scrap_id)


def get_discrepancy(discrepancy_id: int) -> Discrepancy | None:
    return Session.get(Discrepancy, discrepancy_id)


def document_subject(document_id: int) -> Transfer | StockCount | ScrapRequest | None:
    """The transfer, count or scrap request a document stands for, if any."""
    for model in (Transfer, StockCount, ScrapRequest):
        subject = Session.scalar(select(model).where(model.document_id == document_id))
        if subject is not None:
            return subject
    return None


def document_movements(document_id: int) -> list[Movement]:
    return list(Session.scalars(select(Movement).where(Movement.document_id == document_id)
                                .options(joinedload(Movement.item), joinedload(Movement.lot),
                                         joinedload(Movement.depot)).order_by(Movement.id)))


def outgoing_by_lot(lot_ids: list[int]) -> dict[int, list[Movement]]:
    """The issue, transfer and scrap movements of these lots, oldest first, keyed by lot."""
    if not lot_ids:
        return {}
    rows = Session.scalars(select(Movement).where(Movement.lot_id.in_(lot_ids), Movement.kind.in_(OUTGOING_KINDS))
                           .options(joinedload(Movement.document)).order_by(Movement.occurred_at, Movement.id))
    grouped: dict[int, list[Movement]] = defaultdict(list)
    for movement in rows:
        grouped[movement.lot_id].append(movement)
    return grouped


def received_by_lot(lot_ids: list[int]) -> dict[int, int]:
    """What came into each lot by receipt or transfer, before anything left."""
    if not lot_ids:
        return {}
    rows = Session.execute(select(Movement.lot_id, func.sum(Movement.quantity))
                           .where(Movement.lot_id.in_(lot_ids),
                                  Movement.kind.in_((MovementKind.RECEIPT, MovementKind.TRANSFER_IN)))
                           .group_by(Movement.lot_id))
    return {lot_id: int(total) for lot_id, total in rows}


def list_open_work(depot_id: int) -> dict[str, list]:
    """Transfers, counts and scrap requests of a depot that still wait for someone."""
    transfers = Session.scalars(
        select(Transfer).where((Transfer.source_id == depot_id) | (Transfer.destination_id == depot_id),
                               Transfer.status.in_((TransferStatus.DRAFT, TransferStatus.APPROVED,
                                                    TransferStatus.SHIPPED)))
        .options(joinedload(Transfer.document), joinedload(Transfer.source), joinedload(Transfer.destination))
        .order_by(Transfer.id))
    counts = Session.scalars(select(StockCount).where(StockCount.depot_id == depot_id,
                                                      StockCount.status == CountStatus.OPEN)
                             .options(joinedload(StockCount.document)).order_by(StockCount.id))
    scraps = Session.scalars(select(ScrapRequest).where(ScrapRequest.depot_id == depot_id,
                                                        ScrapRequest.status == ScrapStatus.REQUESTED)
                             .options(joinedload(ScrapRequest.document)).order_by(ScrapRequest.id))
    return {"transfers": list(transfers), "counts": list(counts), "scraps": list(scraps)}
