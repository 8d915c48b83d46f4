"""The audit log page for administrators: filters, one page of entries with their changes, CSV and XLSX."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from core import clock
from core.audit import queries
from core.audit.forms import AuditFilterForm
from core.audit.labels import ACTION_LABELS, SOURCE_LABELS
from core.auth import allow
from core.exports import table_response
from core.models import Role

bp = Blueprint("audit", __name__, template_folder="templates")
FORMATS = ("csv", "xlsx")


@bp.route("/admin/audit")
@allow(Role.ADMIN)
def audit_log():
    form = _filter_form()
    filters = form.filters()
    if request.args.get("format") in FORMATS:
        return _download(filters, request.args["format"])
    page = queries.list_entries(filters, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    return render_template("audit/log.html", form=form, page=page, subjects=queries.audited_subjects(),
                           actions=ACTION_LABELS, sources=SOURCE_LABELS, changes_of=queries.changes_of, shown=_value,
                           download_args={key: value for key, value in request.args.items() if key != "page"})


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    form.subject.choices = [("", _("Any record")), *((name, str(label))
                                                     for name, label in queries.audited_subjects().items())]
    form.validate()
    return form


def _download(filters, fmt: str):
    subjects = queries.audited_subjects()
    headers = [_("Time"), _("Who"), _("From"), _("Token"), _("Action"), _("Record"), _("Id"), _("Reference"),
               _("Changes")]
    rows = [[clock.local_iso(entry.at), entry.actor_name, str(SOURCE_LABELS[entry.source]) + (
             f" {entry.address}" if entry.address else ""), entry.token_name or "", str(ACTION_LABELS[entry.action]),
             str(subjects.get(entry.subject, entry.subject)), entry.subject_id or "", entry.reference or "",
             changes_text(queries.changes_of(entry))] for entry in queries.export_entries(filters)]
    return table_response("audit-log", headers, rows, fmt, title=_("Audit log"))


def changes_text(changes: dict) -> str:
    """field: before → after; …, as a spreadsheet cell holds it."""
    return "; ".join(f"{field}: {_value(before)} → {_value(after)}" for field, (before, after) in changes.items())


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    return "—" if value is None else str(value)
