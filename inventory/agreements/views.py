"""HTML pages for capacity reserve agreements and reserve coverage. Views parse, call one service, render."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import clock
from core.auth import allow
from core.errors import DomainError, NotFoundError
from core.forms import attach_service_errors
from core.models import Role
from inventory import labels
from inventory.agreements import queries as agreement_queries
from inventory.agreements import services as agreement_services
from inventory.agreements.forms import ActivateForm, AgreementForm, OutputForm, StatusForm
from inventory.agreements.queries import COVERAGE_HOURS, GROUPINGS
from inventory.agreements.queries import coverage as coverage_rows
from inventory.network.queries import list_provinces

bp = Blueprint("agreements", __name__, template_folder="templates")
READERS = (Role.ADMIN, Role.DISPATCHER, Role.FINANCE)
STATUS_LABELS = {"active": _l("In force"), "pending": _l("Not yet in force"), "suspended": _l("Suspended"),
                 "expired": _l("Expired")}
VERDICT_LABELS = {"stock": _l("Covered by held stock"),
                  "capacity": _l("Covered once capacity runs %(hours)s h", hours=COVERAGE_HOURS),
                  "short": _l("Short")}


@bp.route("/agreements")
@allow(*READERS)
def agreements():
    filters = _agreement_filters()
    page = agreement_queries.list_agreements(page=request.args.get("page", 1, type=int),
                                             per_page=current_app.config["PAGE_SIZE"], **filters)
    capacity = agreement_queries.capacity_by_item(region_code=filters["region_code"], item_id=filters["item_id"])
    return render_template("agreements/list.html", page=page, filters=filters, capacity=capacity,
                           hours=agreement_queries.DEFAULT_HOURS, items=agreement_queries.item_choices(),
                           provinces=list_provinces(), status_labels=STATUS_LABELS, today=clock.today(),
                           expiring_soon=agreement_queries.expiring_soon,
                           warning_days=agreement_queries.EXPIRY_WARNING_DAYS, status_form=StatusForm(), labels=labels)


def _agreement_filters() -> dict:
    """Read the list filters, ignoring values that are not ours (a stale bookmark must not fail)."""
    status = request.args.get("status") or None
    region = request.args.get("province") or ""
    return {
        "item_id": request.args.get("item_id", type=int) or None,
        "status": status if status in agreement_queries.EFFECTIVE_STATUSES else None,
        "region_code": region if region.isdigit() and len(region) == 6 else None,
        "expiring_within_days": agreement_queries.EXPIRY_WARNING_DAYS if request.args.get("expiring") else None,
        "q": (request.args.get("q") or "").strip() or None,
    }


@bp.route("/agreements/<int:agreement_id>")
@allow(*READERS)
def agreement(agreement_id: int):
    return render_agreement(agreement_services.get_agreement(agreement_id))


def render_agreement(found, activate_form: ActivateForm | None = None, output_form: OutputForm | None = None,
                     status: int = 200):
    return render_template("agreements/agreement.html", agreement=found, labels=labels, status_labels=STATUS_LABELS,
                           effective_status=found.effective_status(clock.today()),
                           activations=agreement_queries.agreement_activations(found.id),
                           activate_form=activate_form or ActivateForm(formdata=None),
                           output_form=output_form or OutputForm(formdata=None),
                           may_activate=current_user.role in agreement_services.ACTIVATORS), status


@bp.route("/agreements/<int:agreement_id>/activations", methods=["POST"])
@allow(*agreement_services.ACTIVATORS)
def activate(agreement_id: int):
    found = agreement_services.get_agreement(agreement_id)
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            activation = agreement_services.activate_agreement(agreement_id, form.quantity.data, current_user,
                                                               form.requested_for.data, form.note.data)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Activated: first output expected %(time)s.",
                    time=clock.local_iso(activation.first_output_at)[:16].replace("T", " ")), "success")
            return redirect(url_for("agreements.agreement", agreement_id=agreement_id))
    return render_agreement(found, activate_form=form, status=422)


@bp.route("/agreements/<int:agreement_id>/outputs", methods=["POST"])
@allow(*agreement_services.ACTIVATORS)
def receive_output(agreement_id: int):
    found = agreement_services.get_agreement(agreement_id)
    form = OutputForm()
    if form.validate_on_submit():
        activation = agreement_services.get_activation(form.activation_id.data)
        if activation.agreement_id != agreement_id:
            raise NotFoundError(_("No activation %(id)s.", id=form.activation_id.data))
        received_at = form.received_at.data.replace(tzinfo=clock.LOCAL_ZONE) if form.received_at.data else None
        try:
            agreement_services.receive_output(activation.id, form.quantity.data, current_user, received_at,
                                              form.reference.data, form.note.data)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Output recorded."), "success")
            return redirect(url_for("agreements.agreement", agreement_id=agreement_id))
    return render_agreement(found, output_form=form, status=422)


@bp.route("/agreements/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_agreement():
    form = _with_items(AgreementForm())
    if form.validate_on_submit():
        try:
            agreement = agreement_services.create_agreement(form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Agreement with %(enterprise)s recorded.", enterprise=agreement.enterprise_name), "success")
            return redirect(url_for("agreements.agreements"))
    return render_template("agreements/form.html", form=form, agreement=None)


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_agreement(agreement_id: int):
    agreement = agreement_services.get_agreement(agreement_id)
    form = _with_items(AgreementForm(obj=agreement, region_code=agreement.region.code))
    if form.validate_on_submit():
        try:
            agreement_services.update_agreement(agreement_id, form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Agreement with %(enterprise)s saved.", enterprise=agreement.enterprise_name), "success")
            return redirect(url_for("agreements.agreements"))
    return render_template("agreements/form.html", form=form, agreement=agreement,
                           status_form=StatusForm(), effective_status=agreement.effective_status(clock.today()),
                           status_labels=STATUS_LABELS)


def _with_items(form: AgreementForm) -> AgreementForm:
    form.item_id.choices = agreement_queries.item_choices()
    return form


@bp.route("/agreements/<int:agreement_id>/suspend", methods=["POST"])
@allow(Role.ADMIN)
def suspend_agreement(agreement_id: int):
    return _change_status(agreement_id, agreement_services.suspend_agreement,
                          lambda name: _("Agreement with %(enterprise)s suspended.", enterprise=name))


@bp.route("/agreements/<int:agreement_id>/reactivate", methods=["POST"])
@allow(Role.ADMIN)
def reactivate_agreement(agreement_id: int):
    return _change_status(agreement_id, agreement_services.reactivate_agreement,
                          lambda name: _("Agreement with %(enterprise)s reactivated.", enterprise=name))


def _change_status(agreement_id: int, service, done):
    """Suspend or reactivate; `done` says so in a whole sentence, given the enterprise's name."""
    if StatusForm().validate_on_submit():
        try:
            agreement = service(agreement_id, actor=current_user)
            flash(done(agreement.enterprise_name), "success")
        except DomainError as error:
            if error.status == 404:
                raise
            flash(error.message, "error")
    if request.form.get("back") == "edit":
        return redirect(url_for("agreements.edit_agreement", agreement_id=agreement_id))
    return redirect(url_for("agreements.agreements", **request.args))


@bp.route("/coverage")
@allow(*READERS)
def coverage():
    by = request.args.get("by") if request.args.get("by") in GROUPINGS else "level"
    region = request.args.get("province") or ""
    region_code = region if region.isdigit() and len(region) == 6 else None
    item_id = request.args.get("item_id", type=int) or None
    rows = coverage_rows(by, region_code, item_id)
    gaps_only = bool(request.args.get("gaps"))
    shown = [row for row in rows if row.verdict != "stock"] if gaps_only else rows
    return render_template("agreements/coverage.html", rows=shown, total=len(rows), by=by,
                           region_code=region_code, item_id=item_id, gaps_only=gaps_only,
                           items=agreement_queries.item_choices(), provinces=list_provinces(),
                           level_labels={level.value: label for level, label in labels.DEPOT_LEVEL_LABELS.items()},
                           verdict_labels=VERDICT_LABELS, hours=COVERAGE_HOURS, labels=labels,
                           short=sum(1 for row in rows if row.verdict == "short"))
