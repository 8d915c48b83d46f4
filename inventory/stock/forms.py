"""Form shapes for the clerk's stock pages; the services keep the business rules.

Multi-line forms show a few empty lines and ignore the ones left blank. The
services number lines by their place among the lines actually passed, so the
views keep `rows`: for each passed line, the form row it came from.
"""
from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FieldList,
    FileField,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from core import clock
from core.bounds import ID, QUANTITY, QUANTITY_OR_ZERO, UNIT_MONEY, bounded_int, form_day, form_range
from core.errors import DomainError, LinePath
from core.forms import REQUIRED, LineForm, LineList, LinesForm, attach_service_errors, optional_int
from inventory.labels import FUNDING_LABELS, OWNERSHIP_LABELS, choices
from inventory.network import queries as network_queries
from inventory.network.models import Item
from inventory.stock.services.picks import IssueLine, plan_line_picks
from inventory.stock.services.receipts import Receipt, ReceiptLine, line_problems
from inventory.stock.services.scraps import ScrapRequestLine
from inventory.stock.services.transfers import Arrival, ReceivedLine

LINE_ROWS = 5
MORE_THAN_ZERO = form_range(QUANTITY)
NOT_NEGATIVE = form_range(QUANTITY_OR_ZERO)
LINE_ID = [Optional(), form_range(ID)]
NEEDED, FILLED = InputRequired(message=REQUIRED), DataRequired(message=REQUIRED)


def not_in_future(_form, field) -> None:
    if field.data and field.data > clock.today():
        raise ValidationError(_("Cannot be in the future."))


def occurred_at(day: date | None) -> datetime | None:
    """A date the clerk gave as a moment: now for today, midday local time for a past day."""
    if day is None or day >= clock.today():
        return None
    return datetime.combine(day, time(12), tzinfo=clock.LOCAL_ZONE)


class ReceiptLineForm(LineForm):
    ENTERED = ("item_id", "quantity", "batch_no", "production_date", "expiry_date", "unit_cost", "holder", "donor",
               "donation_restriction")
    NEEDED = ("item_id", "quantity", "batch_no", "unit_cost")

    item_id = SelectField(_l("Item"), coerce=optional_int, choices=[])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), MORE_THAN_ZERO])
    unit = SelectField(_l("Unit"), choices=[], default="")
    batch_no = StringField(_l("Batch no."), validators=[Optional(), Length(max=40)])
    production_date = DateField(_l("Production date"), validators=[Optional(), form_day])
    expiry_date = DateField(_l("Expiry date"), validators=[Optional(), form_day])
    unit_cost = DecimalField(_l("Unit cost (CNY)"), places=2, validators=[Optional(), form_range(UNIT_MONEY)])
    funding_source = SelectField(_l("Funding"), choices=choices(FUNDING_LABELS))
    ownership = SelectField(_l("Ownership"), choices=choices(OWNERSHIP_LABELS))
    holder = StringField(_l("Holder"), validators=[Optional(), Length(max=200)])
    donor = StringField(_l("Donor"), validators=[Optional(), Length(max=200)])
    donation_restriction = StringField(_l("Restriction"), validators=[Optional()])


class ReceiveStockForm(LinesForm):
    supplier = StringField(_l("Supplier"), validators=[Optional(), Length(max=200)])
    occurred_on = DateField(_l("Received on"), validators=[Optional(), form_day, not_in_future],
                            description=_l("Leave empty for the current time."))
    reason = StringField(_l("Reason"), validators=[Optional()])
    lines = LineList(FormField(ReceiptLineForm), min_entries=LINE_ROWS, max_entries=40)
    items: dict[int, Item] = {}  # the catalog by id, for the rules that depend on the item (its shelf life, units)

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks and, on the same submit, every rule each filled line breaks by itself."""
        valid = super().validate(extra_validators)
        for row in self.filled_rows():
            line = self.lines[row].form
            problems = line_problems(_valid_part(line), self.items.get(line.item_id.data), LinePath(row))
            for problem in problems:
                for name, messages in problem.fields["lines"][row].items():
                    if not line[name].errors:  # a date that did not parse already says so
                        line[name].errors = list(messages)
                        valid = False
        return valid

    def to_receipt(self, depot_id: int) -> tuple[Receipt, list[int]]:
        rows = self.filled_rows()
        lines = [_receipt_line(self.lines[row].form) for row in rows]
        return Receipt(depot_id, lines, supplier=self.supplier.data or None, reason=self.reason.data or None,
                       occurred_at=occurred_at(self.occurred_on.data)), rows


class IssueLineForm(LineForm):
    ENTERED = ("item_id", "quantity", "lot_id")
    NEEDED = ("item_id", "quantity")

    item_id = SelectField(_l("Item"), coerce=optional_int, choices=[])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), MORE_THAN_ZERO])
    unit = SelectField(_l("Unit"), choices=[], default="")
    lot_id = SelectField(_l("Batch"), coerce=optional_int, choices=[])


def _receipt_line(line: ReceiptLineForm) -> ReceiptLine:
    return ReceiptLine(item_id=line.item_id.data, quantity=line.quantity.data, unit=line.unit.data or None,
                       batch_no=(line.batch_no.data or "").strip(), unit_cost=line.unit_cost.data,
                       funding_source=line.funding_source.data, ownership=line.ownership.data,
                       production_date=line.production_date.data, expiry_date=line.expiry_date.data,
                       holder=line.holder.data or None, donor=line.donor.data or None,
                       donation_restriction=line.donation_restriction.data or None)


def _valid_part(line: ReceiptLineForm) -> ReceiptLine:
    """The line as the rules read it, without a date its field refused (a year 9999 plus a shelf life overflows):
    that field already says what is wrong with it."""
    checked = _receipt_line(line)
    for name in ("production_date", "expiry_date"):
        if line[name].errors:
            setattr(checked, name, None)
    return checked


def _issue_lines(form: LinesForm, rows: list[int] | None = None) -> tuple[list[IssueLine], list[int]]:
    rows = form.filled_rows() if rows is None else rows
    lines = [IssueLine(item_id=form.lines[row].form.item_id.data, quantity=form.lines[row].form.quantity.data,
                       unit=form.lines[row].form.unit.data or None, lot_id=form.lines[row].form.lot_id.data)
             for row in rows]
    return lines, rows


class IssueLinesForm(LinesForm):
    """Lines taken out of `source` (an issue, a transfer). A form with errors of its own also asks the depot's
    stock, reading only, so that a line short of stock is said in the same round; a valid form goes to the
    service, which asks the same and writes."""

    source = None  # the depot the goods leave, set by the view

    def validate(self, extra_validators=None) -> bool:
        if super().validate(extra_validators):
            return True
        rows = [row for row in self.filled_rows() if _complete(self.lines[row].form)]
        if self.source is not None and rows:
            lines, rows = _issue_lines(self, rows)
            try:
                plan_line_picks(self.source, lines, self.present_at())
            except DomainError as error:
                attach_service_errors(self, error, rows, repeat_above=False)
        return False

    def present_at(self) -> datetime | None:
        return None

    def to_lines(self) -> tuple[list[IssueLine], list[int]]:
        return _issue_lines(self)


def _complete(line: IssueLineForm) -> bool:
    """A line the stock can be asked about: an item and a quantity, and nothing refused in it."""
    return line.item_id.data is not None and line.quantity.data is not None and not any(f.errors for f in line)


class IssueStockForm(IssueLinesForm):
    recipient = StringField(_l("Recipient"), validators=[DataRequired(message=_l("Name the recipient.")),
                                                         Length(max=200)])
    reason = StringField(_l("Reason"), validators=[Optional()])
    occurred_on = DateField(_l("Issued on"), validators=[Optional(), form_day, not_in_future])
    lines = LineList(FormField(IssueLineForm), min_entries=LINE_ROWS, max_entries=40)

    def present_at(self) -> datetime | None:
        return None if self.occurred_on.errors else occurred_at(self.occurred_on.data)


class DepotField(StringField):
    """A depot typed by its code, as "code — name" (what the picker offers) or by its full name.

    Once validated, `depot` is the depot meant; one nobody has is refused beside the field.
    """

    depot = None

    def pre_validate(self, form) -> None:
        self.depot = network_queries.find_depot(self.data) if (self.data or "").strip() else None
        if (self.data or "").strip() and self.depot is None:
            raise ValidationError(_("No depot has code %(code)s.", code=self.data.split(" — ", 1)[0].strip()))


PICK_A_DEPOT = _l("Type part of its code or name, then choose it.")


class DraftTransferForm(IssueLinesForm):
    destination = DepotField(_l("Destination depot"), validators=[FILLED, Length(max=300)], description=PICK_A_DEPOT)
    reason = StringField(_l("Reason"), validators=[Optional()])
    lines = LineList(FormField(IssueLineForm), min_entries=LINE_ROWS, max_entries=40)


class EditTransferForm(IssueLinesForm):
    lines = LineList(FormField(IssueLineForm), min_entries=LINE_ROWS, max_entries=400)


class EvacuateForm(FlaskForm):
    destination = DepotField(_l("Evacuate to depot"), validators=[FILLED, Length(max=300)], description=PICK_A_DEPOT)


class ReceivedLineForm(LineForm):
    line_id = IntegerField(widget=HiddenInput(), validators=LINE_ID)
    received = IntegerField(_l("Received"), validators=[NEEDED, NOT_NEGATIVE])
    damaged = IntegerField(_l("Damaged"), default=0, validators=[
        Optional(), NOT_NEGATIVE])
    note = StringField(_l("Note"), validators=[Optional()])


class ReceiveTransferForm(FlaskForm):
    lines = FieldList(FormField(ReceivedLineForm))

    def to_arrival(self) -> Arrival:
        return Arrival([ReceivedLine(int(e.form.line_id.data), e.form.received.data, e.form.damaged.data or 0,
                                     e.form.note.data or None) for e in self.lines])


class ResolveDiscrepancyForm(FlaskForm):
    recovered = IntegerField(_l("Recovered"), default=0, validators=[
        NEEDED, NOT_NEGATIVE])
    note = StringField(_l("Note"), validators=[Optional()])


class OpenCountForm(FlaskForm):
    item_ids = SelectMultipleField(_l("Only these items (none: everything in stock)"), coerce=bounded_int, choices=[])


class CountedLineForm(LineForm):
    line_id = IntegerField(widget=HiddenInput(), validators=LINE_ID)
    counted = IntegerField(_l("Counted"), validators=[Optional(), NOT_NEGATIVE])


class RecordCountsForm(FlaskForm):
    lines = FieldList(FormField(CountedLineForm))

    def to_counted(self) -> dict[int, int]:
        return {int(e.form.line_id.data): e.form.counted.data for e in self.lines if e.form.counted.data is not None}


class ScrapLineForm(LineForm):
    ENTERED = ("lot_id", "quantity")
    NEEDED = ("lot_id", "quantity")

    lot_id = SelectField(_l("Batch"), coerce=optional_int, choices=[])
    quantity = IntegerField(_l("Quantity (base units)"), validators=[
        Optional(), MORE_THAN_ZERO])


class RequestScrapForm(LinesForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason."))])
    lines = LineList(FormField(ScrapLineForm), min_entries=LINE_ROWS, max_entries=40)

    def to_lines(self) -> tuple[list[ScrapRequestLine], list[int]]:
        rows = self.filled_rows()
        return [ScrapRequestLine(self.lines[r].form.lot_id.data, self.lines[r].form.quantity.data) for r in rows], rows


class ReverseMovementForm(FlaskForm):
    reason = TextAreaField(_l("Why is it reversed?"), validators=[DataRequired(message=_l("Give a reason."))])


class SetQuotaForm(FlaskForm):
    item_id = SelectField(_l("Item"), coerce=optional_int, choices=[], validators=[NEEDED])
    target = IntegerField(_l("Target"), validators=[NEEDED, NOT_NEGATIVE])
    minimum = IntegerField(_l("Minimum"), validators=[NEEDED, NOT_NEGATIVE])


class ImportReceiptsForm(FlaskForm):
    file = FileField(_l("CSV or Excel file (.csv, .xlsx)"))

    def validate_file(self, field) -> None:
        name = getattr(field.data, "filename", "") or ""
        if not name:
            raise ValidationError(_("Choose a file."))
        if not name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Only .csv and .xlsx files."))
