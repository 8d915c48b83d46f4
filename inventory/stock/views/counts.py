"""Stock counts: open, enter counted quantities, approve (a second person) or cancel."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.access import STOCK_KEEPERS
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from inventory import labels
from inventory.stock import queries, services
from inventory.stock.forms import OpenCountForm, RecordCountsForm
from inventory.stock.views import bp
from inventory.stock.views.helpers import actionable_depot, found, to_voucher


@bp.route("/depots/<int:depot_id>/counts/new", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def new_count(depot_id: int):
    depot = actionable_depot(depot_id)
    form = OpenCountForm()
    form.item_ids.choices = [(item.id, f"{item.code} {item.name}") for item in _stocked_items(depot_id)]
    if form.validate_on_submit():
        try:
            count = services.open_count(depot_id, current_user, form.item_ids.data or None)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Count %(number)s opened: enter what you find.", number=count.document.number), "success")
            return redirect(url_for("stock.count", count_id=count.id))
    return render_template("stock/count_open.html", depot=depot, form=form)


def _stocked_items(depot_id: int):
    return list({lot.item_id: lot.item for lot in queries.list_depot_lots(depot_id)}.values())


@bp.route("/counts/<int:count_id>", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def count(count_id: int):
    stock_count = found(queries.get_count(count_id))
    actionable_depot(stock_count.depot_id)
    data = {"lines": [{"line_id": line.id, "counted": line.counted} for line in stock_count.lines]}
    form = RecordCountsForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.record_counts(count_id, form.to_counted(), current_user)
        except DomainError as error:
            attach_service_errors(form, error, line_id_field="line_id")
        else:
            flash(_("Counted quantities saved."), "success")
            return redirect(url_for("stock.count", count_id=count_id))
    return render_template("stock/count.html", count=stock_count, form=form,
                           rows=zip(stock_count.lines, form.lines), labels=labels)


def count_action(service, message: str):
    def view(count_id: int):
        stock_count = found(queries.get_count(count_id))
        try:
            service(count_id, current_user)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("stock.count", count_id=count_id))
        return to_voucher(stock_count.document, str(message) % {"number": stock_count.document.number})
    return view


bp.add_url_rule("/counts/<int:count_id>/approve", "approve_count", methods=["POST"],
                view_func=allow(*STOCK_KEEPERS)(count_action(services.approve_count, _l(
                    "Count %(number)s approved; differences are booked as adjustments."))))
bp.add_url_rule("/counts/<int:count_id>/cancel", "cancel_count", methods=["POST"],
                view_func=allow(*STOCK_KEEPERS)(count_action(services.cancel_count, _l("Count %(number)s cancelled."))))
