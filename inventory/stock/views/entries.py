"""Recording stock changes at one depot: receipts (by form or file), issues, scrap requests."""
from __future__ import annotations

import csv
import io

from flask import Response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from core import clock
from core.access import STOCK_KEEPERS
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from inventory.stock import queries, services
from inventory.stock.forms import (
    ImportReceiptsForm,
    IssueStockForm,
    ReceiveStockForm,
    RequestScrapForm,
    occurred_at,
)
from inventory.stock.models import FundingSource, Ownership
from inventory.stock.services import imports
from inventory.stock.views import bp
from inventory.stock.views.helpers import (
    actionable_depot,
    item_choices,
    lot_choices,
    to_voucher,
    unit_choices,
    voucher_action,
)

DATED = {"occurred_at": "occurred_on"}  # the service's moment is the form's day: its refusals stand beside the day


@bp.route("/depots/<int:depot_id>/receipts/new", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def new_receipt(depot_id: int):
    depot = actionable_depot(depot_id)
    form = ReceiveStockForm()
    form.set_line_choices(item_id=item_choices(), unit=unit_choices())
    form.set_line_defaults(funding_source=services.depot_funding(depot).value)
    form.items = {item.id: item for item in queries.list_item_options()}
    if form.validate_on_submit():
        receipt, rows = form.to_receipt(depot_id)
        try:
            document = services.receive_stock(receipt, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error, rows, renames=DATED, repeat_above=False)
        else:
            return to_voucher(document, _("Receipt %(number)s recorded.", number=document.number))
    return render_template("stock/receipt_form.html", depot=depot, form=form)


@bp.route("/depots/<int:depot_id>/issues/new", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def new_issue(depot_id: int):
    depot = actionable_depot(depot_id)
    form = IssueStockForm()
    form.set_line_choices(item_id=item_choices(), unit=unit_choices(), lot_id=lot_choices(depot_id))
    form.source = depot
    if form.validate_on_submit():
        lines, rows = form.to_lines()
        issue = services.Issue(depot_id, lines, recipient=form.recipient.data, reason=form.reason.data or None,
                               occurred_at=_occurred(form))
        try:
            document = services.issue_stock(issue, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error, rows, renames=DATED, repeat_above=False)
        else:
            return to_voucher(document, _("Issue %(number)s recorded.", number=document.number))
    return render_template("stock/issue_form.html", depot=depot, form=form)


def _occurred(form):
    return occurred_at(form.occurred_on.data)


@bp.route("/depots/<int:depot_id>/receipts/import", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def import_receipts(depot_id: int):
    depot = actionable_depot(depot_id)
    form, report = ImportReceiptsForm(), None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = imports.import_receipts(depot_id, upload.filename, upload.read(), current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            if report.document is not None and not report.problems:
                return to_voucher(report.document, ngettext(
                    "Receipt %(number)s imported: %(num)s row.", "Receipt %(number)s imported: %(num)s rows.",
                    report.rows, number=report.document.number))
    return render_template("stock/import.html", depot=depot, form=form, report=report,
                           columns=imports.COLUMNS)


@bp.route("/receipts/import/template.csv")
@allow(*STOCK_KEEPERS)
def import_template():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(imports.COLUMNS)
    example = queries.import_example_item()
    if example is not None:
        writer.writerow(_example_row(example))
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=receipts-template.csv"})


def _example_row(item) -> list[str]:
    """A row the import takes as it stands: a catalogue item in its smallest pack, at its reference price, made
    today (so a batch that expires is not already past its date)."""
    today = clock.today()
    pack = item.pack_units[0].name if item.pack_units else ""
    example = {"item_code": item.code, "quantity": "20", "unit": pack, "batch_no": f"B{today.year}-001",
               "production_date": today.isoformat(), "unit_cost": f"{item.reference_price:.2f}",
               "funding_source": FundingSource.PROVINCIAL.value, "ownership": Ownership.GOVERNMENT.value}
    return [example.get(column, "") for column in imports.COLUMNS]


@bp.route("/depots/<int:depot_id>/scraps/new", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def new_scrap(depot_id: int):
    depot = actionable_depot(depot_id)
    form = RequestScrapForm()
    form.set_line_choices(lot_id=lot_choices(depot_id, blank=_("— choose a batch —")))
    if form.validate_on_submit():
        lines, rows = form.to_lines()
        try:
            scrap = services.request_scrap(depot_id, lines, form.reason.data, current_user)
        except DomainError as error:
            attach_service_errors(form, error, rows, repeat_above=False)
        else:
            return to_voucher(scrap.document, _("Scrap request %(number)s recorded; another person approves it.",
                                                number=scrap.document.number))
    return render_template("stock/scrap_form.html", depot=depot, form=form)


def _scrap_action(service, message: str):
    return allow(*STOCK_KEEPERS)(voucher_action(queries.get_scrap, service, message))


bp.add_url_rule("/scraps/<int:scrap_id>/approve", "approve_scrap", methods=["POST"],
                view_func=_scrap_action(services.approve_scrap,
                                        _l("Scrap %(number)s approved; the stock has left the ledger.")))
bp.add_url_rule("/scraps/<int:scrap_id>/reject", "reject_scrap", methods=["POST"],
                view_func=_scrap_action(services.reject_scrap, _l("Scrap %(number)s rejected.")))
