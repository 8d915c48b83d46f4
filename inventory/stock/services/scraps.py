"""Scrapping damaged or expired stock: requested by one person, approved by another."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from core import clock
from core.access import ensure_can_act, ensure_second_person
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, LinePath, NotFoundError, refuse_lines
from core.models import User
from inventory.labels import SCRAP_STATUS_LABELS, unit_label
from inventory.network.queries import get_active_depot
from inventory.stock.models import DocumentKind, Lot, MovementKind, ScrapLine, ScrapRequest, ScrapStatus
from inventory.stock.services.errors import InsufficientStockError
from inventory.stock.services.ledger import lock_lots, new_document, post_movement


@dataclass
class ScrapRequestLine:
    lot_id: int
    quantity: int


@unit_of_work
def request_scrap(depot_id: int, lines: list[ScrapRequestLine], reason: str, actor: User) -> ScrapRequest:
    """Ask to scrap lots (expired ones included); nothing leaves the ledger until a second person approves."""
    depot = get_active_depot(depot_id)
    ensure_can_act(actor, depot)
    if not (reason or "").strip():
        raise DomainError(_("Say why the stock is scrapped."), {"reason": [_("Give a reason.")]})
    checked = _checked_lines(depot.id, lines)
    document = new_document(depot, DocumentKind.SCRAP, actor, reason=reason.strip())
    scrap = ScrapRequest(document_id=document.id, depot_id=depot.id,
                         lines=[ScrapLine(lot_id=lot.id, quantity=quantity) for lot, quantity in checked])
    Session.add(scrap)
    return scrap


def _checked_lines(depot_id: int, lines: list[ScrapRequestLine]) -> list[tuple[Lot, int]]:
    if not lines:
        raise DomainError(_("Add at least one line."), {"lines": [_("Add at least one line.")]})
    checked, errors = [], []
    for index, line in enumerate(lines):
        path, lot = LinePath(index), Session.get(Lot, line.lot_id)
        if lot is None or lot.depot_id != depot_id:
            errors.append(DomainError(_("Unknown lot."), path.error("lot_id", _("No such lot at this depot."))))
        elif line.quantity <= 0:
            errors.append(DomainError(_("Quantities must be positive."),
                                      path.error("quantity", _("Must be more than 0."))))
        elif line.quantity > lot.free:
            errors.append(InsufficientStockError(
                _("Batch %(batch)s of %(item)s has %(free)s free, not %(quantity)s.",
                  batch=lot.batch_no, item=lot.item.name, free=lot.free, quantity=line.quantity),
                path.error("quantity", _("Only %(free)s %(unit)s free in this batch.",
                                         free=lot.free, unit=unit_label(lot.item.base_unit)))))
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
    lock_lots(line.lot for line in scrap.lines)
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
        raise NotFoundError(_("No scrap request %(id)s.", id=scrap_id))
    ensure_can_act(actor, scrap.depot)
    if scrap.status != ScrapStatus.REQUESTED:
        raise ConflictError(_("Scrap request %(number)s is already %(status)s.", number=scrap.document.number,
                              status=SCRAP_STATUS_LABELS[scrap.status]))
    ensure_second_person({scrap.document.created_by_id}, actor,
                         _("You asked for this scrapping; another person must approve it."))
    return scrap
