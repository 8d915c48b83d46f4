"""The inbox page, and the count beside the header's Inbox link."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from core.access import STOCK_KEEPERS
from core.auth import allow
from inventory import labels
from inventory.approvals import queries
from inventory.approvals.queries import Waiting, WaitingKind

bp = Blueprint("approvals", __name__, template_folder="templates")


@bp.route("/inbox")
@allow(*STOCK_KEEPERS)
def inbox():
    kind, depot_id = _filters()
    page = queries.list_waiting(current_user, kind=kind, depot_id=depot_id,
                                page=request.args.get("page", 1, type=int),
                                per_page=current_app.config["PAGE_SIZE"])
    return render_template("approvals/inbox.html", page=page, kind=kind, depot_id=depot_id,
                           counts=queries.count_by_kind(current_user, depot_id=depot_id),
                           depots=queries.waiting_depots(current_user), labels=labels, link=waiting_link)


def _filters() -> tuple[WaitingKind | None, int | None]:
    """The kind and depot filters; a value that is not ours shows everything (a stale bookmark must not fail)."""
    kind = request.args.get("kind")
    depot_id = request.args.get("depot", type=int)
    return (WaitingKind(kind) if kind in WaitingKind._value2member_map_ else None,
            depot_id if depot_id and 0 < depot_id < 2**31 else None)


def waiting_link(waiting: Waiting) -> str:
    """Where the user signs it: the count sheet, the rotation plan, or the voucher of a transfer or scrap."""
    if waiting.kind == WaitingKind.COUNT:
        return url_for("stock.count", count_id=waiting.subject_id)
    if waiting.kind == WaitingKind.ROTATION_PLAN:
        return url_for("rotation.plan", plan_id=waiting.subject_id)
    return url_for("stock.document", document_id=waiting.document_id)


def inbox_badge() -> int | None:
    """The number beside the header's Inbox link: None (no number) when nothing waits."""
    return queries.count_waiting(current_user) or None
