"""HTML pages for the network and the catalog. Views parse, call one service, render."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.auth import allow
from core.errors import DomainError
from core.forms import attach_service_errors
from core.models import Role
from inventory import labels
from inventory.network import queries, services
from inventory.network.forms import AssignClerkForm, DepotForm, ItemForm
from inventory.network.models import DepotLevel, DepotStatus, ItemCategory

bp = Blueprint("network", __name__, template_folder="templates")


@bp.route("/depots")
@allow()
def depots():
    filters = _depot_filters()
    page = queries.list_depots(page=request.args.get("page", 1, type=int),
                               per_page=current_app.config["PAGE_SIZE"], **filters)
    province = filters["region_code"][:2] + "0000" if filters["region_code"] else None
    return render_template("network/depots.html", page=page, filters=filters, labels=labels,
                           provinces=queries.list_provinces(),
                           prefectures=queries.list_children(province) if province else [],
                           selected_province=province)


def _depot_filters() -> dict:
    """Read the list filters, ignoring values that are not ours (a stale bookmark must not fail)."""
    level = request.args.get("level") or None
    status = request.args.get("status") or None
    region_code = request.args.get("prefecture") or request.args.get("province") or request.args.get("region") or None
    return {
        "level": level if level in DepotLevel._value2member_map_ else None,
        "status": status if status in DepotStatus._value2member_map_ else None,
        "region_code": region_code if region_code and region_code.isdigit() and len(region_code) == 6 else None,
        "q": (request.args.get("q") or "").strip() or None,
    }


@bp.route("/depots/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_depot():
    form = DepotForm()
    if form.validate_on_submit():
        try:
            depot = services.create_depot(form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Depot %(code)s created.", code=depot.code), "success")
            return redirect(url_for("network.depot", depot_id=depot.id))
    return render_template("network/depot_form.html", form=form, depot=None)


@bp.route("/depots/<int:depot_id>")
@allow()
def depot(depot_id: int):
    depot = queries.get_depot(depot_id)
    radius = current_app.config["NEIGHBOUR_RADIUS_KM"]
    return render_template("network/depot.html", depot=depot, labels=labels, radius=radius,
                           neighbours=queries.list_neighbours(depot, radius), clerk_form=AssignClerkForm())


@bp.route("/depots/<int:depot_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_depot(depot_id: int):
    depot = queries.get_depot(depot_id)
    form = DepotForm(obj=depot, region_code=depot.region.code)
    if form.validate_on_submit():
        try:
            services.update_depot(depot_id, form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Depot %(code)s saved.", code=form.code.data), "success")
            return redirect(url_for("network.depot", depot_id=depot_id))
    return render_template("network/depot_form.html", form=form, depot=depot)


@bp.route("/depots/<int:depot_id>/close", methods=["POST"])
@allow(Role.ADMIN)
def close_depot(depot_id: int):
    depot = services.close_depot(depot_id, actor=current_user)
    flash(_("Depot %(code)s closed.", code=depot.code), "success")
    return redirect(url_for("network.depot", depot_id=depot_id))


@bp.route("/depots/<int:depot_id>/clerks", methods=["POST"])
@allow(Role.ADMIN)
def assign_clerk(depot_id: int):
    form = AssignClerkForm()
    if form.validate_on_submit():
        try:
            services.assign_clerk(depot_id, form.username.data, actor=current_user)
            flash(_("%(username)s can now act at this depot.", username=form.username.data), "success")
        except DomainError as error:
            flash(" ".join(sum(error.fields.values(), [])) or error.message, "error")
    return redirect(url_for("network.depot", depot_id=depot_id))


@bp.route("/depots/<int:depot_id>/clerks/<int:user_id>/remove", methods=["POST"])
@allow(Role.ADMIN)
def unassign_clerk(depot_id: int, user_id: int):
    services.unassign_clerk(depot_id, user_id, actor=current_user)
    flash(_("Clerk removed from this depot."), "success")
    return redirect(url_for("network.depot", depot_id=depot_id))


@bp.route("/items")
@allow()
def items():
    category = request.args.get("category") or None
    category = category if category in ItemCategory._value2member_map_ else None
    q = (request.args.get("q") or "").strip() or None
    page = queries.list_items(page=request.args.get("page", 1, type=int),
                              per_page=current_app.config["PAGE_SIZE"], category=category, q=q)
    return render_template("network/items.html", page=page, category=category, q=q, labels=labels)


@bp.route("/items/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_item():
    form = ItemForm()
    if form.validate_on_submit():
        try:
            item = services.create_item(form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Item %(code)s added to the catalog.", code=item.code), "success")
            return redirect(url_for("network.items"))
    return render_template("network/item_form.html", form=form, item=None)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_item(item_id: int):
    item = queries.get_item(item_id)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        try:
            services.update_item(item_id, form.to_data(), actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("Item %(code)s saved.", code=form.code.data), "success")
            return redirect(url_for("network.items"))
    return render_template("network/item_form.html", form=form, item=item)

