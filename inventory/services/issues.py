"""Issuing stock to users (relief, a user unit): FEFO by default, or lots named by hand."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from core import clock
from core.db import unit_of_work
from core.errors import DomainError
from core.models import User
from inventory.models import Depot, Document, DocumentKind, MovementKind
from inventory.services.ledger import (
    LinePath,
    Pick,
    active_depot,
    base_quantity,
    ensure_can_act,
    get_item_or_error,
    named_lot,
    new_document,
    pick_fefo,
    post_movement,
    refuse_lines,
)


@dataclass
class IssueLine:
    item_id: int
    quantity: int
    unit: str | None = None
    lot_id: int | None = None  # None: first expiring, first out


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
    depot = active_depot(issue.depot_id)
    ensure_can_act(actor, depot)
    if not (issue.recipient or "").strip():
        raise DomainError(_("Say who receives the goods."), {"recipient": [_("Name the recipient.")]})
    picks = plan_picks(depot, issue.lines)
    document = new_document(depot, DocumentKind.ISSUE, actor, issue.occurred_at, issue.reason, issue.recipient)
    for pick in picks:
        post_movement(document, pick.lot, MovementKind.ISSUE, -pick.quantity, actor)
    return document


def plan_picks(depot: Depot, lines: list[IssueLine]) -> list[Pick]:
    """Choose the lots for every line; collect every line's problem before refusing."""
    return [pick for line_picks in plan_line_picks(depot, lines) for pick in line_picks]


def plan_line_picks(depot: Depot, lines: list[IssueLine]) -> list[list[Pick]]:
    """The lots chosen for each line, in the order of the lines."""
    if not lines:
        raise DomainError(_("Add at least one line."), {"lines": [_("Add at least one line.")]})
    today, grouped, errors, taken = clock.today(), [], [], {}
    for index, line in enumerate(lines):
        try:
            line_picks = _pick_line(depot, line, today, LinePath(index), taken)
        except DomainError as error:
            errors.append(error)
            continue
        for pick in line_picks:
            taken[pick.lot.id] = taken.get(pick.lot.id, 0) + pick.quantity
        grouped.append(line_picks)
    if errors:
        raise refuse_lines(errors)
    return grouped


def _pick_line(depot: Depot, line: IssueLine, today, path: LinePath, taken: dict[int, int]) -> list[Pick]:
    item = get_item_or_error(line.item_id, path)
    quantity = base_quantity(item, line.quantity, line.unit, path)
    if line.lot_id is not None:
        return [named_lot(depot, item, line.lot_id, quantity, today, path, taken)]
    return pick_fefo(depot, item, quantity, today, path, taken)
