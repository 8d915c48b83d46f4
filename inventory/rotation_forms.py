"""Form shapes for the rotation pages and the report filters; the rotation services keep the rules.

The draft form shows a few line rows and ignores the blank ones. The service numbers lines by their place
among the lines passed, so `filled_rows()` says which form row each passed line came from.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, FormField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from core import clock
from core.forms import LineForm, LineList, LinesForm, entered, optional_int
from inventory.labels import CATEGORY_LABELS, DEPOT_LEVEL_LABELS, FUNDING_LABELS, ROTATION_ACTION_LABELS, choices
from inventory.models import ReplacementKind

REPLACEMENT_LABELS = {ReplacementKind.PURCHASE: _l("Buy new stock"),
                      ReplacementKind.REDUCTION: _l("Reduce the reserve")}
FUNDING_CHOICES = choices(FUNDING_LABELS)
LINE_ROWS = 3


class PlanLineForm(LineForm):
    ENTERED = ("lot_id", "quantity", "counterparty", "destination_code", "replacement_quantity", "supplier",
               "reduction_reason")
    NEEDED = ("lot_id", "quantity")

    lot_id = SelectField(_l("Batch"), coerce=optional_int, choices=[])
    quantity = IntegerField(_l("Quantity"), validators=[
        Optional(), NumberRange(min=1, message=_l("Must be more than 0."))])
    action = SelectField(_l("Action"), choices=choices(ROTATION_ACTION_LABELS))
    counterparty = StringField(_l("Buyer or receiving unit"), validators=[Optional(), Length(max=200)])
    destination_code = StringField(_l("Destination depot code"), validators=[Optional(), Length(max=32)])
    expected_unit_proceeds = DecimalField(_l("Expected proceeds per unit (CNY)"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("Cannot be negative."))])
    replacement = SelectField(_l("Replacement"), choices=choices(REPLACEMENT_LABELS))
    replacement_quantity = IntegerField(_l("Replacement quantity"), validators=[
        Optional(), NumberRange(min=0, message=_l("Cannot be negative."))])
    replacement_unit_cost = DecimalField(_l("Expected unit cost (CNY)"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("Cannot be negative."))])
    supplier = StringField(_l("Supplier"), validators=[Optional(), Length(max=200)])
    reduction_reason = StringField(_l("Why not replaced"), validators=[Optional()])


class DraftRotationPlanForm(LinesForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    lines = LineList(FormField(PlanLineForm), min_entries=LINE_ROWS, max_entries=40)


class ExecuteLineForm(LineForm):
    ENTERED = ("out_quantity", "in_quantity")

    line_id = HiddenField()
    out_quantity = IntegerField(_l("Quantity that left"), validators=[
        Optional(), NumberRange(min=1, message=_l("Must be more than 0."))])
    proceeds = DecimalField(_l("Proceeds received (CNY)"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("Cannot be negative."))])
    in_quantity = IntegerField(_l("Replacement arrived"), validators=[
        Optional(), NumberRange(min=1, message=_l("Must be more than 0."))])
    batch_no = StringField(_l("New batch no."), validators=[Optional(), Length(max=40)])
    production_date = DateField(_l("Production date"), validators=[Optional()])
    unit_cost = DecimalField(_l("Unit cost (CNY)"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("Cannot be negative."))])

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


def _not_before(start_field: str):
    def check(form, field) -> None:
        start = form[start_field].data
        if field.data and start and field.data < start:
            raise ValidationError(_("Must not be before the start of the period."))
    return check


class _ReportFilterForm(FlaskForm):
    """Read from the query string: GET filters need no CSRF token."""

    class Meta:
        csrf = False

    level = SelectField(_l("Level"), choices=[("", _l("All levels")), *choices(DEPOT_LEVEL_LABELS)], default="")
    province = SelectField(_l("Province"), choices=[], default="", validate_choice=False)
    funding_source = SelectField(_l("Funding"), choices=[("", _l("Any funding")), *FUNDING_CHOICES], default="")
    category = SelectField(_l("Category"), choices=[("", _l("All categories")), *choices(CATEGORY_LABELS)], default="")

    def filter_values(self) -> dict:
        """Filters as the API and ReportFilters name them; values that failed validation are dropped."""
        def value(field):
            return field.data or None if not field.errors else None
        province = value(self.province)
        return {"level": value(self.level), "region_code": province if province and province.isdigit() else None,
                "funding_source": value(self.funding_source), "category": value(self.category)}


class PeriodFilterForm(_ReportFilterForm):
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional(), _not_before("date_from")])

    def period(self) -> tuple[date, date]:
        today = clock.today()
        start = self.date_from.data if not self.date_from.errors and self.date_from.data else today.replace(day=1,
                                                                                                            month=1)
        end = self.date_to.data if not self.date_to.errors and self.date_to.data else today
        return start, max(start, end)


class AsOfFilterForm(_ReportFilterForm):
    as_of = DateField(_l("Value at the end of"), validators=[Optional()])
