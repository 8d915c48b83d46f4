"""The incident pages: the list, one incident with its responses, open levels, areas (on a map), demand and
plans; forms to record what happens. Views parse, call one service, render or redirect."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from dispatch import labels
from dispatch.demand.queries import current_version
from dispatch.fleet.queries import requisitioned_vehicles
from dispatch.incidents import queries, services
from dispatch.incidents.forms import (
    END,
    ActionForm,
    AreaForm,
    IncidentForm,
    ResponseForm,
    SupportRequestForm,
    aware,
    local_input,
)
from dispatch.incidents.models import IncidentStatus
from dispatch.planning.services import list_jobs
from dispatch.plans.queries import incident_plans
from inventory.labels import DEPOT_LEVEL_LABELS

bp = Blueprint("incidents", __name__, template_folder="templates")
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.route("/incidents")
@allow()
def incidents():
    status = request.args.get("status")
    status = status if status in IncidentStatus._value2member_map_ else None
    q = (request.args.get("q") or "").strip() or None
    page = queries.list_incidents(request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"], status, q)
    return render_template("incidents/list.html", page=page, status=status, q=q, labels=labels)


@bp.route("/incidents/new", methods=["GET", "POST"])
@allow(*PLANNERS)
def new_incident():
    form = IncidentForm()
    if form.validate_on_submit():
        try:
            incident = services.create_incident(form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Incident recorded. Raise the response and add the affected areas."), "success")
            return redirect(url_for("incidents.incident", incident_id=incident.id))
    return render_template("incidents/form.html", form=form, incident=None), 422 if form.errors else 200


@bp.route("/incidents/<int:incident_id>")
@allow()
def incident(incident_id: int):
    return render_incident(queries.get_incident(incident_id))


def render_incident(incident, response_form=None, support_form=None, area_form=None, status: int = 200):
    openings = queries.source_openings(incident)
    version = current_version(incident.id)
    return render_template(
        "incidents/incident.html", incident=incident, labels=labels, level_labels=DEPOT_LEVEL_LABELS,
        current=queries.current_responses(incident), openings=openings,
        response_form=response_form or ResponseForm(formdata=None, prefix="response"),
        support_form=support_form or SupportRequestForm(formdata=None, prefix="support"),
        area_form=area_form or AreaForm(formdata=None, prefix="area"), action_form=ActionForm(), version=version,
        demand_units=sum(line.quantity for line in version.lines) if version else 0,
        jobs=list_jobs(incident.id), plans=incident_plans(incident.id),
        vehicles=len(requisitioned_vehicles(incident.id)),
        may_plan=current_user.role in PLANNERS), status


@bp.route("/incidents/<int:incident_id>/edit", methods=["GET", "POST"])
@allow(*PLANNERS)
def edit_incident(incident_id: int):
    incident = queries.get_incident(incident_id)
    form = IncidentForm(obj=incident, started_at=local_input(incident.started_at))
    if form.validate_on_submit():
        try:
            services.update_incident(incident_id, form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Incident saved."), "success")
            return redirect(url_for("incidents.incident", incident_id=incident_id))
    return render_template("incidents/form.html", form=form, incident=incident), 422 if form.errors else 200


@bp.route("/incidents/<int:incident_id>/status", methods=["POST"])
@allow(*PLANNERS)
def set_status(incident_id: int):
    wanted = request.form.get("status")
    if ActionForm().validate_on_submit() and wanted in IncidentStatus._value2member_map_:
        try:
            services.update_incident(incident_id, {"status": wanted}, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Incident closed.") if wanted == IncidentStatus.CLOSED else _("Incident reopened."), "success")
    return redirect(url_for("incidents.incident", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/responses", methods=["POST"])
@allow(*PLANNERS)
def record_response(incident_id: int):
    form = ResponseForm(prefix="response")
    if form.validate_on_submit():
        change = services.ResponseChange(form.authority.data, None if form.level.data == END else form.level.data,
                                         form.region_code.data or None, aware(form.changed_at.data),
                                         form.note.data or None)
        try:
            services.record_response(incident_id, change, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Response recorded."), "success")
            return redirect(url_for("incidents.incident", incident_id=incident_id) + "#responses")
    return render_incident(queries.get_incident(incident_id), response_form=form, status=422)


@bp.route("/incidents/<int:incident_id>/support-requests", methods=["POST"])
@allow(*PLANNERS)
def request_support(incident_id: int):
    form = SupportRequestForm(prefix="support")
    if form.validate_on_submit():
        asked = services.SupportAsked(form.authority.data, form.region_code.data, form.asked_by.data,
                                      aware(form.requested_at.data), form.note.data or None)
        try:
            services.request_support(incident_id, asked, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Request for support recorded; the level above may now supply."), "success")
            return redirect(url_for("incidents.incident", incident_id=incident_id) + "#responses")
    return render_incident(queries.get_incident(incident_id), support_form=form, status=422)


@bp.route("/incidents/<int:incident_id>/areas", methods=["POST"])
@allow(*PLANNERS)
def add_area(incident_id: int):
    form = AreaForm(prefix="area")
    if form.validate_on_submit():
        try:
            area = services.add_area(incident_id, form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Area %(name)s added.", name=area.name), "success")
            return redirect(url_for("incidents.incident", incident_id=incident_id) + "#areas")
    return render_incident(queries.get_incident(incident_id), area_form=form, status=422)


@bp.route("/incidents/<int:incident_id>/areas/<int:area_id>/edit", methods=["GET", "POST"])
@allow(*PLANNERS)
def edit_area(incident_id: int, area_id: int):
    incident, area = queries.get_incident(incident_id), queries.get_area(incident_id, area_id)
    form = AreaForm(obj=area, region_code=area.region.code,
                    receiving_depot_code=area.receiving_depot.code if area.receiving_depot else "")
    if form.validate_on_submit():
        try:
            services.update_area(incident_id, area_id, form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Area %(name)s saved.", name=area.name), "success")
            return redirect(url_for("incidents.incident", incident_id=incident_id) + "#areas")
    return render_template("incidents/area_form.html", form=form, incident=incident, area=area), \
        422 if form.errors else 200


def home_panel() -> dict:
    """The dispatcher's start page: the active incidents with their responses, newest first."""
    incidents = queries.list_active_incidents()
    return {"incidents": [(incident, queries.current_responses(incident)) for incident in incidents],
            "labels": labels}
