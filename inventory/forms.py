"""Form shapes for the network and catalog pages; business rules stay in the services."""
from flask_wtf import FlaskForm
from wtforms import DecimalField, FieldList, FormField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from inventory.labels import BASE_UNITS, CATEGORY_LABELS, DEPOT_LEVEL_LABELS, OPERATOR_LABELS, choices

CODE_PATTERN = Regexp(r"^[A-Z0-9][A-Z0-9-]*$", message="Capital letters, digits and dashes only.")


class DepotForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=32), CODE_PATTERN])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    level = SelectField("Level", choices=choices(DEPOT_LEVEL_LABELS))
    region_code = StringField("Region code (GB/T 2260)", validators=[
        DataRequired(), Regexp(r"^\d{6}$", message="Six digits, e.g. 510104.")])
    latitude = DecimalField("Latitude", places=6, validators=[
        Optional(), NumberRange(min=3, max=54, message="China lies between 3° and 54° north.")])
    longitude = DecimalField("Longitude", places=6, validators=[
        Optional(), NumberRange(min=73, max=136, message="China lies between 73° and 136° east.")])
    operator_type = SelectField("Operated by", choices=choices(OPERATOR_LABELS))
    capacity_volume_m3 = DecimalField("Storage volume (m³)", places=1, validators=[
        InputRequired(), NumberRange(min=0, message="Cannot be negative.")])
    capacity_weight_t = DecimalField("Storage weight (t)", places=1, validators=[
        InputRequired(), NumberRange(min=0, message="Cannot be negative.")])

    def to_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        for axis in ("latitude", "longitude"):
            data[axis] = float(data[axis]) if data[axis] is not None else None
        return data


class AssignClerkForm(FlaskForm):
    username = StringField("Clerk's username", validators=[DataRequired()])


class PackUnitForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Pack unit", validators=[Optional(), Length(max=20)])
    factor = IntegerField("Base units per pack", validators=[
        Optional(), NumberRange(min=2, message="A pack holds at least 2 base units.")])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if bool(self.name.data) != bool(self.factor.data):
            (self.factor if self.name.data else self.name).errors.append("Give both the name and the factor.")
            return False
        return ok


class ItemForm(FlaskForm):
    code = StringField("Classification code", validators=[DataRequired(), Length(max=32), CODE_PATTERN])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    name_en = StringField("English name", validators=[Optional(), Length(max=120)])
    category = SelectField("Category", choices=choices(CATEGORY_LABELS))
    base_unit = SelectField("Base unit", choices=[(unit, unit) for unit in BASE_UNITS])
    unit_weight_kg = DecimalField("Unit weight (kg)", places=3, validators=[
        InputRequired(), NumberRange(min=0.001, message="Must be more than 0.")])
    unit_volume_m3 = DecimalField("Unit volume (m³)", places=4, validators=[
        InputRequired(), NumberRange(min=0.0001, message="Must be more than 0.")])
    shelf_life_days = IntegerField("Shelf life (days)", validators=[
        Optional(), NumberRange(min=1, message="At least one day; leave empty when it does not expire.")])
    rotation_lead_days = IntegerField("Rotation lead time (days before expiry)", default=0, validators=[
        InputRequired(), NumberRange(min=0, message="Cannot be negative.")])
    reference_price = DecimalField("Reference unit price (CNY)", places=2, validators=[
        InputRequired(), NumberRange(min=0, message="Cannot be negative.")])
    norm_per_person = DecimalField("Norm per displaced person", places=4, validators=[
        Optional(), NumberRange(min=0, message="Cannot be negative.")])
    pack_units = FieldList(FormField(PackUnitForm), min_entries=3, max_entries=6)

    def to_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name not in ("csrf_token", "pack_units")}
        data["name_en"] = data["name_en"] or None
        data["pack_units"] = [{"name": entry.form.name.data, "factor": entry.form.factor.data}
                              for entry in self.pack_units if entry.form.name.data]
        return data
