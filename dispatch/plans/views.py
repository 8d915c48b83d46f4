"""The plan pages: one plan and why it looks the way it does, two plans side by side, the list, the export."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from core import clock
from core.auth import allow
from core.errors import DomainError
from core.exports import Sheet, workbook_response
from core.models import Role
from dispatch import labels
from dispatch.labels import KPI_LABELS
from dispatch.plans import queries, services
from dispatch.plans.services import StockChangedError
from dispatch.shipments.queries import list_shipments
from inventory.labels import DEPOT_LEVEL_LABELS

bp = Blueprint("plans", __name__, template_folder="templates")


@bp.app_template_filter("plan_time")
def plan_time(hours: float, snapshot_at) -> str:
    """Hours after a plan's snapshot as the local clock reads them, e.g. "14:20 (+5.2 h)"."""
    moment = (snapshot_at + timedelta(hours=hours)).astimezone(clock.LOCAL_ZONE)
    day = "" if moment.date() == snapshot_at.astimezone(clock.LOCAL_ZONE).date() else moment.strftime("%m-%d ")
    return f"{day}{moment.strftime('%H:%M')} (+{hours:.1f} h)"


@bp.route("/plans")
@allow()
def plans():
    incident_id = request.args.get("incident", type=int)
    page = queries.list_plans(request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"], incident_id)
    return render_template("plans/list.html", page=page, labels=labels)


class DecisionForm(FlaskForm):
    """Approve (no field) or cancel (with an optional reason) a plan."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=services.MAX_NOTE)])


@bp.route("/plans/<int:plan_id>")
@allow()
def plan(plan_id: int):
    return render_plan(queries.get_plan(plan_id))


def render_plan(found, form: DecisionForm | None = None, short=None, status: int = 200):
    shipments = list_shipments(1, 200, plan_id=found.id) if found.approved_at else None
    return render_template("plans/plan.html", plan=found, labels=labels, level_labels=DEPOT_LEVEL_LABELS,
                           groups=queries.lines_by_source(found), agreements=queries.agreements_to_activate(found),
                           totals=queries.demand_totals(found), later=queries.later_than_assumed(found),
                           areas={area.id: area for area in found.incident.areas}, kpi_keys=queries.KPI_KEYS,
                           lines_by_id={line.id: line for line in found.lines}, shipments=shipments,
                           form=form or DecisionForm(formdata=None), short=short,
                           may_decide=current_user.role in (Role.ADMIN, Role.DISPATCHER)), status


@bp.route("/plans/<int:plan_id>/approve", methods=["POST"])
@allow(Role.ADMIN, Role.DISPATCHER)
def approve(plan_id: int):
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.approve_plan(plan_id, current_user)
        except StockChangedError as refused:
            form.form_errors.append(refused.message)
            return render_plan(queries.get_plan(plan_id), form, short=refused.short, status=409)
        except DomainError as error:
            form.form_errors.append(error.message)
            return render_plan(queries.get_plan(plan_id), form, status=error.status)
        flash(_("Plan approved: its stock is reserved and its shipments are ready to load."), "success")
        return redirect(url_for("plans.plan", plan_id=plan_id, _anchor="shipments"))
    return render_plan(queries.get_plan(plan_id), form, status=422)


@bp.route("/plans/<int:plan_id>/cancel", methods=["POST"])
@allow(Role.ADMIN, Role.DISPATCHER)
def cancel(plan_id: int):
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.cancel_plan(plan_id, current_user, form.reason.data)
        except DomainError as error:
            form.form_errors.append(error.message)
            return render_plan(queries.get_plan(plan_id), form, status=error.status)
        flash(_("Plan cancelled: what its shipments held is free again."), "success")
        return redirect(url_for("plans.plan", plan_id=plan_id))
    return render_plan(queries.get_plan(plan_id), form, status=422)


@bp.route("/plans/compare")
@allow()
def compare():
    first, second = request.args.get("a", type=int), request.args.get("b", type=int)
    if not first or not second:
        raise DomainError(_("Choose two plans to compare."))
    a, b = queries.get_plan(first), queries.get_plan(second)
    return render_template("plans/compare.html", a=a, b=b, labels=labels, kpi_keys=queries.KPI_KEYS,
                           rows=queries.compare_by_area_item(a, b), totals=(queries.demand_totals(a),
                                                                            queries.demand_totals(b)))


@bp.route("/plans/<int:plan_id>/export.xlsx")
@allow()
def export(plan_id: int):
    plan = queries.get_plan(plan_id)
    return workbook_response(f"plan-{plan.incident_id}-{plan.number}", [
        (_("Key figures"), [_("Figure"), _("This plan (routed)"), _("Allocation alone"), _("Greedy baseline")],
         [[str(KPI_LABELS[key]), plan.kpis.get(key), plan.allocation_kpis.get(key), plan.baseline_kpis.get(key)]
          for key in queries.KPI_KEYS]),
        _lines_sheet(plan), _unmet_sheet(plan), _routes_sheet(plan)])


def _lines_sheet(plan) -> Sheet:
    lines = [[_source(line), str(DEPOT_LEVEL_LABELS[line.source_level]), line.area.name, line.item.code,
              line.item.name, str(labels.MODE_LABELS[line.mode]), line.quantity, line.on_time_quantity,
              line.due_hours, line.eta_hours, line.arrival_hours, _at(plan, line.arrival_hours), line.cost,
              line.tonne_km] for line in plan.lines]
    total = [_("Total"), *[""] * 5, sum(line.quantity for line in plan.lines),
             sum(line.on_time_quantity for line in plan.lines), "", "", "", "",
             sum((line.cost for line in plan.lines), Decimal("0.00")),
             sum((line.tonne_km for line in plan.lines), Decimal("0.000"))]
    return Sheet(_("Lines"), [_("Source"), _("Level"), _("Area"), _("Item"), _("Item name"), _("Mode"),
                              _("Quantity"), _("On time"), _("Due (h)"), _("Allocation ETA (h)"), _("Arrival (h)"),
                              _("Arrives at"), _("Cost (CNY)"), _("Tonne-km")], lines, total)


def _unmet_sheet(plan) -> Sheet:
    gaps = [[gap.area.name, gap.item.code, gap.item.name, gap.quantity,
             str(labels.UNMET_REASON_LABELS.get(gap.reason, gap.reason)),
             str(DEPOT_LEVEL_LABELS[gap.opening_level]) if gap.opening_level else ""] for gap in plan.unmet]
    return Sheet(_("Unmet"), [_("Area"), _("Item"), _("Item name"), _("Quantity"), _("Reason"),
                              _("A wider response would open")], gaps,
                 [_("Total"), "", "", sum(gap.quantity for gap in plan.unmet), "", ""])


def _routes_sheet(plan) -> Sheet:
    """One row per stop; a route's distance and cost repeat on its stops, so they have no totals row."""
    stops = [[f"{route.depot.code} {route.depot.name}", route.vehicle_label, stop.sequence, stop.area.name,
              stop.arrival_hours, _at(plan, stop.arrival_hours), stop.weight_kg, route.distance_km, route.cost]
             for route in plan.routes for stop in route.stops]
    return Sheet(_("Routes"), [_("Depot"), _("Vehicle"), _("Stop"), _("Area"), _("Arrival (h)"), _("Arrives at"),
                               _("Weight (kg)"), _("Distance (km)"), _("Cost (CNY)")], stops)


def _source(line) -> str:
    return f"{line.depot.code} {line.depot.name}" if line.depot else line.agreement.enterprise_name


def _at(plan, hours: float):
    """Hours after the plan's snapshot as the instant they name (the export puts it on the local clock)."""
    return plan.snapshot_at + timedelta(hours=hours)
