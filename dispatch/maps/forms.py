"""The network map's filters, read from the query string so that a chosen view is a link."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from core.forms import optional_int


class MapFiltersForm(FlaskForm):
    class Meta:
        csrf = False

    province = SelectField(_l("Province"), choices=[])
    item_id = SelectField(_l("Colour depots by their stock of"), coerce=optional_int, choices=[])
