"""Issuing stock to users (relief, a user unit): FEFO by default, or lots named by hand."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from core.access import ensure_can_act
from core.db import unit_of_work
from core.errors import DomainError
from core.models import User
from inventory.network.queries import get_active_depot
from inventory.stock.models import Document, DocumentKind, MovementKind
from inventory.stock.services.ledger import lock_lots, new_document, post_movement
from inventory.stock.services.picks import IssueLine, plan_picks


@dataclass
class Issue:
    depot_id: int
    lines: list[IssueLine]
    recipient: str
    reason: str | None = None
    occurred_at: datetime | None = None


@unit_of_work
def issue_stock(issue: Issue, actor: User) -> Document:
    """Take stock out of a depot; refuses, writing nothing, when any line lacks free unexpired stock."""
    depot = get_active_depot(issue.depot_id)
    ensure_can_act(actor, depot)
    if not (issue.recipient or "").strip():
        raise DomainError(_("Say who receives the goods."), {"recipient": [_("Name the recipient.")]})
    picks = plan_picks(depot, issue.lines, issue.occurred_at)
    document = new_document(depot, DocumentKind.ISSUE, actor, issue.occurred_at, issue.reason, issue.recipient)
    lock_lots(pick.lot for pick in picks)
    for pick in picks:
        post_movement(document, pick.lot, MovementKind.ISSUE, -pick.quantity, actor)
    return document
