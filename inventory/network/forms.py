"""Form shapes for the network and catalog pages; business rules stay in the services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, FormField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from core.bounds import CAPACITY, DAYS, PER_PERSON, QUANTITY_MAX, UNIT_MEASURE, UNIT_MONEY, form_range
from inventory.labels import BASE_UNITS, CATEGORY_LABELS, DEPOT_LEVEL_LABELS, OPERATOR_LABELS, UNIT_LABELS, choices

CODE_PATTERN = Regexp(r"^[A-Z0-9][A-Z0-9-]*$", message=_l("Capital letters, digits and dashes only."))


class PlaceFields:
    """Where a depot or an enterprise stands: its region and, when known, its coordinates."""

    region_code = StringField(_l("Region code (GB/T 2260)"), validators=[
        DataRequired(), Regexp(r"^\d{6}$", message=_l("Six digits, e.g. 510104."))])
    latitude = DecimalField(_l("Latitude"), places=6, validators=[
        Optional(), NumberRange(min=3, max=54, message=_l("China lies between 3° and 54° north."))])
    longitude = DecimalField(_l("Longitude"), places=6, validators=[
        Optional(), NumberRange(min=73, max=136, message=_l("China lies between 73° and 136° east."))])


class DepotForm(PlaceFields, FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE_PATTERN])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    level = SelectField(_l("Level"), choices=choices(DEPOT_LEVEL_LABELS))
    operator_type = SelectField(_l("Operated by"), choices=choices(OPERATOR_LABELS))
    capacity_volume_m3 = DecimalField(_l("Storage volume (m³)"), places=1, validators=[
        InputRequired(), form_range(CAPACITY)])
    capacity_weight_t = DecimalField(_l("Storage weight (t)"), places=1, validators=[
        InputRequired(), form_range(CAPACITY)])

    def to_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        for axis in ("latitude", "longitude"):
            data[axis] = float(data[axis]) if data[axis] is not None else None
        return data


class AssignClerkForm(FlaskForm):
    username = StringField(_l("Clerk's username"), validators=[DataRequired()])


class PackUnitForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Pack unit"), validators=[Optional(), Length(max=20)])
    factor = IntegerField(_l("Base units per pack"), validators=[
        Optional(), form_range((2, QUANTITY_MAX), message=_l("A pack holds at least 2 base units."))])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if bool(self.name.data) != bool(self.factor.data):
            (self.factor if self.name.data else self.name).errors.append(_l("Give both the name and the factor."))
            return False
        return ok


class ItemForm(FlaskForm):
    code = StringField(_l("Classification code"), validators=[DataRequired(), Length(max=32), CODE_PATTERN])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=120)])
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS))
    base_unit = SelectField(_l("Base unit"), choices=[(unit, UNIT_LABELS[unit]) for unit in BASE_UNITS])
    unit_weight_kg = DecimalField(_l("Unit weight (kg)"), places=3, validators=[
        InputRequired(), NumberRange(min=0.001, message=_l("Must be more than 0.")), form_range(UNIT_MEASURE)])
    unit_volume_m3 = DecimalField(_l("Unit volume (m³)"), places=4, validators=[
        InputRequired(), NumberRange(min=0.0001, message=_l("Must be more than 0.")), form_range(UNIT_MEASURE)])
    shelf_life_days = IntegerField(_l("Shelf life (days)"), validators=[
        Optional(), form_range((1, DAYS[1]), message=_l("At least one day; leave empty when it does not expire."))])
    rotation_lead_days = IntegerField(_l("Rotation lead time (days before expiry)"), default=0, validators=[
        InputRequired(), form_range(DAYS)])
    reference_price = DecimalField(_l("Reference unit price (CNY)"), places=2, validators=[
        InputRequired(), form_range(UNIT_MONEY)])
    norm_per_person = DecimalField(_l("Norm per displaced person"), places=4, validators=[
        Optional(), form_range(PER_PERSON)])
    pack_units = FieldList(FormField(PackUnitForm), min_entries=3, max_entries=6)

    def to_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "pack_units")}
        data["name_en"] = data["name_en"] or None
        data["pack_units"] = [{"name": entry.form.name.data, "factor": entry.form.factor.data}
                              for entry in self.pack_units if entry.form.name.data]
        return data
