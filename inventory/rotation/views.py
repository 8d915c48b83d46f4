"""HTML pages for rotation: the due list, drafting, approving and executing plans. Views parse, call one service,
render."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import STOCK_KEEPERS, actable_depot_ids, can_act_at, ensure_can_act, ensure_can_see, visible_depot_ids
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from core.pagination import Page
from core.templating import format_quantity
from inventory import labels
from inventory.network import queries as network_queries
from inventory.network.models import DepotLevel, ItemCategory
from inventory.rotation import queries, services
from inventory.rotation.forms import REPLACEMENT_LABELS, ActionForm, DraftRotationPlanForm, ExecuteRotationForm
from inventory.rotation.models import ReplacementKind, RotationAction, RotationPlanStatus

bp = Blueprint("rotation", __name__, template_folder="templates")
STATUS_LABELS = labels.ROTATION_PLAN_STATUS_LABELS
OPEN = (RotationPlanStatus.APPROVED, RotationPlanStatus.PARTIALLY_EXECUTED)


@bp.app_context_processor
def _rotation_labels() -> dict:
    return {"action_labels": labels.ROTATION_ACTION_LABELS, "replacement_labels": REPLACEMENT_LABELS,
            "plan_status_labels": STATUS_LABELS}


# --- the due list -------------------------------------------------------------------------------------------

@bp.route("/rotation/due")
@allow()
def due():
    filters, depot_error = _due_filters()
    clerk_depots = network_queries.list_clerk_depots(current_user) if current_user.role == Role.CLERK else None
    depot_ids = visible_depot_ids(current_user)
    if depot_error:
        page, totals = Page([], 1, 1, 0), {"lots": 0, "quantity": 0, "book_value": Decimal("0.00"), "expired_lots": 0}
    else:
        page = queries.list_rotation_due(request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"],
                                         depot_ids=depot_ids, **filters)
        totals = queries.rotation_due_totals(depot_ids=depot_ids, **filters)
    return render_template("rotation/due.html", page=page, totals=totals, filters=filters,
                           args=request.args, depot_error=depot_error, labels=labels,
                           provinces=network_queries.list_provinces(), clerk_depots=clerk_depots,
                           actable=actable_depot_ids(current_user))


def _due_filters() -> tuple[dict, str | None]:
    """The list filters; a value that is not ours is ignored, an unknown depot code is said so."""
    level = request.args.get("level") or None
    province = request.args.get("province") or None
    category = request.args.get("category") or None
    within = request.args.get("within_days", type=int)
    filters = {"level": level if level in DepotLevel._value2member_map_ else None,
               "region_code": province if province and province.isdigit() and len(province) == 6 else None,
               "category": category if category in ItemCategory._value2member_map_ else None,
               "within_days": within if within is not None and 0 <= within <= 3650 else None}
    code = (request.args.get("depot") or "").strip()
    if not code:
        return filters, None
    depot = network_queries.get_depot_by_code(code)
    if depot is None:
        return filters, _("No depot with code %(code)s.", code=code)
    return {**filters, "depot_id": depot.id}, None


# --- drafting a plan ----------------------------------------------------------------------------------------

@bp.route("/depots/<int:depot_id>/rotation-plans/new", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def new_plan(depot_id: int):
    depot = network_queries.get_depot(depot_id)
    ensure_can_act(current_user, depot)
    due_lots = queries.plannable_lots(depot.id)
    form = DraftRotationPlanForm()
    options = [("", _("— choose a batch —"))] + [(d.lot.id, _lot_label(d)) for d in due_lots]
    for entry in form.lines:
        entry.form.lot_id.choices = options
    if request.method == "GET" and request.args.get("lot_id", type=int):
        form.lines[0].form.lot_id.data = request.args.get("lot_id", type=int)
    if form.validate_on_submit():
        plan = _draft(depot.id, form)
        if plan is not None:
            flash(_("Rotation plan %(number)s drafted; another person must approve it.", number=plan.document.number),
                  "success")
            return redirect(url_for("rotation.plan", plan_id=plan.id))
    return render_template("rotation/plan_form.html", depot=depot, form=form, due_lots=due_lots,
                           labels=labels), 422 if request.method == "POST" else 200


def _lot_label(due) -> str:
    lot = due.lot
    return _("%(batch)s · %(item)s · expires %(date)s · %(free)s free", batch=lot.batch_no, item=lot.item.name,
             date=lot.expiry_date.isoformat(), free=format_quantity(lot.free))


def _draft(depot_id: int, form: DraftRotationPlanForm):
    """Resolve destination codes, then let the service check every line, so all the messages show at once."""
    rows = form.filled_rows()
    lines, unknown = [], {}
    for row in rows:
        line = form.lines[row].form
        destination_id = None
        code = (line.destination_code.data or "").strip()
        if line.action.data == RotationAction.TRANSFER.value and code:
            destination = network_queries.get_depot_by_code(code)
            if destination is None:
                unknown[row] = _("No depot with code %(code)s.", code=code)
            else:
                destination_id = destination.id
        lines.append(_line_request(line, destination_id))
    try:
        # A transfer line without a destination is always refused, so an unknown code never passes.
        return services.draft_rotation_plan(depot_id, lines, current_user, form.note.data or None)
    except DomainError as error:
        attach_service_errors(form, error, rows, renames={"destination_id": "destination_code"})
    for row, message in unknown.items():  # "no such depot" says more than the service's "choose the depot"
        form.lines[row].form.destination_code.errors = [message]
    return None


def _line_request(line, destination_id: int | None) -> services.RotationLineRequest:
    return services.RotationLineRequest(
        lot_id=line.lot_id.data, quantity=line.quantity.data, action=line.action.data,
        replacement=line.replacement.data, counterparty=(line.counterparty.data or "").strip() or None,
        destination_id=destination_id, expected_unit_proceeds=line.expected_unit_proceeds.data or Decimal(0),
        replacement_quantity=line.replacement_quantity.data or 0,
        replacement_unit_cost=line.replacement_unit_cost.data, supplier=(line.supplier.data or "").strip() or None,
        reduction_reason=(line.reduction_reason.data or "").strip() or None)


# --- one plan -----------------------------------------------------------------------------------------------

def _plan_or_404(plan_id: int):
    plan = queries.get_rotation_plan(plan_id)
    if plan is None:
        abort(404, _("No rotation plan %(id)s.", id=plan_id))
    ensure_can_see(current_user, plan.depot)
    return plan


@bp.route("/rotation-plans/<int:plan_id>")
@allow()
def plan(plan_id: int):
    plan = _plan_or_404(plan_id)
    return _render_plan(plan, _execute_form(plan))


def _render_plan(plan, execute_form, status: int = 200):
    may_act = can_act_at(current_user, plan.depot_id)
    return render_template("rotation/plan.html", plan=plan, may_act=may_act, open_statuses=OPEN,
                           execute_form=execute_form, action_form=ActionForm(), labels=labels,
                           rows={entry.form.line_id.data: entry.form for entry in execute_form.lines},
                           purchase=ReplacementKind.PURCHASE), status


def _execute_form(plan) -> ExecuteRotationForm:
    data = {"lines": [{"line_id": str(line.id), "unit_cost": line.replacement_unit_cost} for line in plan.lines]}
    return ExecuteRotationForm(data=data)


@bp.route("/rotation-plans/<int:plan_id>/approve", methods=["POST"])
@allow(*STOCK_KEEPERS)
def approve(plan_id: int):
    _plan_or_404(plan_id)
    if ActionForm().validate_on_submit():
        try:
            plan = services.approve_rotation_plan(plan_id, current_user)
            flash(_("Rotation plan %(number)s approved; its stock is reserved.", number=plan.document.number),
                  "success")
        except DomainError as error:
            flash(error.message, "error")
    else:
        flash(_("The form had expired; please try again."), "error")
    return redirect(url_for("rotation.plan", plan_id=plan_id))


@bp.route("/rotation-plans/<int:plan_id>/cancel", methods=["POST"])
@allow(*STOCK_KEEPERS)
def cancel(plan_id: int):
    _plan_or_404(plan_id)
    if ActionForm().validate_on_submit():
        try:
            plan = services.cancel_rotation_plan(plan_id, current_user)
            flash(_("Rotation plan %(number)s cancelled.", number=plan.document.number), "success")
        except DomainError as error:
            flash(error.message, "error")
    else:
        flash(_("The form had expired; please try again."), "error")
    return redirect(url_for("rotation.plan", plan_id=plan_id))


@bp.route("/rotation-plans/<int:plan_id>/execute", methods=["POST"])
@allow(*STOCK_KEEPERS)
def execute(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = _execute_form(plan)
    if form.validate_on_submit():
        rows = form.filled_rows()
        outs, ins = _execution(form, rows)
        try:
            plan = services.execute_rotation(plan_id, current_user, outs, ins)
        except DomainError as error:
            attach_service_errors(form, error, line_id_field="line_id",
                                  renames={"quantity": "out_quantity", "replacement_quantity": "in_quantity"})
        else:
            flash(_("Recorded; plan %(number)s is %(status)s.", number=plan.document.number,
                    status=STATUS_LABELS[plan.status]), "success")
            return redirect(url_for("rotation.plan", plan_id=plan_id))
    return _render_plan(queries.get_rotation_plan(plan_id), form, 422)


def _execution(form, rows: list[int]) -> tuple[list, list]:
    outs, ins = [], []
    for row in rows:
        line = form.lines[row].form
        line_id = int(line.line_id.data)
        if line.out_quantity.data:
            outs.append(services.RotationOut(line_id, line.out_quantity.data, line.proceeds.data or Decimal(0)))
        if line.in_quantity.data:
            ins.append(services.RotationIn(line_id, line.in_quantity.data, line.batch_no.data.strip(),
                                           line.unit_cost.data, production_date=line.production_date.data))
    return outs, ins
