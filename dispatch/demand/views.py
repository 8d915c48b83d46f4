"""The demand pages: the incident's demand as an editable table (estimated from the norms, or a saved version),
saved as a new version; the incident's norms."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from dispatch.demand import queries, services
from dispatch.demand.forms import BLANK_ROWS, DemandForm, EstimateForm, NormsForm
from dispatch.incidents.forms import local_input
from dispatch.incidents.queries import get_incident

bp = Blueprint("demand", __name__, template_folder="templates")
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.route("/incidents/<int:incident_id>/demand", methods=["GET", "POST"])
@allow()
def edit(incident_id: int):
    incident = get_incident(incident_id)
    estimate = EstimateForm(formdata=request.args)
    if request.method == "POST":
        form = _with_choices(DemandForm(), incident)
        saved = _save(incident, form) if current_user.role in PLANNERS else None
        if saved is not None:
            return saved
    else:
        form = _with_choices(DemandForm(formdata=None, data={"lines": _prefill(incident, estimate)}), incident)
    return _render(incident, form, estimate), 422 if request.method == "POST" else 200


def _save(incident, form: DemandForm):
    if not form.validate_on_submit():
        return None
    lines, rows = form.to_lines()
    try:
        version = services.save_demand(incident.id, lines, actor=current_user, note=form.note.data or None)
    except DomainError as error:
        attach_service_errors(form, error, rows)
        return None
    flash(_("Demand saved as version %(number)s (%(lines)s lines).", number=version.number, lines=len(version.lines)),
          "success")
    return redirect(url_for("incidents.incident", incident_id=incident.id))


def _prefill(incident, estimate: EstimateForm) -> list[dict]:
    """The table's rows: an estimate when asked for (or when nothing is saved yet), else a saved version."""
    number = request.args.get("version", type=int)
    version = next((v for v, _lines, _units in queries.list_versions(incident.id) if v.number == number), None) \
        if number else queries.current_version(incident.id)
    if request.args.get("estimate") or version is None:
        estimate.validate()
        lines = services.estimate_lines(incident, queries.norms_in_force(incident.id), estimate.phasing())
    else:
        lines = version.lines
    rows = [{"area_id": line.area_id, "item_id": line.item_id, "quantity": line.quantity,
             "due_at": local_input(line.due_at), "tail_quantity": line.tail_quantity or None,
             "tail_due_at": local_input(line.tail_due_at)} for line in lines]
    return rows + [{} for _row in range(BLANK_ROWS)]


def _with_choices(form: DemandForm, incident) -> DemandForm:
    areas = [("", _("— area —"))] + [(area.id, area.name) for area in incident.areas]
    catalog = {norm.item.id: norm.item for norm in queries.norms_in_force(incident.id)}
    catalog |= {item.id: item for item in queries.items_without_norm() if item.id not in catalog}
    items = [("", _("— item —"))] + [(item.id, f"{item.code} {item.name}") for item in catalog.values()]
    form.set_line_choices(area_id=areas, item_id=items)
    return form


def _render(incident, form: DemandForm, estimate: EstimateForm):
    return render_template("demand/edit.html", incident=incident, form=form, estimate=estimate,
                           versions=queries.list_versions(incident.id), norms=queries.norms_in_force(incident.id),
                           may_edit=current_user.role in PLANNERS and incident.status.value == "active")


@bp.route("/incidents/<int:incident_id>/norms", methods=["GET", "POST"])
@allow()
def norms(incident_id: int):
    incident = get_incident(incident_id)
    in_force = queries.norms_in_force(incident.id)
    data = {"lines": [{"item_id": norm.item.id, "per_person": norm.per_person, "per_day": norm.per_day,
                       "days_of_cover": norm.days_of_cover, "basic_living": norm.basic_living} for norm in in_force]}
    form = NormsForm(data=data if request.method == "GET" else None)
    if current_user.role in PLANNERS and form.validate_on_submit():
        try:
            services.set_incident_norms(incident.id, form.to_changes(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Norms saved; estimate the demand again to use them."), "success")
            return redirect(url_for("demand.edit", incident_id=incident.id, estimate=1))
    return render_template("demand/norms.html", incident=incident, form=form,
                           rows=list(zip(in_force, form.lines)),
                           may_edit=current_user.role in PLANNERS and incident.status.value == "active"), \
        422 if request.method == "POST" else 200
