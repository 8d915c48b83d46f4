"""Form shapes of the settlement page: its filters (read from the query string) and recording a payment."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.bounds import form_day
from dispatch.labels import MODE_LABELS, SETTLEMENT_STATUS_LABELS
from dispatch.settlement.queries import SettlementFilters
from dispatch.settlement.services import MAX_REFERENCE

REQUIRED = _l("This field is required.")
MAX_ID = 2_147_483_647


def _not_before_start(form, field) -> None:
    start = form.delivered_from.data
    if field.data and start and not form.delivered_from.errors and field.data < start:
        raise ValidationError(_("Must not be before the start of the period."))


def _line_ids_in_range(form, field) -> None:
    if any(not 1 <= line_id <= MAX_ID for line_id in field.data or ()):
        raise ValidationError(_("No such settlement line."))


def _choices(labels: dict) -> list[tuple[str, str]]:
    return [(code.value, label) for code, label in labels.items()]


class SettlementFilterForm(FlaskForm):
    """Read from the query string: GET filters need no CSRF token. The view fills the incident and carrier
    choices; a value that is not among them is an error beside its field."""

    class Meta:
        csrf = False

    delivered_from = DateField(_l("Delivered from"), validators=[Optional(), form_day])
    delivered_to = DateField(_l("Delivered up to"), validators=[Optional(), form_day, _not_before_start])
    incident_id = SelectField(_l("Incident"), choices=[], default="")
    carrier = SelectField(_l("Carrier"), choices=[], default="")
    mode = SelectField(_l("Mode"), choices=[("", _l("Every mode")), *_choices(MODE_LABELS)], default="")
    status = SelectField(_l("Status"), choices=[("", _l("Due and paid")), *_choices(SETTLEMENT_STATUS_LABELS)],
                         default="")

    def set_choices(self, incidents: list[tuple[int, str]], carriers: list[str]) -> None:
        self.incident_id.choices = [("", _("Every incident"))] + [(str(id_), title) for id_, title in incidents]
        self.carrier.choices = [("", _("Every carrier"))] + [(name, name) for name in carriers]

    def filters(self) -> SettlementFilters:
        """The filters as the queries take them (call after a successful validate)."""
        return SettlementFilters(self.delivered_from.data, self.delivered_to.data,
                                 int(self.incident_id.data) if self.incident_id.data else None,
                                 self.carrier.data or None, self.mode.data or None, self.status.data or None)

    def query_values(self) -> dict:
        """The filters as query parameters of the page, the downloads and the API (blank ones left out)."""
        values = {"delivered_from": self.delivered_from.data, "delivered_to": self.delivered_to.data,
                  "incident_id": self.incident_id.data, "carrier": self.carrier.data, "mode": self.mode.data,
                  "status": self.status.data}
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in values.items() if value not in (None, "")}


class PayLinesForm(FlaskForm):
    """Finance ticks the due lines a payment covers and gives its reference; settlement.mark_paid keeps the rules."""

    line_ids = SelectMultipleField(_l("Lines paid"), coerce=int, validate_choice=False,
                                   validators=[InputRequired(message=_l("Tick the lines this payment covers.")),
                                               _line_ids_in_range])
    reference = StringField(_l("Payment reference"), validators=[InputRequired(message=REQUIRED),
                                                                 Length(max=MAX_REFERENCE)])
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
