"""Form shapes of the incident pages; the incident services keep the rules."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from core import bounds, clock
from core.bounds import form_day, form_range
from dispatch.incidents.models import Authority
from dispatch.labels import AUTHORITY_LABELS, INCIDENT_TYPE_LABELS, RESPONSE_LEVEL_LABELS
from inventory.labels import choices

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
REGION_CODE = Regexp(r"^\d{6}$", message=_l("Six digits, e.g. 510104."))
POPULATION = form_range(bounds.POPULATION)
END = "end"


def aware(moment: datetime | None) -> datetime | None:
    """A time typed on the local wall clock, as an aware instant."""
    return moment.replace(tzinfo=clock.LOCAL_ZONE) if moment is not None else None


def local_input(moment: datetime | None) -> datetime | None:
    """An instant as the local wall clock shows it, for a datetime-local input."""
    return moment.astimezone(clock.LOCAL_ZONE).replace(tzinfo=None) if moment is not None else None


class IncidentForm(FlaskForm):
    kind = SelectField(_l("Type"), choices=choices(INCIDENT_TYPE_LABELS))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    started_at = DateTimeLocalField(_l("Started (local time)"), format=LOCAL_MINUTE,
                                    validators=[InputRequired(), form_day])
    description = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=5000)])

    def to_data(self) -> dict:
        return {"kind": self.kind.data, "title": self.title.data, "started_at": aware(self.started_at.data),
                "description": self.description.data or None}


class ResponseForm(FlaskForm):
    authority = SelectField(_l("Government"), choices=choices(AUTHORITY_LABELS))
    region_code = StringField(_l("Its region (code)"), validators=[Optional(), REGION_CODE])
    level = SelectField(_l("Response"), choices=[*choices(RESPONSE_LEVEL_LABELS), (END, _l("End the response"))])
    changed_at = DateTimeLocalField(_l("Raised, lowered or ended at (local time)"), format=LOCAL_MINUTE,
                                    validators=[Optional(), form_day])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class SupportRequestForm(FlaskForm):
    authority = SelectField(_l("Government asking"), choices=[
        (authority.value, label) for authority, label in AUTHORITY_LABELS.items() if authority != Authority.NATIONAL])
    region_code = StringField(_l("Its region (code)"), validators=[DataRequired(), REGION_CODE])
    asked_by = StringField(_l("Asked by (official or office)"), validators=[DataRequired(), Length(max=200)])
    requested_at = DateTimeLocalField(_l("Asked at (local time)"), format=LOCAL_MINUTE,
                                      validators=[Optional(), form_day])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class AreaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    region_code = StringField(_l("County (region code)"), validators=[Optional(), REGION_CODE])
    latitude = DecimalField(_l("Latitude"), places=5, validators=[
        Optional(), NumberRange(min=3, max=54, message=_l("China lies between 3° and 54° north."))])
    longitude = DecimalField(_l("Longitude"), places=5, validators=[
        Optional(), NumberRange(min=73, max=136, message=_l("China lies between 73° and 136° east."))])
    affected_population = IntegerField(_l("Affected people"), validators=[InputRequired(), POPULATION])
    displaced_population = IntegerField(_l("Displaced people"), validators=[InputRequired(), POPULATION])
    priority = SelectField(_l("Priority"), coerce=int, default=3, choices=[
        (5, _l("5 – most urgent")), (4, "4"), (3, "3"), (2, "2"), (1, _l("1 – low"))])
    road = BooleanField(_l("By road"), default=True)
    rail = BooleanField(_l("By rail"))
    air = BooleanField(_l("By air"))
    road_cut = BooleanField(_l("Roads in are cut (air only)"))
    receiving_depot_code = StringField(_l("Goods received into depot (code)"), validators=[Optional(), Length(max=40)])

    def to_data(self) -> dict:
        data = {name: self[name].data for name in ("name", "region_code", "affected_population",
                                                   "displaced_population", "priority", "road", "rail", "air",
                                                   "road_cut", "receiving_depot_code")}
        data["name"] = (data["name"] or "").strip() or None
        data["region_code"] = data["region_code"] or None
        for axis in ("latitude", "longitude"):
            data[axis] = float(self[axis].data) if self[axis].data is not None else None
        return data


class ActionForm(FlaskForm):
    """Buttons that carry nothing but the CSRF token (close, reopen, plan)."""
