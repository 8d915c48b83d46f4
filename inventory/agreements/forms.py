"""Form shapes for capacity agreements; the rules themselves live in services.agreements."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.bounds import HOURS, ID, QUANTITY, UNIT_MONEY, form_day, form_range
from inventory.network.forms import PlaceFields


class AgreementForm(PlaceFields, FlaskForm):
    enterprise_name = StringField(_l("Enterprise"), validators=[DataRequired(), Length(max=200)])
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=80)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    item_id = SelectField(_l("Item"), coerce=int, validate_choice=False, validators=[form_range(ID)])
    daily_capacity = IntegerField(_l("Daily capacity (base units per day)"), validators=[InputRequired(),
                                                                                            form_range(QUANTITY)])
    lead_time_hours = IntegerField(_l("Activation lead time (hours)"), validators=[InputRequired(), form_range(HOURS)])
    max_quantity = IntegerField(_l("Maximum quantity under the agreement"), validators=[InputRequired(),
                                                                                        form_range(QUANTITY)])
    unit_price = DecimalField(_l("Agreed unit price (CNY)"), places=2, validators=[InputRequired(),
                                                                                  form_range(UNIT_MONEY)])
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(), form_day])
    valid_to = DateField(_l("Valid to"), validators=[InputRequired(), form_day])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])

    def to_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        for axis in ("latitude", "longitude"):
            data[axis] = float(data[axis]) if data[axis] is not None else None
        for name in ("contact_person", "phone", "notes"):
            data[name] = (data[name] or "").strip() or None
        return data


class StatusForm(FlaskForm):
    """The suspend and reactivate buttons: only the CSRF token."""


ORDERED = form_range(QUANTITY)


class ActivateForm(FlaskForm):
    """Call on the agreement outside a relief plan (a plan's approval activates its own agreements)."""

    quantity = IntegerField(_l("Quantity to order"), validators=[InputRequired(), ORDERED])
    requested_for = StringField(_l("For"), validators=[DataRequired(), Length(max=200)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class OutputForm(FlaskForm):
    """Output received against an activation outside a relief shipment."""

    # Laid out by hand in the template, beside each activation.
    activation_id = IntegerField(validators=[InputRequired(), form_range(ID)])
    quantity = IntegerField(_l("Quantity received"), validators=[InputRequired(), ORDERED])
    received_at = DateTimeLocalField(_l("Received at"), format="%Y-%m-%dT%H:%M",
                                     validators=[Optional(), form_day])
    reference = StringField(_l("Delivery note"), validators=[Optional(), Length(max=80)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
