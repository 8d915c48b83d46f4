"""The settlement page: what carriers are owed per line, its totals, per carrier, the reconciliation with the
finished shipments, and finance recording a payment. The CSV and XLSX downloads are the API's (format=csv|xlsx)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from dispatch import labels
from dispatch.settlement import queries, services
from dispatch.settlement.forms import PayLinesForm, SettlementFilterForm
from dispatch.settlement.models import SettlementStatus

bp = Blueprint("settlement", __name__, template_folder="templates")
READERS = (Role.ADMIN, Role.FINANCE, Role.DISPATCHER)  # dispatchers read what their trips cost
PAYERS = (Role.ADMIN, Role.FINANCE)


@bp.route("/reports/settlement")
@allow(*READERS)
def settlement_report():
    return _render(_filter_form())


@bp.route("/reports/settlement/payments", methods=["POST"])
@allow(*PAYERS)
def pay():
    """Record one payment for the ticked lines; the page keeps its filters either way."""
    filter_form, form = _filter_form(), PayLinesForm()
    if form.validate_on_submit():
        try:
            paid = services.mark_paid(form.line_ids.data, current_user, form.reference.data,
                                      _paid_at(form.paid_on.data))
        except DomainError as error:
            _attach(form, error)
        else:
            flash(_("Payment %(reference)s recorded; lines paid: %(count)s.", count=len(paid),
                    reference=form.reference.data.strip()), "success")
            return redirect(url_for("settlement.settlement_report", **filter_form.query_values()))
    return _render(filter_form, form, status=422)


def _filter_form() -> SettlementFilterForm:
    form = SettlementFilterForm(formdata=request.args)
    form.set_choices(queries.list_settled_incidents(), queries.list_carriers())
    return form


def _render(filter_form: SettlementFilterForm, pay_form: PayLinesForm | None = None, status: int = 200):
    """The report for valid filters; with a bad filter only the form, each error beside its field (400)."""
    valid = filter_form.validate()
    report = queries.settlement_report(filter_form.filters()) if valid else None
    given = filter_form.query_values() if valid else {}
    downloads = {fmt: url_for("settlement_api.settlement_report", **given, format=fmt) for fmt in ("csv", "xlsx")}
    may_pay = current_user.role in PAYERS
    return render_template("settlement/report.html", form=filter_form, report=report, labels=labels,
                           pay_form=pay_form or PayLinesForm(formdata=None), may_pay=may_pay,
                           ticked=set((pay_form.line_ids.data or []) if pay_form else []),
                           pay_url=url_for("settlement.pay", **given), download_urls=downloads,
                           DUE=SettlementStatus.DUE, utc_offset=clock.utc_offset()), status if valid else 400


def _paid_at(day: date | None) -> datetime | None:
    """A payment made today is recorded as of now; one made on an earlier day, at that day's start."""
    if day is None or day == clock.today():
        return None
    return clock.start_of_day(day)


def _attach(form: PayLinesForm, error: DomainError) -> None:
    """A refusal about the lines (one already paid, one missing) stands beside the ticks; others beside theirs."""
    if error.fields:
        attach_service_errors(form, error, renames={"paid_at": "paid_on"})
    else:
        form.line_ids.errors = [*form.line_ids.errors, error.message]
