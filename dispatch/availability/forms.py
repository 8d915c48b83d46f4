"""The "find stock" form, read from the query string."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from core.bounds import QUANTITY, form_range
from core.forms import optional_int


class FindStockForm(FlaskForm):
    class Meta:
        csrf = False

    item_id = SelectField(_l("Item"), coerce=optional_int, choices=[], validators=[InputRequired()])
    region_code = StringField(_l("Near the region (code)"), validators=[
        Optional(), Regexp(r"^\d{6}$", message=_l("Six digits, e.g. 510104."))])
    latitude = DecimalField(_l("or latitude"), places=5, validators=[
        Optional(), NumberRange(min=3, max=54, message=_l("China lies between 3° and 54° north."))])
    longitude = DecimalField(_l("and longitude"), places=5, validators=[
        Optional(), NumberRange(min=73, max=136, message=_l("China lies between 73° and 136° east."))])
    radius_km = IntegerField(_l("Within (km)"), default=200, validators=[
        InputRequired(), NumberRange(min=1, max=3000, message=_l("Between 1 and 3000."))])
    min_quantity = IntegerField(_l("Holding at least"), default=1, validators=[
        InputRequired(), form_range(QUANTITY)])
