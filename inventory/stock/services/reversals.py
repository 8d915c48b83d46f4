"""Correcting a mistake: a reversing movement that points at the one it undoes."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.access import ensure_can_act
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import User
from inventory.labels import MOVEMENT_LABELS
from inventory.stock.models import Document, DocumentKind, Movement, MovementKind
from inventory.stock.services.ledger import new_document, post_movement

# Transfer legs are corrected through their transfer (discrepancies), rotation through its plan.
REVERSIBLE = {MovementKind.RECEIPT, MovementKind.ISSUE, MovementKind.COUNT_ADJUSTMENT, MovementKind.SCRAP}


@unit_of_work
def reverse_movement(movement_id: int, actor: User, reason: str) -> Document:
    """Undo one movement with an equal and opposite one; a movement is reversed at most once."""
    original = Session.get(Movement, movement_id)
    if original is None:
        raise NotFoundError(_("No movement with id %(id)s.", id=movement_id))
    ensure_can_act(actor, original.depot)
    _check_reversible(original, reason)
    document = new_document(original.depot, DocumentKind.REVERSAL, actor, reason=reason.strip(),
                            counterparty=original.document.number)
    post_movement(document, original.lot, MovementKind.REVERSAL, -original.quantity, actor,
                  reverses_id=original.id)
    try:
        Session.flush()
    except IntegrityError as error:  # another request reversed it first
        raise ConflictError(_("Movement %(id)s has already been reversed.", id=movement_id)) from error
    return document


def _check_reversible(original: Movement, reason: str) -> None:
    if not (reason or "").strip():
        raise DomainError(_("Say why the movement is reversed."), {"reason": [_("Give a reason.")]})
    if original.kind not in REVERSIBLE:
        raise ConflictError(_("A movement of kind “%(kind)s” cannot be reversed here; correct it through its "
                              "transfer or plan.", kind=MOVEMENT_LABELS[original.kind]))
    already = Session.scalar(select(Movement.id).where(Movement.reverses_id == original.id))
    if already is not None:
        raise ConflictError(_("Movement %(id)s has already been reversed.", id=original.id))
