"""Form shapes of the demand pages: the editable demand table, the estimate controls, the incident's norms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from core import bounds
from core.bounds import form_day, form_range
from core.forms import LineForm, LineList, LinesForm, optional_int
from dispatch.demand.services import DemandLineRequest, NormChange, Phasing
from dispatch.incidents.forms import LOCAL_MINUTE, aware

QUANTITY = form_range(bounds.QUANTITY_OR_ZERO)
BLANK_ROWS = 8


class DemandLineForm(LineForm):
    """A line counts when it has a quantity; an empty (or zero) quantity drops it."""

    ENTERED = ("quantity",)
    NEEDED = ("area_id", "item_id", "quantity")

    area_id = SelectField(_l("Area"), coerce=optional_int, choices=[])
    item_id = SelectField(_l("Item"), coerce=optional_int, choices=[])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), QUANTITY])
    due_at = DateTimeLocalField(_l("Due (local time)"), format=LOCAL_MINUTE, validators=[Optional(), form_day])
    tail_quantity = IntegerField(_l("Of which later"), validators=[Optional(), QUANTITY])
    tail_due_at = DateTimeLocalField(_l("Later part due"), format=LOCAL_MINUTE, validators=[Optional(), form_day])

    def is_blank(self) -> bool:
        return super().is_blank() or self.quantity.data == 0


class DemandForm(LinesForm):
    note = StringField(_l("What changed"), validators=[Optional(), Length(max=500)])
    lines = LineList(FormField(DemandLineForm), min_entries=BLANK_ROWS, max_entries=10_000)

    def to_lines(self) -> tuple[list[DemandLineRequest], list[int]]:
        rows = self.filled_rows()
        return [_line(self.lines[row].form) for row in rows], rows


def _line(form: DemandLineForm) -> DemandLineRequest:
    return DemandLineRequest(area_id=form.area_id.data, item_id=form.item_id.data, quantity=form.quantity.data,
                             due_at=aware(form.due_at.data), tail_quantity=form.tail_quantity.data or 0,
                             tail_due_at=aware(form.tail_due_at.data))


class EstimateForm(FlaskForm):
    """Read from the query string: estimating writes nothing until the table is saved."""

    class Meta:
        csrf = False

    peak_share = DecimalField(_l("Share due by the deadline (%)"), places=0, validators=[
        Optional(), NumberRange(min=1, max=100, message=_l("Between 1 and 100."))])
    tail_hours = IntegerField(_l("The rest due after (hours)"), validators=[
        Optional(), NumberRange(min=1, max=720, message=_l("Between 1 and 720."))])

    def phasing(self) -> Phasing | None:
        if self.peak_share.data is None or self.tail_hours.data is None or self.peak_share.data >= 100:
            return None
        return Phasing(self.peak_share.data / 100, self.tail_hours.data)


class NormForm(LineForm):
    item_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(), form_range(bounds.ID)])
    per_person = DecimalField(_l("Per person"), places=4, validators=[
        InputRequired(), NumberRange(min=0, max=1000, message=_l("Between 0 and 1000."))])
    per_day = BooleanField(_l("Each day"))
    days_of_cover = IntegerField(_l("Days of cover"), validators=[
        InputRequired(), NumberRange(min=1, max=90, message=_l("Between 1 and 90."))])
    basic_living = BooleanField(_l("Basic living"))


class NormsForm(FlaskForm):
    lines = FieldList(FormField(NormForm))

    def to_changes(self) -> list[NormChange]:
        return [NormChange(int(e.form.item_id.data), e.form.per_person.data, e.form.per_day.data,
                           e.form.days_of_cover.data, e.form.basic_living.data) for e in self.lines]
