"""Scrapping damaged or expired stock: requested by one person, approved by another."""
from __future__ import annotations

from dataclasses import dataclass

from core import clock
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import User
from inventory.models import DocumentKind, Lot, MovementKind, ScrapLine, ScrapRequest, ScrapStatus
from inventory.services.ledger import (
    FourEyesError,
    InsufficientStockError,
    LinePath,
    active_depot,
    ensure_can_act,
    new_document,
    post_movement,
    refuse_lines,
)


@dataclass
class ScrapRequestLine:
    lot_id: int
    quantity: int


@unit_of_work
def request_scrap(depot_id: int, lines: list[ScrapRequestLine], reason: str, actor: User) -> ScrapRequest:
    """Ask to scrap lots (expired ones included); nothing leaves the ledger until a second person approves."""
    depot = active_depot(depot_id)
    ensure_can_act(actor, depot)
    if not (reason or "").strip():
        raise DomainError("Say why the stock is scrapped.", {"reason": ["Give a reason."]})
    checked = _checked_lines(depot.id, lines)
    document = new_document(depot, DocumentKind.SCRAP, actor, reason=reason.strip())
    scrap = ScrapRequest(document_id=document.id, depot_id=depot.id,
                         lines=[ScrapLine(lot_id=lot.id, quantity=quantity) for lot, quantity in checked])
    Session.add(scrap)
    return scrap


def _checked_lines(depot_id: int, lines: list[ScrapRequestLine]) -> list[tuple[Lot, int]]:
    if not lines:
        raise DomainError("Add at least one line.", {"lines": ["Add at least one line."]})
    checked, errors = [], []
    for index, line in enumerate(lines):
        path, lot = LinePath(index), Session.get(Lot, line.lot_id)
        if lot is None or lot.depot_id != depot_id:
            errors.append(DomainError("Unknown lot.", path.error("lot_id", "No such lot at this depot.")))
        elif line.quantity <= 0:
            errors.append(DomainError("Quantities must be positive.", path.error("quantity", "Must be more than 0.")))
        elif line.quantity > lot.free:
            errors.append(InsufficientStockError(
                f"Batch {lot.batch_no} of {lot.item.name} has {lot.free} free, not {line.quantity}.",
                path.error("quantity", f"Only {lot.free} {lot.item.base_unit} free in this batch.")))
        else:
            checked.append((lot, line.quantity))
    if errors:
        raise refuse_lines(errors)
    return checked


@unit_of_work
def approve_scrap(scrap_id: int, actor: User) -> ScrapRequest:
    """Post the scrap movements; the approver must not be the person who asked."""
    scrap = _pending(scrap_id, actor)
    now = clock.utcnow()  # the stock leaves when the scrapping is approved
    for line in scrap.lines:
        post_movement(scrap.document, line.lot, MovementKind.SCRAP, -line.quantity, actor, occurred_at=now,
                      scrap_id=scrap.id)
    scrap.status, scrap.decided_by_id, scrap.decided_at = ScrapStatus.APPROVED, actor.id, clock.utcnow()
    return scrap


@unit_of_work
def reject_scrap(scrap_id: int, actor: User) -> ScrapRequest:
    scrap = _pending(scrap_id, actor)
    scrap.status, scrap.decided_by_id, scrap.decided_at = ScrapStatus.REJECTED, actor.id, clock.utcnow()
    return scrap


def _pending(scrap_id: int, actor: User) -> ScrapRequest:
    scrap = Session.get(ScrapRequest, scrap_id)
    if scrap is None:
        raise NotFoundError(f"No scrap request {scrap_id}.")
    ensure_can_act(actor, scrap.depot)
    if scrap.status != ScrapStatus.REQUESTED:
        raise ConflictError(f"Scrap request {scrap.document.number} is already {scrap.status.value}.")
    if scrap.document.created_by_id == actor.id:
        raise FourEyesError("You asked for this scrapping; another person must approve it.")
    return scrap
