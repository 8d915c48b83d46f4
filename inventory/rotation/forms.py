"""Form shapes for the rotation pages; the rotation services keep the rules.

The draft form shows a few line rows and ignores the blank ones. The service numbers lines by their place
among the lines passed, so `filled_rows()` says which form row each passed line came from.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, FormField, IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from core.bounds import ID, MONEY_MAX, QUANTITY, QUANTITY_OR_ZERO, UNIT_MONEY, form_day, form_range
from core.forms import LineForm, LineList, LinesForm, entered, optional_int
from inventory.labels import ROTATION_ACTION_LABELS, choices
from inventory.rotation.models import ReplacementKind

REPLACEMENT_LABELS = {ReplacementKind.PURCHASE: _l("Buy new stock"),
                      ReplacementKind.REDUCTION: _l("Reduce the reserve")}
LINE_ROWS = 3


class PlanLineForm(LineForm):
    ENTERED = ("lot_id", "quantity", "counterparty", "destination_code", "replacement_quantity", "supplier",
               "reduction_reason")
    NEEDED = ("lot_id", "quantity")

    lot_id = SelectField(_l("Batch"), coerce=optional_int, choices=[])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), form_range(QUANTITY)])
    action = SelectField(_l("Action"), choices=choices(ROTATION_ACTION_LABELS))
    counterparty = StringField(_l("Buyer or receiving unit"), validators=[Optional(), Length(max=200)])
    destination_code = StringField(_l("Destination depot code"), validators=[Optional(), Length(max=32)])
    expected_unit_proceeds = DecimalField(_l("Expected proceeds per unit (CNY)"), places=2, validators=[
        Optional(), form_range(UNIT_MONEY)])
    replacement = SelectField(_l("Replacement"), choices=choices(REPLACEMENT_LABELS))
    replacement_quantity = IntegerField(_l("Replacement quantity"), validators=[
        Optional(), form_range(QUANTITY_OR_ZERO)])
    replacement_unit_cost = DecimalField(_l("Expected unit cost (CNY)"), places=2, validators=[
        Optional(), form_range(UNIT_MONEY)])
    supplier = StringField(_l("Supplier"), validators=[Optional(), Length(max=200)])
    reduction_reason = StringField(_l("Why not replaced"), validators=[Optional()])


class DraftRotationPlanForm(LinesForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    lines = LineList(FormField(PlanLineForm), min_entries=LINE_ROWS, max_entries=40)


class ExecuteLineForm(LineForm):
    ENTERED = ("out_quantity", "in_quantity")

    line_id = IntegerField(widget=HiddenInput(), validators=[Optional(), form_range(ID)])
    out_quantity = IntegerField(_l("Quantity that left"), validators=[Optional(), form_range(QUANTITY)])
    proceeds = DecimalField(_l("Proceeds received (CNY)"), places=2, validators=[
        Optional(), form_range((0, MONEY_MAX))])
    in_quantity = IntegerField(_l("Replacement arrived"), validators=[Optional(), form_range(QUANTITY)])
    batch_no = StringField(_l("New batch no."), validators=[Optional(), Length(max=40)])
    production_date = DateField(_l("Production date"), validators=[Optional(), form_day])
    unit_cost = DecimalField(_l("Unit cost (CNY)"), places=2, validators=[Optional(), form_range(UNIT_MONEY)])

    def check_needed(self) -> bool:
        """A replacement that arrived needs its batch number and cost; an outgoing quantity alone needs nothing."""
        if not entered(self.in_quantity):
            return True
        self.NEEDED = ("batch_no", "unit_cost")
        return super().check_needed()


class ExecuteRotationForm(LinesForm):
    lines = LineList(FormField(ExecuteLineForm), min_entries=0, max_entries=400)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.filled_rows():
            self.form_errors.append(_("Enter a quantity that left or a replacement that arrived."))
            return False
        return valid


class ActionForm(FlaskForm):
    """Approve and cancel carry nothing but the CSRF token."""
