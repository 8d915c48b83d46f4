"""The shipment pages: the list (a clerk's waybills to load), one shipment with its loading, dispatch, receipt,
turning back and cancelling, and the printable waybill."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import actable_depot_ids, can_act_at
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from dispatch import labels
from dispatch.shipments import queries, services
from dispatch.shipments.forms import ReasonForm, ReceiveForm, VehicleForm
from dispatch.shipments.models import OPEN_STATUSES, ShipmentStatus

bp = Blueprint("shipments", __name__, template_folder="templates")
PLANNERS = (Role.ADMIN, Role.DISPATCHER)
HOME_SHOWN = 10  # shipments to dispatch listed on a clerk's start page


@bp.route("/shipments")
@allow()
def shipments():
    """Dispatchers see every shipment; clerks those leaving their own depots."""
    status = request.args.get("status") if request.args.get("status") in {s.value for s in ShipmentStatus} else None
    overdue = True if request.args.get("overdue") == "1" else None
    depot_ids = actable_depot_ids(current_user) if current_user.role == Role.CLERK else None
    page = queries.list_shipments(request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"],
                                  incident_id=request.args.get("incident", type=int),
                                  plan_id=request.args.get("plan", type=int), status=status, overdue=overdue,
                                  depot_ids=sorted(depot_ids) if depot_ids is not None else None)
    return render_template("shipments/list.html", page=page, labels=labels, status=status, overdue=overdue)


@bp.route("/shipments/<int:shipment_id>", methods=["GET"])
@allow()
def shipment(shipment_id: int):
    return render_shipment(queries.get_shipment(shipment_id, reader=current_user))


def render_shipment(found, vehicle_form: VehicleForm | None = None, receive_form: ReceiveForm | None = None,
                    reason_form: ReasonForm | None = None, status: int = 200):
    vehicle_form = vehicle_form or VehicleForm(formdata=None, obj=found)
    stop = next((stop for stop in found.stops if stop.received_at is None), None)
    if receive_form is None and stop is not None:
        receive_form = ReceiveForm(formdata=None, data={"stop_id": stop.id, "lines": [
            {"line_id": line.id, "accepted": line.quantity} for line in found.lines if line.stop_id == stop.id]})
    lines_by_id = {line.id: line for line in found.lines}
    return render_template("shipments/shipment.html", shipment=found, labels=labels, vehicle_form=vehicle_form,
                           receive_form=receive_form, reason_form=reason_form or ReasonForm(formdata=None),
                           stop=stop, lines_by_id=lines_by_id, may=_may(found)), status


def _may(found) -> dict:
    """What the reader may do to this shipment now (the services check it again)."""
    planner = current_user.role in PLANNERS
    loader = planner or (current_user.role == Role.CLERK and found.depot_id is not None
                         and can_act_at(current_user, found.depot_id))
    receiving = {stop.area.receiving_depot_id for stop in found.stops if stop.area.receiving_depot_id}
    receiver = planner or (current_user.role == Role.CLERK and any(can_act_at(current_user, depot_id)
                                                                   for depot_id in receiving))
    return {"load": loader and found.status in OPEN_STATUSES,
            "receive": receiver and found.status == ShipmentStatus.IN_TRANSIT,
            "turn_back": planner and found.status == ShipmentStatus.IN_TRANSIT,
            "cancel": planner and found.status in OPEN_STATUSES}


@bp.route("/shipments/<int:shipment_id>/loading", methods=["POST"])
@allow(*PLANNERS, Role.CLERK)
def start_loading(shipment_id: int):
    return _vehicle_step(shipment_id, services.start_loading, _("Loading recorded; print the waybill for the driver."))


@bp.route("/shipments/<int:shipment_id>/dispatch", methods=["POST"])
@allow(*PLANNERS, Role.CLERK)
def dispatch(shipment_id: int):
    return _vehicle_step(shipment_id, services.dispatch_shipment,
                         _("On its way: the goods are in transit and the stops are timed from now."))


def _vehicle_step(shipment_id: int, step, done: str):
    form = VehicleForm()
    return _step(shipment_id, form, "vehicle_form", lambda: step(shipment_id, current_user, form.details()),
                 lambda _shipment: done)


def _step(shipment_id: int, form, form_name: str, run, done):
    """Run one step of a shipment from its form; back to the shipment page with `done(shipment)` said, or the
    page again with the form's errors beside its fields (nothing written)."""
    if form.validate_on_submit():
        try:
            shipment = run()
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(done(shipment), "success")
            return redirect(url_for("shipments.shipment", shipment_id=shipment_id))
    return render_shipment(queries.get_shipment(shipment_id), status=422, **{form_name: form})


@bp.route("/shipments/<int:shipment_id>/receive", methods=["POST"])
@allow(*PLANNERS, Role.CLERK)
def receive(shipment_id: int):
    form = ReceiveForm()
    return _step(shipment_id, form, "receive_form",
                 lambda: services.receive_stop(shipment_id, form.receipt(), current_user), _receipt_said)


def _receipt_said(shipment) -> str:
    if shipment.status != ShipmentStatus.DELIVERED:
        return _("Receipt recorded.")
    return _("Delivered: every stop has confirmed, and the trip is priced for settlement.")


@bp.route("/shipments/<int:shipment_id>/return", methods=["POST"])
@allow(*PLANNERS)
def turn_back(shipment_id: int):
    return _reason_step(shipment_id, services.return_shipment,
                        _("Turned back: the goods not yet received are back in stock."))


@bp.route("/shipments/<int:shipment_id>/cancel", methods=["POST"])
@allow(*PLANNERS)
def cancel(shipment_id: int):
    return _reason_step(shipment_id, services.cancel_shipment, _("Cancelled: its stock is free again."))


def _reason_step(shipment_id: int, step, done: str):
    form = ReasonForm()
    return _step(shipment_id, form, "reason_form", lambda: step(shipment_id, current_user, form.reason.data),
                 lambda _shipment: done)


@bp.route("/shipments/by-document/<int:document_id>")
@allow()
def by_document(document_id: int):
    """The shipment a waybill document in the ledger belongs to."""
    return redirect(url_for("shipments.shipment", shipment_id=queries.shipment_of_document(document_id).id))


@bp.route("/shipments/<int:shipment_id>/waybill")
@allow()
def waybill(shipment_id: int):
    found = queries.get_shipment(shipment_id, reader=current_user)
    return render_template("shipments/waybill.html", shipment=found, labels=labels,
                           stops=[(stop, [line for line in found.lines if line.stop_id == stop.id])
                                  for stop in found.stops])


def home_panel() -> dict:
    """The clerk's start page: shipments still to load and dispatch from their depots, first planned first."""
    depot_ids = sorted(actable_depot_ids(current_user) or ())
    waiting = [queries.list_shipments(1, HOME_SHOWN, status=status.value, depot_ids=depot_ids)
               for status in OPEN_STATUSES]
    return {"shipments": [shipment for page in waiting for shipment in page.items],
            "total": sum(page.total for page in waiting), "labels": labels}
