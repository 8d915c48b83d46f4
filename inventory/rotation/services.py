"""Rotation plans: due lots leave by sale, hand-over, donation, transfer or scrap, and are replaced.

draft → approved (a second person; the lots' quantities are reserved) → executed, in as many
steps as the work takes (partially executed until every line is out and replaced).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _

from core import clock
from core.access import ensure_can_act, ensure_second_person
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, LinePath, NotFoundError, refuse_lines
from core.models import User
from inventory.labels import ROTATION_ACTION_LABELS, ROTATION_PLAN_STATUS_LABELS
from inventory.network.queries import get_active_depot
from inventory.rotation.models import ReplacementKind, RotationAction, RotationLine, RotationPlan, RotationPlanStatus
from inventory.stock.models import DocumentKind, Lot, MovementKind
from inventory.stock.queries import rotation_state
from inventory.stock.services.errors import InsufficientStockError
from inventory.stock.services.ledger import lock_lots, new_document, post_movement, release, reserve
from inventory.stock.services.receipts import ReceiptLine, lot_for_batch, same_batch_at

OPEN_STATUSES = (RotationPlanStatus.APPROVED, RotationPlanStatus.PARTIALLY_EXECUTED)


@dataclass
class RotationLineRequest:
    lot_id: int
    quantity: int
    action: RotationAction | str
    replacement: ReplacementKind | str
    counterparty: str | None = None
    destination_id: int | None = None
    expected_unit_proceeds: Decimal = Decimal("0")
    replacement_quantity: int = 0
    replacement_unit_cost: Decimal | None = None
    supplier: str | None = None
    reduction_reason: str | None = None


@dataclass
class RotationOut:
    line_id: int
    quantity: int
    proceeds: Decimal = Decimal("0")


@dataclass
class RotationIn:
    line_id: int
    quantity: int
    batch_no: str
    unit_cost: Decimal
    production_date: date | None = None
    expiry_date: date | None = None


@unit_of_work
def draft_rotation_plan(depot_id: int, lines: list[RotationLineRequest], actor: User,
                        note: str | None = None) -> RotationPlan:
    """Draft a plan for lots that are due for rotation or expired."""
    depot = get_active_depot(depot_id)
    ensure_can_act(actor, depot)
    if not lines:
        raise DomainError(_("Add at least one lot."), {"lines": [_("Add at least one lot.")]})
    checked, errors = [], []
    for index, request in enumerate(lines):
        try:
            checked.append(_checked_line(depot.id, request, LinePath(index)))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise refuse_lines(errors)
    document = new_document(depot, DocumentKind.ROTATION, actor, reason=note or _("rotation plan"))
    plan = RotationPlan(document_id=document.id, depot_id=depot.id, lines=checked)
    Session.add(plan)
    return plan


def _checked_line(depot_id: int, request: RotationLineRequest, path: LinePath) -> RotationLine:
    lot = Session.get(Lot, request.lot_id)
    if lot is None or lot.depot_id != depot_id:
        raise DomainError(_("Unknown lot."), path.error("lot_id", _("No such lot at this depot.")))
    if rotation_state(lot.expiry_date, lot.item.rotation_lead_days, clock.today()) == "ok":
        raise DomainError(_("Batch %(batch)s is not due for rotation.", batch=lot.batch_no),
                          path.error("lot_id", _("Batch %(batch)s is not due for rotation yet.", batch=lot.batch_no)))
    if not 0 < request.quantity <= lot.free:
        raise InsufficientStockError(
            _("Batch %(batch)s has %(free)s free, not %(quantity)s.", batch=lot.batch_no, free=lot.free,
              quantity=request.quantity),
            path.error("quantity", _("Between 1 and the %(free)s free in this batch.", free=lot.free)))
    action, replacement = RotationAction(request.action), ReplacementKind(request.replacement)
    _check_action(depot_id, action, request, path)
    _check_replacement(replacement, request, path)
    return RotationLine(lot_id=lot.id, quantity=request.quantity, action=action, replacement=replacement,
                        counterparty=request.counterparty, destination_id=request.destination_id,
                        expected_unit_proceeds=request.expected_unit_proceeds or Decimal("0"),
                        replacement_quantity=request.replacement_quantity if replacement == ReplacementKind.PURCHASE
                        else 0, replacement_unit_cost=request.replacement_unit_cost, supplier=request.supplier,
                        reduction_reason=request.reduction_reason)


def _check_action(depot_id: int, action: RotationAction, request: RotationLineRequest, path: LinePath) -> None:
    if action == RotationAction.TRANSFER:
        if request.destination_id in (None, depot_id):
            raise DomainError(_("A transfer needs another depot."),
                              path.error("destination_id", _("Choose the depot.")))
        get_active_depot(request.destination_id, "destination_id")
    elif action in (RotationAction.SELL, RotationAction.HAND_OVER, RotationAction.DONATE) \
            and not (request.counterparty or "").strip():
        raise DomainError(_("Say who takes the goods."),
                          path.error("counterparty", _("Name the buyer or receiving unit.")))
    if (request.expected_unit_proceeds or 0) < 0:
        raise DomainError(_("Proceeds cannot be negative."),
                          path.error("expected_unit_proceeds", _("Cannot be negative.")))


def _check_replacement(replacement: ReplacementKind, request: RotationLineRequest, path: LinePath) -> None:
    if replacement == ReplacementKind.REDUCTION:
        if not (request.reduction_reason or "").strip():
            raise DomainError(_("Say why the stock is not replaced."),
                              path.error("reduction_reason", _("Give a reason.")))
        return
    if request.replacement_quantity <= 0:
        raise DomainError(_("Say how much is bought."),
                          path.error("replacement_quantity", _("Must be more than 0.")))
    if request.replacement_unit_cost is None or request.replacement_unit_cost < 0:
        raise DomainError(_("Give the expected unit cost."),
                          path.error("replacement_unit_cost", _("Give the unit cost.")))


@unit_of_work
def approve_rotation_plan(plan_id: int, actor: User) -> RotationPlan:
    """A second person approves; the lots' quantities are reserved so nobody else issues them."""
    plan = _plan(plan_id, actor, (RotationPlanStatus.DRAFT,))
    ensure_second_person({plan.document.created_by_id}, actor,
                         _("You drafted this rotation plan; another person must approve it."))
    lock_lots(line.lot for line in plan.lines)
    for line in plan.lines:
        reserve(line.lot, line.quantity)
    plan.status, plan.approved_by_id, plan.approved_at = RotationPlanStatus.APPROVED, actor.id, clock.utcnow()
    return plan


@unit_of_work
def execute_rotation(plan_id: int, actor: User, outs: list[RotationOut] = (),
                     ins: list[RotationIn] = ()) -> RotationPlan:
    """Record what has left (with the money received) and what replacement stock has arrived; may be partial."""
    plan = _plan(plan_id, actor, OPEN_STATUSES)
    if not outs and not ins:
        raise DomainError(_("Nothing to record."), {"lines": [_("Enter a quantity that left or arrived.")]})
    lines = {line.id: line for line in plan.lines}
    now = clock.utcnow()
    for out in outs:
        _rotate_out(plan, _line(lines, out.line_id), out, actor, now)
    for arrival in ins:
        _rotate_in(plan, _line(lines, arrival.line_id), arrival, actor, now)
    done = all(line.out_done and line.replacement_done for line in plan.lines)
    plan.status = RotationPlanStatus.EXECUTED if done else RotationPlanStatus.PARTIALLY_EXECUTED
    return plan


def _line(lines: dict[int, RotationLine], line_id: int) -> RotationLine:
    if line_id not in lines:
        raise DomainError(_("Unknown plan line."),
                          {"lines": [_("Line %(id)s is not part of this plan.", id=line_id)]})
    return lines[line_id]


def _rotate_out(plan: RotationPlan, line: RotationLine, out: RotationOut, actor: User, now) -> None:
    remaining = line.quantity - line.executed_quantity
    if not 0 < out.quantity <= remaining:
        raise DomainError(_("Quantity beyond the plan."), {"lines": {str(line.id): {
            "quantity": [_("Between 1 and the %(remaining)s still to leave.", remaining=remaining)]}}})
    if out.proceeds < 0:
        raise DomainError(_("Proceeds cannot be negative."),
                          {"lines": {str(line.id): {"proceeds": [_("Cannot be negative.")]}}})
    if line.action == RotationAction.TRANSFER:
        _transfer_out(plan, line, out.quantity, actor, now)
    else:
        movement = post_movement(plan.document, line.lot, MovementKind.ROTATION_OUT, -out.quantity, actor,
                                 release_reserved=out.quantity, occurred_at=now, rotation_plan_id=plan.id,
                                 reason=_rotation_out_reason(line))
        movement.proceeds = out.proceeds
    line.executed_quantity += out.quantity
    line.actual_proceeds += out.proceeds


def _rotation_out_reason(line: RotationLine) -> str:
    # Stored like a clerk's own reason, in the language of whoever executes the plan.
    action = ROTATION_ACTION_LABELS[line.action]
    if line.counterparty:
        return _("rotation: %(action)s, to %(counterparty)s", action=action, counterparty=line.counterparty)
    return _("rotation: %(action)s", action=action)


def _replacement_reason(line: RotationLine) -> str:
    if line.supplier:
        return _("rotation: replacement from %(supplier)s", supplier=line.supplier)
    return _("rotation: replacement")


def _transfer_out(plan: RotationPlan, line: RotationLine, quantity: int, actor: User, now) -> None:
    """Stock handed to a depot that will use it sooner keeps its batch, cost and funding there."""
    post_movement(plan.document, line.lot, MovementKind.TRANSFER_OUT, -quantity, actor, release_reserved=quantity,
                  occurred_at=now, rotation_plan_id=plan.id, reason=_("rotation: transfer to a depot using it sooner"))
    arrived = same_batch_at(line.destination, line.lot)
    post_movement(plan.document, arrived, MovementKind.TRANSFER_IN, quantity, actor, occurred_at=now,
                  rotation_plan_id=plan.id, reason=_("rotation: transfer from a depot rotating it"))


def _rotate_in(plan: RotationPlan, line: RotationLine, arrival: RotationIn, actor: User, now) -> None:
    remaining = line.replacement_quantity - line.replacement_received
    if line.replacement != ReplacementKind.PURCHASE or not 0 < arrival.quantity <= remaining:
        raise DomainError(_("Replacement beyond the plan."), {"lines": {str(line.id): {
            "replacement_quantity": [_("Between 1 and the %(remaining)s still to arrive.",
                                       remaining=max(remaining, 0))]}}})
    item = line.lot.item
    receipt = ReceiptLine(item_id=item.id, quantity=arrival.quantity, batch_no=arrival.batch_no,
                          unit_cost=arrival.unit_cost, funding_source=line.lot.funding_source,
                          production_date=arrival.production_date, expiry_date=arrival.expiry_date
                          or _expiry_from(item, line, arrival))
    lot = lot_for_batch(plan.depot, item, receipt, LinePath(0))
    post_movement(plan.document, lot, MovementKind.ROTATION_IN, arrival.quantity, actor, occurred_at=now,
                  rotation_plan_id=plan.id, reason=_replacement_reason(line))
    line.replacement_received += arrival.quantity


def _expiry_from(item, line: RotationLine, arrival: RotationIn) -> date | None:
    if item.shelf_life_days is None:
        return None
    if arrival.production_date is None:
        raise DomainError(_("%(item)s expires: give the production or expiry date of the new batch.", item=item.name),
                          {"lines": {str(line.id): {"production_date": [_("Give the production or expiry date.")]}}})
    return arrival.production_date + timedelta(days=item.shelf_life_days)


@unit_of_work
def cancel_rotation_plan(plan_id: int, actor: User) -> RotationPlan:
    """Stop a plan; whatever it still held reserved is given back. What was executed stays executed."""
    plan = _plan(plan_id, actor, (RotationPlanStatus.DRAFT, *OPEN_STATUSES))
    if plan.status != RotationPlanStatus.DRAFT:
        for line in plan.lines:
            if line.quantity > line.executed_quantity:
                release(line.lot, line.quantity - line.executed_quantity)
    plan.status = RotationPlanStatus.CANCELLED
    return plan


def _plan(plan_id: int, actor: User, statuses: tuple) -> RotationPlan:
    plan = Session.get(RotationPlan, plan_id)
    if plan is None:
        raise NotFoundError(_("No rotation plan %(id)s.", id=plan_id))
    ensure_can_act(actor, plan.depot)
    if plan.status not in statuses:
        raise ConflictError(_("Rotation plan %(number)s is %(status)s.", number=plan.document.number,
                              status=ROTATION_PLAN_STATUS_LABELS[plan.status]))
    return plan
