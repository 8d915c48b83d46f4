"""Reading stock: the depot dashboard (with its quota form), vouchers, history and reversal, registers."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import charts
from core.access import STOCK_KEEPERS, can_act_at, ensure_can_see, visible_depot_ids
from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from core.pagination import paginate
from core.templating import format_number
from inventory import labels
from inventory.network import queries as network_queries
from inventory.network import services as network_services
from inventory.network.models import DepotLevel
from inventory.stock import queries, services
from inventory.stock.forms import (
    EvacuateForm,
    ReceiveTransferForm,
    ResolveDiscrepancyForm,
    ReverseMovementForm,
    SetQuotaForm,
)
from inventory.stock.models import Document, DocumentKind, Movement, MovementKind, ScrapRequest, StockCount, Transfer
from inventory.stock.queries import DOCUMENT_TITLES
from inventory.stock.services.reversals import REVERSIBLE
from inventory.stock.views import bp
from inventory.stock.views.helpers import (
    actionable_depot,
    date_arg,
    found,
    item_choices,
    to_voucher,
    viewable_depot,
)

SUBJECT_KINDS = {Transfer: "transfer", StockCount: "count", ScrapRequest: "scrap"}
# Vouchers whose lines add and take away: their lines are shown signed and their total is the net change.
SIGNED_VOUCHERS = {DocumentKind.COUNT, DocumentKind.REVERSAL, DocumentKind.SHIPMENT}


@bp.route("/depots/<int:depot_id>/stock")
@allow()
def dashboard(depot_id: int):
    depot = viewable_depot(depot_id)
    return render_dashboard(depot, SetQuotaForm(formdata=None))


def render_dashboard(depot, quota_form: SetQuotaForm, evacuate_form: EvacuateForm | None = None, status: int = 200):
    as_of = date_arg("as_of")
    stock = queries.depot_stock_as_of(depot.id, as_of) if as_of else queries.depot_stock(depot.id)
    quota_form.item_id.choices = item_choices()
    can_act = can_act_at(current_user, depot.id)
    profile = queries.expiry_profile(stock)
    chart = charts.bar_chart([(str(labels.EXPIRY_BAND_LABELS[band.key]), band.value, format_number(band.value, 2))
                              for band in profile], label_width=130)
    evacuate_form = evacuate_form or EvacuateForm(formdata=None)
    return render_template("stock/dashboard.html", depot=depot, stock=stock, as_of=as_of,
                           expiry=profile, expiry_chart=chart,
                           can_act=can_act, quota_form=quota_form, evacuate_form=evacuate_form,
                           work=queries.list_open_work(depot.id), labels=labels,
                           reservations=[] if as_of else queries.depot_reservations(depot.id)), status


@bp.route("/depots/<int:depot_id>/quotas", methods=["POST"])
@allow(Role.ADMIN)
def set_quota(depot_id: int):
    depot = network_queries.get_depot(depot_id)
    form = SetQuotaForm()
    form.item_id.choices = item_choices()
    if form.validate_on_submit():
        try:
            network_services.set_quota(depot_id, form.item_id.data, form.target.data, form.minimum.data,
                                      actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Quota saved."), "success")
            return redirect(url_for("stock.dashboard", depot_id=depot_id))
    return render_dashboard(depot, form, status=422)


@bp.route("/documents/<int:document_id>")
@allow()
def document(document_id: int):
    return render_document(found(queries.get_document(document_id)))


def render_document(document: Document, receive_form=None, resolve_forms=None, status: int = 200):
    subject = queries.document_subject(document.id)
    _check_document_scope(document, subject)
    subject_kind = SUBJECT_KINDS.get(type(subject))
    if receive_form is None and subject_kind == "transfer":
        receive_form = ReceiveTransferForm(formdata=None, data={"lines": [
            {"line_id": line.id, "received": line.quantity, "damaged": 0} for line in subject.lines]})
    movements = queries.document_movements(document.id)
    return render_template("stock/document.html", document=document, subject=subject,
                           subject_link=queries.document_link(document),
                           subject_kind=subject_kind, title=DOCUMENT_TITLES[document.kind], movements=movements,
                           total=voucher_total(document.kind, movements), signed=document.kind in SIGNED_VOUCHERS,
                           receive_form=receive_form, resolve_forms=resolve_forms or {},
                           new_resolve_form=lambda d_id: ResolveDiscrepancyForm(formdata=None, prefix=f"d{d_id}"),
                           can_act=lambda depot_id: can_act_at(current_user, depot_id),
                           labels=labels), status


def voucher_total(kind: DocumentKind, movements: list[Movement]):
    """The voucher's value. A transfer's goods count once, as they left the source: the same goods going onto the
    road, off it and into the destination are further lines of the voucher but no further value."""
    if kind == DocumentKind.TRANSFER:
        movements = [m for m in movements if m.kind == MovementKind.TRANSFER_OUT]
    if kind in SIGNED_VOUCHERS:
        return sum((m.quantity * m.unit_cost for m in movements), 0)
    return sum((abs(m.quantity) * m.unit_cost for m in movements), 0)


def _check_document_scope(document: Document, subject) -> None:
    """A clerk reads the documents of their depots, and a transfer's at either end."""
    destination = getattr(subject, "destination", None)
    ensure_can_see(current_user, document.depot, *([destination] if destination is not None else []))


@bp.route("/depots/<int:depot_id>/movements")
@allow()
def movements(depot_id: int):
    depot = viewable_depot(depot_id)
    filters = _movement_filters()
    page = queries.list_movements(page=request.args.get("page", 1, type=int),
                                  per_page=current_app.config["PAGE_SIZE"], depot_id=depot_id, **filters)
    reversed_ids = queries.reversed_ids([m.id for m in page.items])
    reversible = {m.id for m in page.items if m.kind in REVERSIBLE and m.id not in reversed_ids}
    return render_template("stock/movements.html", depot=depot, page=page, filters=filters,
                           items=queries.list_item_options(), labels=labels, reversible=reversible,
                           reversed_ids=reversed_ids, can_act=can_act_at(current_user, depot_id))


def _movement_filters() -> dict:
    """Read the history filters, ignoring values that are not ours."""
    kind = request.args.get("kind") or None
    return {"item_id": request.args.get("item", type=int),
            "kind": kind if kind in MovementKind._value2member_map_ else None,
            "date_from": date_arg("from"), "date_to": date_arg("to")}




@bp.route("/movements/<int:movement_id>/reverse", methods=["GET", "POST"])
@allow(*STOCK_KEEPERS)
def reverse_movement(movement_id: int):
    movement = found(queries.get_movement(movement_id))
    actionable_depot(movement.depot_id)
    form = ReverseMovementForm()
    if form.validate_on_submit():
        try:
            reversal = services.reverse_movement(movement_id, current_user, form.reason.data)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            return to_voucher(reversal, _("Reversal %(number)s recorded.", number=reversal.number))
    return render_template("stock/reverse.html", movement=movement, form=form, labels=labels)


@bp.route("/donations")
@allow()
def donations():
    donor = (request.args.get("donor") or "").strip() or None
    page = paginate(queries.donations_statement(donor, visible_depot_ids(current_user)),
                    request.args.get("page", 1, type=int),
                    current_app.config["PAGE_SIZE"])
    lot_ids = [lot.id for lot in page.items]
    return render_template("stock/donations.html", page=page, donor=donor,
                           received=queries.received_by_lot(lot_ids), outgoing=queries.outgoing_by_lot(lot_ids),
                           labels=labels)


@bp.route("/quotas/shortfalls")
@allow(Role.ADMIN, Role.DISPATCHER)
def shortfalls():
    level = request.args.get("level") or None
    level = level if level in DepotLevel._value2member_map_ else None
    province = request.args.get("province") or None
    province = province if province and province.isdigit() and len(province) == 6 else None
    item_id = request.args.get("item", type=int)
    page = queries.list_shortfalls(level=level, region_code=province, item_id=item_id,
                                   page=request.args.get("page", 1, type=int),
                                   per_page=current_app.config["PAGE_SIZE"])
    return render_template("stock/shortfalls.html", page=page, level=level, province=province,
                           item_id=item_id, provinces=network_queries.list_provinces(),
                           items=queries.list_item_options(),
                           labels=labels)
