"""The finance report pages: rotation costs, valuation at a date, the movement journal (CSV and XLSX beside), and
the accounting periods finance closes."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import clock, navigation
from core.auth import allow
from core.errors import DomainError
from core.models import Role
from core.pagination import Page
from inventory import labels
from inventory.network.queries import list_provinces
from inventory.reports import queries
from inventory.reports.forms import AsOfFilterForm, JournalFilterForm, PeriodFilterForm
from inventory.reports.queries import ReportFilters
from inventory.rotation.queries import plan_ids_by_number
from inventory.stock.services import periods as ledger_periods

bp = Blueprint("reports", __name__, template_folder="templates")
READERS = (Role.ADMIN, Role.FINANCE)


REPORTS_MENU = "reports"


def register_report(app: Flask, endpoint: str, label, roles) -> None:
    """A tab among the finance reports and a link in the header's Reports menu; other domains add theirs
    (dispatch: carriers' settlement)."""
    app.extensions.setdefault("finance_reports", []).append((endpoint, label, frozenset(roles)))
    navigation.add_link(app, endpoint, label, set(roles), menu=REPORTS_MENU)


def finance_reports() -> list[tuple[str, str]]:
    """The report tabs the signed-in reader may open, in the order they were registered."""
    return [(endpoint, label) for endpoint, label, roles in current_app.extensions.get("finance_reports", [])
            if current_user.is_authenticated and current_user.role in roles]


def _filter_form(form_class):
    """The filters from the query string; the date inputs show the period actually used."""
    form = form_class(formdata=request.args)
    form.province.choices = [("", _("All provinces"))] + [(r.code, r.name) for r in list_provinces()]
    form.validate()
    if hasattr(form, "period"):
        form.date_from.data, form.date_to.data = form.period()
    elif not form.as_of.data or form.as_of.errors:
        form.as_of.data = clock.today()
    return form


def _given(**params) -> dict:
    return {key: value for key, value in params.items() if value not in (None, "")}


def _download_urls(endpoint: str, **params) -> dict[str, str]:
    return {fmt: url_for(endpoint, **_given(**params), format=fmt) for fmt in ("csv", "xlsx")}


@bp.route("/reports/rotation")
@allow(*READERS)
def rotation_report():
    form = _filter_form(PeriodFilterForm)
    date_from, date_to = form.period()
    filters = form.filter_values()
    report = queries.rotation_report(date_from, date_to, ReportFilters(**filters))
    plan_ids = plan_ids_by_number([figures.plan for figures in report.plans])
    download_urls = _download_urls("reports_api.rotation_report", date_from=date_from, date_to=date_to, **filters)
    write_offs_csv = url_for("reports_api.rotation_report", **_given(date_from=date_from, date_to=date_to, **filters),
                             format="csv", table="write_offs")
    return render_template("reports/rotation.html", form=form, report=report, plan_ids=plan_ids,
                           period=(date_from, date_to), download_urls=download_urls, write_offs_csv=write_offs_csv)


@bp.route("/reports/valuation")
@allow(*READERS)
def valuation_report():
    form = _filter_form(AsOfFilterForm)
    as_of = form.as_of.data
    filters = form.filter_values()
    result = queries.valuation(as_of, ReportFilters(**filters))
    return render_template("reports/valuation.html", form=form, result=result, as_of=as_of,
                           labels=labels,
                           download_urls=_download_urls("reports_api.valuation_report", as_of=as_of, **filters))


@bp.route("/reports/journal")
@allow(*READERS)
def journal_report():
    form = _filter_form(JournalFilterForm)
    date_from, date_to = form.period()
    filters = form.filter_values()
    number, per_page = max(1, request.args.get("page", 1, type=int)), current_app.config["PAGE_SIZE"]
    rows, totals = queries.journal(date_from, date_to, ReportFilters(**filters), limit=per_page,
                                   offset=(number - 1) * per_page)
    return render_template("reports/journal.html", form=form, page=Page(rows, number, per_page,
                                                                                  totals["movements"]),
                           totals=totals, period=(date_from, date_to), labels=labels, utc_offset=clock.utc_offset(),
                           download_urls=_download_urls("reports_api.journal_report", date_from=date_from,
                                                    date_to=date_to, **filters))


@bp.route("/reports/periods")
@allow(*READERS)
def periods():
    return _periods_page()


@bp.route("/reports/periods/<period>/close", methods=["POST"])
@allow(*ledger_periods.CLOSERS)
def close_period(period: str):
    month = ledger_periods.parse_period(period)
    try:
        ledger_periods.close_period(month, current_user)
    except DomainError as error:  # the page again, saying why, with the refusal's own status
        flash(error.message, "error")
        return _periods_page(), error.status
    flash(_("The period %(period)s is closed: nothing can be dated in it or before it any more. Record corrections "
            "in the open period.", period=ledger_periods.label(month)), "success")
    return redirect(url_for("reports.periods"))


def _periods_page() -> str:
    return render_template("reports/periods.html", periods=queries.accounting_periods(),
                           may_close=current_user.role in ledger_periods.CLOSERS)
