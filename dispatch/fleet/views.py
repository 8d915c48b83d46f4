"""The fleet pages: vehicles requisitioned for an incident, each depot's vehicles and modes, the mode figures."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import ensure_can_see
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from dispatch import labels
from dispatch.fleet import queries, services
from dispatch.fleet.forms import ActionForm, DepotFleetForm, ModesForm, RequisitionForm
from dispatch.incidents.queries import get_incident
from inventory.network.queries import get_depot, get_depot_by_code

bp = Blueprint("fleet", __name__, template_folder="templates")
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.route("/incidents/<int:incident_id>/vehicles", methods=["GET", "POST"])
@allow()
def requisitioned(incident_id: int):
    incident = get_incident(incident_id)
    form = RequisitionForm()
    if current_user.role in PLANNERS and form.validate_on_submit():
        try:
            depot = get_depot_by_code(form.depot_code.data)
            if depot is None:
                message = _("No depot has code %(code)s.", code=form.depot_code.data)
                raise DomainError(message, {"depot_code": [message]})
            requisition = services.Requisition(form.owner.data, form.plate.data, depot.id, form.spec(),
                                               form.driver_name.data, form.driver_phone.data)
            vehicle = services.requisition_vehicle(incident.id, requisition, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error, renames={"depot_id": "depot_code"})
        else:
            flash(_("Vehicle %(plate)s requisitioned; the next plan can use it.", plate=vehicle.plate), "success")
            return redirect(url_for("fleet.requisitioned", incident_id=incident.id))
    return render_template("fleet/requisitioned.html", incident=incident, form=form, action_form=ActionForm(),
                           vehicles=queries.requisitioned_vehicles(incident.id),
                           may_edit=current_user.role in PLANNERS), 422 if form.errors else 200


@bp.route("/incidents/<int:incident_id>/vehicles/<int:vehicle_id>/release", methods=["POST"])
@allow(*PLANNERS)
def release(incident_id: int, vehicle_id: int):
    if ActionForm().validate_on_submit():
        services.release_vehicle(incident_id, vehicle_id, actor=current_user)
        flash(_("Vehicle released."), "success")
    return redirect(url_for("fleet.requisitioned", incident_id=incident_id))


@bp.route("/fleet")
@allow()
def find_depot():
    code = (request.args.get("depot") or "").strip()
    depot = get_depot_by_code(code) if code else None
    if depot is not None:
        return redirect(url_for("fleet.depot_fleet", depot_id=depot.id))
    if code:
        flash(_("No depot has code %(code)s.", code=code), "error")
    return render_template("fleet/find.html", code=code, modes=queries.list_modes(), labels=labels)


@bp.route("/fleet/depots/<int:depot_id>", methods=["GET", "POST"])
@allow()
def depot_fleet(depot_id: int):
    depot = get_depot(depot_id)
    ensure_can_see(current_user, depot)  # a clerk reads only their own depots' records
    access = queries.depot_access([depot.id]).get(depot.id, set())
    data = {"rail": "rail" in access, "air": "air" in access,
            "lines": [{"vehicle_type": v.vehicle_type, "count": v.count, "capacity_kg": v.capacity_kg,
                       "capacity_m3": v.capacity_m3, "speed_kmh": v.speed_kmh, "fixed_cost": v.fixed_cost,
                       "cost_per_km": v.cost_per_km} for v in queries.list_depot_fleet(depot.id)] + [{}, {}]}
    form = DepotFleetForm(data=data if request.method == "GET" else None)
    if current_user.role in PLANNERS and form.validate_on_submit():
        specs, rows = form.specs()
        try:
            services.set_depot_fleet(depot.id, specs, {m for m in ("rail", "air") if form[m].data}, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error, rows)
        else:
            flash(_("Fleet of %(depot)s saved.", depot=depot.code), "success")
            return redirect(url_for("fleet.depot_fleet", depot_id=depot.id))
    return render_template("fleet/depot.html", depot=depot, form=form, may_edit=current_user.role in PLANNERS), \
        422 if request.method == "POST" else 200


@bp.route("/fleet/modes", methods=["GET", "POST"])
@allow(Role.ADMIN, Role.DISPATCHER)
def modes():
    rows = queries.list_modes()
    data = {"lines": [{"mode": row.mode.value, "speed_kmh": row.speed_kmh, "detour": row.detour,
                       "handling_hours": row.handling_hours, "cost_per_tkm": row.cost_per_tkm,
                       "access_km": row.access_km} for row in rows]}
    form = ModesForm(data=data if request.method == "GET" else None)
    if current_user.role == Role.ADMIN and form.validate_on_submit():
        try:
            services.set_modes([entry.form.figures() for entry in form.lines], actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Transport modes saved."), "success")
            return redirect(url_for("fleet.modes"))
    return render_template("fleet/modes.html", form=form, rows=list(zip(rows, form.lines)), labels=labels,
                           may_edit=current_user.role == Role.ADMIN), 422 if request.method == "POST" else 200
