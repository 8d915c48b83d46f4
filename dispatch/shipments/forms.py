"""Form shapes of the shipment pages; the shipment services keep the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from core.bounds import ID, QUANTITY_OR_ZERO, form_range
from core.forms import LineForm
from dispatch.labels import REJECT_REASON_LABELS
from dispatch.shipments.services import ReceivedLine, StopReceipt, VehicleDetails

REQUIRED = _l("This field is required.")


class VehicleForm(FlaskForm):
    """What the waybill names about the vehicle; loading and dispatching both post it."""

    carrier = StringField(_l("Carrier"), validators=[Optional(), Length(max=200)])
    vehicle = StringField(_l("Vehicle, train or flight"), validators=[Optional(), Length(max=120)])
    plate = StringField(_l("Plate"), validators=[Optional(), Length(max=20)])
    driver_name = StringField(_l("Driver"), validators=[Optional(), Length(max=80)])
    driver_phone = StringField(_l("Driver's phone"), validators=[Optional(), Length(max=40)])

    def details(self) -> VehicleDetails:
        """What was filled in; a field left blank keeps what the waybill already says."""
        return VehicleDetails(*((self[name].data or "").strip() or None for name in (
            "carrier", "vehicle", "plate", "driver_name", "driver_phone")))


class ReceiveLineForm(LineForm):
    line_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), form_range(ID)])
    accepted = IntegerField(_l("Accepted"), validators=[InputRequired(message=REQUIRED),
                                                        form_range(QUANTITY_OR_ZERO)])
    # The service checks the reason (and needs one only when something is rejected).
    reason = SelectField(_l("Why rejected"), validate_choice=False, choices=[("", "—")] + [
        (reason.value, label) for reason, label in REJECT_REASON_LABELS.items()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])


class ReceiveForm(FlaskForm):
    stop_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), form_range(ID)])
    signed_by = StringField(_l("Signed for by"), validators=[InputRequired(message=REQUIRED), Length(max=80)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    lines = FieldList(FormField(ReceiveLineForm), max_entries=2000)

    def receipt(self) -> StopReceipt:
        lines = [ReceivedLine(entry.line_id.data, entry.accepted.data, None, entry.reason.data or None,
                              entry.note.data) for entry in (row.form for row in self.lines)]
        return StopReceipt(lines, self.stop_id.data, self.signed_by.data, self.note.data)


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[InputRequired(message=REQUIRED), Length(max=1000)])
