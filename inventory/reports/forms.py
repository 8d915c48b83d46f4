"""The report filters, read from the query string; the figures themselves come from reports.queries."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from core import clock
from core.bounds import form_day
from inventory.labels import CATEGORY_LABELS, DEPOT_LEVEL_LABELS, FUNDING_LABELS, MOVEMENT_LABELS, choices
from inventory.network.queries import get_depot_by_code, get_item_by_code

FUNDING_CHOICES = choices(FUNDING_LABELS)


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
        province = _valid(self.province)
        return {"level": _valid(self.level), "region_code": province if province and province.isdigit() else None,
                "funding_source": _valid(self.funding_source), "category": _valid(self.category)}


def _valid(field):
    """A filter's value, or None when it is empty or failed validation (the page then says why beside it)."""
    return field.data or None if not field.errors else None


class PeriodFilterForm(_ReportFilterForm):
    date_from = DateField(_l("From"), validators=[Optional(), form_day])
    date_to = DateField(_l("To"), validators=[Optional(), form_day, _not_before("date_from")])

    def period(self) -> tuple[date, date]:
        today = clock.today()
        start = self.date_from.data if not self.date_from.errors and self.date_from.data else today.replace(day=1,
                                                                                                            month=1)
        end = self.date_to.data if not self.date_to.errors and self.date_to.data else today
        return start, max(start, end)


def _stripped(text):
    return text.strip() if isinstance(text, str) else text


def _known(lookup, message):
    """A code that names something: said beside the field when it names nothing."""
    def check(_form, field) -> None:
        if field.data and lookup(field.data) is None:
            raise ValidationError(message % {"code": field.data})
    return check


class JournalFilterForm(PeriodFilterForm):
    depot_code = StringField(_l("Depot code"), filters=[_stripped], validators=[Optional(), Length(max=12), _known(
        get_depot_by_code, _l("No depot with code %(code)s."))])
    item_code = StringField(_l("Item code"), filters=[_stripped], validators=[Optional(), Length(max=32), _known(
        get_item_by_code, _l("No item with code %(code)s."))])
    kind = SelectField(_l("Kind"), choices=[("", _l("All kinds")), *choices(MOVEMENT_LABELS)], default="")

    def filter_values(self) -> dict:
        return {**super().filter_values(), "depot_code": _valid(self.depot_code), "item_code": _valid(self.item_code),
                "kind": _valid(self.kind)}


class AsOfFilterForm(_ReportFilterForm):
    as_of = DateField(_l("Value at the end of"), validators=[Optional(), form_day])
