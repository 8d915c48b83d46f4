"""Form shapes of the fleet pages; the fleet services keep the rules."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, FieldList, FormField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms import LineForm, LineList, LinesForm
from dispatch.fleet.services import ModeFigures, VehicleSpec

KG = NumberRange(min=1, max=100_000, message=_l("Between 1 and 100,000."))
M3 = NumberRange(min=0.1, max=500, message=_l("Between 0.1 and 500."))
SPEED = NumberRange(min=10, max=150, message=_l("Between 10 and 150."))
MONEY = NumberRange(min=0, max=1_000_000, message=_l("Between 0 and 1,000,000."))


class VehicleRowForm(LineForm):
    ENTERED = ("vehicle_type", "count")
    NEEDED = ("vehicle_type", "count", "capacity_kg", "capacity_m3", "speed_kmh", "cost_per_km")

    vehicle_type = StringField(_l("Vehicle type"), validators=[Optional(), Length(max=80)])
    count = IntegerField(_l("Number of vehicles"), validators=[Optional(), NumberRange(min=0, max=1000)])
    capacity_kg = IntegerField(_l("Load (kg)"), validators=[Optional(), KG])
    capacity_m3 = DecimalField(_l("Load volume (m³)"), places=1, validators=[Optional(), M3])
    speed_kmh = IntegerField(_l("Speed (km/h)"), validators=[Optional(), SPEED])
    fixed_cost = DecimalField(_l("Per trip (CNY)"), places=2, default=Decimal("0"), validators=[Optional(), MONEY])
    cost_per_km = DecimalField(_l("Per km (CNY)"), places=2, validators=[Optional(), MONEY])

    def spec(self) -> VehicleSpec:
        return VehicleSpec(self.vehicle_type.data.strip(), self.capacity_kg.data, self.capacity_m3.data,
                           self.speed_kmh.data, self.cost_per_km.data, self.fixed_cost.data or Decimal("0"),
                           self.count.data)


class DepotFleetForm(LinesForm):
    rail = BooleanField(_l("Loads onto rail (freight siding)"))
    air = BooleanField(_l("Loads onto aircraft (airfield nearby)"))
    lines = LineList(FormField(VehicleRowForm), min_entries=3, max_entries=40)

    def specs(self) -> tuple[list[VehicleSpec], list[int]]:
        rows = self.filled_rows()
        return [self.lines[row].form.spec() for row in rows], rows


class RequisitionForm(FlaskForm):
    depot_code = StringField(_l("Reports to depot (code)"), validators=[DataRequired(), Length(max=32)])
    owner = StringField(_l("Owner"), validators=[DataRequired(), Length(max=200)])
    plate = StringField(_l("Plate"), validators=[DataRequired(), Length(max=20)])
    vehicle_type = StringField(_l("Vehicle type"), validators=[DataRequired(), Length(max=80)])
    capacity_kg = IntegerField(_l("Load (kg)"), validators=[InputRequired(), KG])
    capacity_m3 = DecimalField(_l("Load volume (m³)"), places=1, validators=[InputRequired(), M3])
    speed_kmh = IntegerField(_l("Speed (km/h)"), default=60, validators=[InputRequired(), SPEED])
    cost_per_km = DecimalField(_l("Compensation per km (CNY)"), places=2, validators=[InputRequired(), MONEY])
    fixed_cost = DecimalField(_l("Compensation per trip (CNY)"), places=2, default=Decimal("0"),
                              validators=[Optional(), MONEY])
    driver_name = StringField(_l("Driver"), validators=[Optional(), Length(max=80)])
    driver_phone = StringField(_l("Driver's phone"), validators=[Optional(), Length(max=40)])

    def spec(self) -> VehicleSpec:
        return VehicleSpec(self.vehicle_type.data, self.capacity_kg.data, self.capacity_m3.data, self.speed_kmh.data,
                           self.cost_per_km.data, self.fixed_cost.data or Decimal("0"))


class ModeRowForm(LineForm):
    mode = HiddenField()
    speed_kmh = DecimalField(_l("Speed (km/h)"), places=1, validators=[
        InputRequired(), NumberRange(min=1, max=1000, message=_l("Between 1 and 1000."))])
    detour = DecimalField(_l("Detour factor"), places=2, validators=[
        InputRequired(), NumberRange(min=1, max=3, message=_l("Between 1 and 3."))])
    handling_hours = DecimalField(_l("Handling (h)"), places=1, validators=[
        InputRequired(), NumberRange(min=0, max=72, message=_l("Between 0 and 72."))])
    cost_per_tkm = DecimalField(_l("Rate (CNY per tonne-km)"), places=3, validators=[
        InputRequired(), NumberRange(min=0, max=1000, message=_l("Between 0 and 1000."))])
    access_km = DecimalField(_l("Road leg at each end (km)"), places=1, validators=[
        InputRequired(), NumberRange(min=0, max=500, message=_l("Between 0 and 500."))])

    def figures(self) -> ModeFigures:
        return ModeFigures(self.mode.data, self.speed_kmh.data, self.detour.data, self.handling_hours.data,
                           self.cost_per_tkm.data, self.access_km.data)


class ModesForm(FlaskForm):
    lines = FieldList(FormField(ModeRowForm))


class ActionForm(FlaskForm):
    """Buttons that carry only the CSRF token."""
