"""Transfers between depots: draft (or evacuation), edit, approve, ship, receive, resolve discrepancies."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.access import STOCK_KEEPERS
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from inventory.labels import TRANSFER_STATUS_LABELS
from inventory.network import queries as network_queries
from inventory.stock import queries, services
from inventory.stock.forms import (
    DraftTransferForm,
    EditTransferForm,
    EvacuateForm,
    ReceiveTransferForm,
    ResolveDiscrepancyForm,
    SetQuotaForm,
)
from inventory.stock.models import TransferStatus
from inventory.stock.views import bp
from inventory.stock.views.helpers import (
    actionable_depot,
    found,
    item_choices,
    lot_choices,
    to_voucher,
    unit_choices,
    voucher_action,
)
from inventory.stock.views.pages import render_dashboard, render_document


@bp.route("/depots/<int:depot_id>/transfers/new", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def new_transfer(depot_id: int):
    depot = actionable_depot(depot_id)
    form = DraftTransferForm()
    form.set_line_choices(item_id=item_choices(), unit=unit_choices(), lot_id=lot_choices(depot_id))
    form.source = depot
    if form.validate_on_submit():
        lines, rows = form.to_lines()
        request_ = services.TransferRequest(depot_id, form.destination.depot.id, lines, reason=form.reason.data or None)
        try:
            transfer = services.draft_transfer(request_, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error, rows, renames={"destination_id": "destination"},
                                  repeat_above=False)
        else:
            return to_voucher(transfer.document, _("Transfer %(number)s drafted; another person approves it.",
                                                   number=transfer.document.number))
    return render_template("stock/transfer_form.html", depot=depot, form=form)


@bp.route("/depots/<int:depot_id>/destinations")
@allow(*STOCK_KEEPERS)
def destinations(depot_id: int):
    """The depots a clerk may send this depot's stock to whose code or name holds `q`: for the depot picker."""
    actionable_depot(depot_id)
    typed = request.args.get("q", "")[:100]
    matches = network_queries.search_active_depots(typed, limit=20, besides=depot_id) if typed.strip() else []
    return jsonify({"items": [{"code": depot.code, "name": depot.name, "level": depot.level.value,
                               "label": depot_label(depot)} for depot in matches]})


def depot_label(depot) -> str:
    """How the picker offers a depot, and what DepotField takes back: "code — name"."""
    return f"{depot.code} — {depot.name}"


@bp.route("/depots/<int:depot_id>/evacuate", methods=["POST"])
@allow(*STOCK_KEEPERS)
def evacuate(depot_id: int):
    depot = actionable_depot(depot_id)
    form = EvacuateForm()
    if form.validate_on_submit():
        try:
            transfer = services.draft_evacuation(depot_id, form.destination.depot.id, current_user)
        except DomainError as error:
            attach_service_errors(form, error, renames={"destination_id": "destination"}, repeat_above=False)
        else:
            flash(_("Evacuation %(number)s drafted with all free stock. Check the lines; another person approves "
                    "it.", number=transfer.document.number), "success")
            return redirect(url_for("stock.edit_transfer", transfer_id=transfer.id))
    return render_dashboard(depot, SetQuotaForm(formdata=None), evacuate_form=form, status=422)


@bp.route("/transfers/<int:transfer_id>/edit", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def edit_transfer(transfer_id: int):
    transfer = found(queries.get_transfer(transfer_id))
    actionable_depot(transfer.source_id)
    if transfer.status != TransferStatus.DRAFT:
        flash(_("Transfer %(number)s is %(status)s; only a draft can be edited.", number=transfer.document.number,
                status=TRANSFER_STATUS_LABELS[transfer.status]), "error")
        return redirect(url_for("stock.document", document_id=transfer.document_id))
    data = {"lines": [{"item_id": line.item_id, "quantity": line.quantity, "lot_id": line.lot_id}
                      for line in transfer.lines]}
    form = EditTransferForm(data=data if request.method == "GET" else None)
    form.set_line_choices(item_id=item_choices(), unit=unit_choices(), lot_id=lot_choices(transfer.source_id))
    form.source = transfer.source
    if form.validate_on_submit():
        lines, rows = form.to_lines()
        try:
            services.update_draft(transfer_id, lines, current_user)
        except DomainError as error:
            attach_service_errors(form, error, rows, repeat_above=False)
        else:
            return to_voucher(transfer.document, _("Transfer %(number)s saved.", number=transfer.document.number))
    return render_template("stock/transfer_edit.html", transfer=transfer, form=form)


def _transfer_action(service, message: str):
    return allow(*STOCK_KEEPERS)(voucher_action(queries.get_transfer, service, message))


bp.add_url_rule("/transfers/<int:transfer_id>/approve", "approve_transfer", methods=["POST"],
                view_func=_transfer_action(services.approve_transfer,
                                           _l("Transfer %(number)s approved; its stock is reserved.")))
bp.add_url_rule("/transfers/<int:transfer_id>/ship", "ship_transfer", methods=["POST"],
                view_func=_transfer_action(services.ship_transfer, _l("Transfer %(number)s shipped.")))
bp.add_url_rule("/transfers/<int:transfer_id>/cancel", "cancel_transfer", methods=["POST"],
                view_func=_transfer_action(services.cancel_transfer, _l("Transfer %(number)s cancelled.")))


@bp.route("/transfers/<int:transfer_id>/receive", methods=["POST"])
@allow(*STOCK_KEEPERS)
def receive_transfer(transfer_id: int):
    transfer = found(queries.get_transfer(transfer_id))
    actionable_depot(transfer.destination_id)
    form = ReceiveTransferForm()
    if form.validate_on_submit():
        try:
            services.receive_transfer(transfer_id, form.to_arrival(), current_user)
        except DomainError as error:
            attach_service_errors(form, error, list(range(len(form.lines))))
        else:
            return to_voucher(transfer.document, _("Transfer %(number)s received.", number=transfer.document.number))
    return render_document(transfer.document, receive_form=form, status=422)


@bp.route("/discrepancies/<int:discrepancy_id>/resolve", methods=["POST"])
@allow(Role.ADMIN)
def resolve_discrepancy(discrepancy_id: int):
    discrepancy = found(queries.get_discrepancy(discrepancy_id))
    form = ResolveDiscrepancyForm(prefix=f"d{discrepancy_id}")
    if form.validate_on_submit():
        try:
            services.resolve_discrepancy(discrepancy_id, current_user, form.recovered.data, form.note.data or None)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            return to_voucher(discrepancy.transfer.document, _("Discrepancy on %(number)s resolved.",
                                                               number=discrepancy.transfer.document.number))
    return render_document(discrepancy.transfer.document, resolve_forms={discrepancy.id: form}, status=422)
