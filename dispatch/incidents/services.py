"""Recording an incident: what happened, the responses raised and lowered, support asked for, affected areas.

Dispatchers and administrators write; every function is one unit of work and takes the acting user.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from core import clock
from core.access import ensure_role
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError
from core.models import Role, User
from dispatch.incidents.models import (
    AffectedArea,
    Authority,
    Incident,
    IncidentResponse,
    IncidentStatus,
    IncidentType,
    ResponseLevel,
    SupportRequest,
)
from dispatch.incidents.queries import AUTHORITY_REGION_LEVEL, get_area, get_incident
from dispatch.labels import AUTHORITY_LABELS
from inventory.labels import REGION_LEVEL_LABELS
from inventory.network.models import DepotStatus, Region, RegionLevel
from inventory.network.queries import get_depot_by_code, get_region_by_code, nearest_county

PLANNERS = (Role.ADMIN, Role.DISPATCHER)
EARLIEST = datetime(2000, 1, 1, tzinfo=clock.LOCAL_ZONE)
FUTURE_TOLERANCE = timedelta(minutes=5)


@unit_of_work
def create_incident(data: dict, actor: User) -> Incident:
    """Record a new incident: kind, title, start time, description. It starts active."""
    ensure_role(actor, *PLANNERS)
    incident = Incident(status=IncidentStatus.ACTIVE, created_by_id=actor.id)
    _apply(incident, data)
    Session.add(incident)
    Session.flush()
    return incident


@unit_of_work
def update_incident(incident_id: int, changes: dict, actor: User) -> Incident:
    """Change what was recorded, or close (status closed) or reopen (status active) the incident."""
    ensure_role(actor, *PLANNERS)
    incident = get_incident(incident_id)
    changes = dict(changes)
    status = changes.pop("status", None)
    _apply(incident, changes)
    if status is not None and IncidentStatus(status) != incident.status:
        incident.status = IncidentStatus(status)
        incident.closed_at = clock.utcnow() if incident.status == IncidentStatus.CLOSED else None
    return incident


def _apply(incident: Incident, data: dict) -> None:
    errors = {}
    if "title" in data and not (data["title"] or "").strip():
        errors["title"] = [_("Give the incident a title.")]
    if "started_at" in data:
        errors.update(_check_moment("started_at", data["started_at"]))
    if errors:
        raise DomainError(_("The incident has invalid fields."), errors)
    if "kind" in data:
        incident.kind = IncidentType(data["kind"])
    if "title" in data:
        incident.title = data["title"].strip()
    if "started_at" in data:
        incident.started_at = data["started_at"]
    if "description" in data:
        incident.description = (data["description"] or "").strip() or None


def _check_moment(field: str, moment: datetime | None) -> dict:
    if moment is None:
        return {field: [_("Required.")]}
    if moment.tzinfo is None:
        return {field: [_("Give the time with its time zone.")]}
    if moment < EARLIEST:
        return {field: [_("Not before %(year)s.", year=EARLIEST.year)]}
    if moment > clock.utcnow() + FUTURE_TOLERANCE:
        return {field: [_("This date and time is in the future.")]}
    return {}


def ensure_active(incident: Incident) -> None:
    if incident.status != IncidentStatus.ACTIVE:
        raise ConflictError(_("The incident is closed; reopen it first."))


@dataclass
class ResponseChange:
    """An authority raises, lowers (level I–IV) or ends (level None) its response at `changed_at` (now if None)."""

    authority: Authority | str
    level: ResponseLevel | str | None
    region_code: str | None = None
    changed_at: datetime | None = None
    note: str | None = None


@unit_of_work
def record_response(incident_id: int, change: ResponseChange, actor: User) -> IncidentResponse:
    """Add a step to the incident's response history."""
    ensure_role(actor, *PLANNERS)
    incident = get_incident(incident_id)
    ensure_active(incident)
    authority = Authority(change.authority)
    region = _authority_region(authority, change.region_code)
    changed_at = change.changed_at or clock.utcnow()
    if errors := _check_moment("changed_at", changed_at):
        raise DomainError(_("The response has invalid fields."), errors)
    if change.level is None and not _is_active(incident, authority, region):
        raise ConflictError(_("There is no active response of this government to end."),
                            {"level": [_("No active response to end.")]})
    response = IncidentResponse(incident_id=incident.id, authority=authority, region_id=region.id if region else None,
                                level=ResponseLevel(change.level) if change.level else None, changed_at=changed_at,
                                note=(change.note or "").strip() or None, recorded_by_id=actor.id)
    Session.add(response)
    Session.flush()
    return response


def _is_active(incident: Incident, authority: Authority, region: Region | None) -> bool:
    region_id = region.id if region else None
    steps = [r for r in incident.responses if r.authority == authority and r.region_id == region_id]
    return bool(steps) and steps[-1].level is not None


def _authority_region(authority: Authority, region_code: str | None) -> Region | None:
    """The region a government governs: none for the national one, else a province, prefecture or county."""
    if authority == Authority.NATIONAL:
        if region_code:
            raise DomainError(_("The national government needs no region."),
                              {"region_code": [_("Leave empty for the national government.")]})
        return None
    region = get_region_by_code(region_code) if region_code else None
    if region is None:
        raise DomainError(_("Unknown region."), {"region_code": [_("Give the code of the government's region.")]})
    if region.level != AUTHORITY_REGION_LEVEL[authority]:
        raise DomainError(_("The region does not fit the government."), {"region_code": [
            _("A %(authority)s government governs a %(level)s.", authority=_authority_word(authority),
              level=_region_word(AUTHORITY_REGION_LEVEL[authority]))]})
    return region


def _authority_word(authority: Authority) -> str:
    return str(AUTHORITY_LABELS[authority]).lower()


def _region_word(level: str) -> str:
    return str(REGION_LEVEL_LABELS[RegionLevel(level)]).lower()


@dataclass
class SupportAsked:
    """A responding government (`authority` of `region_code`) asks the level above for support."""

    authority: Authority | str
    region_code: str
    asked_by: str
    requested_at: datetime | None = None
    note: str | None = None


@unit_of_work
def request_support(incident_id: int, asked: SupportAsked, actor: User) -> SupportRequest:
    """Record a request for support from the level above; it opens that level's stock."""
    ensure_role(actor, *PLANNERS)
    incident = get_incident(incident_id)
    ensure_active(incident)
    authority = Authority(asked.authority)
    if authority == Authority.NATIONAL:
        raise DomainError(_("The national government has no level above it."),
                          {"authority": [_("Choose the government that asks.")]})
    region = _authority_region(authority, asked.region_code)
    requested_at = asked.requested_at or clock.utcnow()
    errors = _check_moment("requested_at", requested_at)
    if not (asked.asked_by or "").strip():
        errors["asked_by"] = [_("Say who asked.")]
    if errors:
        raise DomainError(_("The request has invalid fields."), errors)
    request = SupportRequest(incident_id=incident.id, authority=authority, region_id=region.id,
                             asked_by=asked.asked_by.strip(), requested_at=requested_at,
                             note=(asked.note or "").strip() or None, recorded_by_id=actor.id)
    Session.add(request)
    Session.flush()
    return request


AREA_FIELDS = ("name", "affected_population", "displaced_population", "priority", "road", "rail", "air")


@unit_of_work
def add_area(incident_id: int, data: dict, actor: User) -> AffectedArea:
    """Add an affected area: a county (placed at its seat) by `region_code`, or a point (`latitude`,
    `longitude`) that falls in the nearest county. `road_cut` leaves air as the only way in."""
    ensure_role(actor, *PLANNERS)
    incident = get_incident(incident_id)
    ensure_active(incident)
    area = AffectedArea(incident_id=incident.id, created_by_id=actor.id, priority=3, road=True, rail=False, air=False)
    _apply_area(area, data, placing=True)
    Session.add(area)
    Session.flush()
    return area


@unit_of_work
def update_area(incident_id: int, area_id: int, changes: dict, actor: User) -> AffectedArea:
    """Change an area's figures as the picture grows (population, priority, how it can be reached)."""
    ensure_role(actor, *PLANNERS)
    ensure_active(get_incident(incident_id))
    area = get_area(incident_id, area_id)
    _apply_area(area, changes, placing="latitude" in changes or "region_code" in changes)
    return area


def _apply_area(area: AffectedArea, data: dict, placing: bool) -> None:
    data = dict(data)
    if data.pop("road_cut", False):
        data.update(road=False, rail=False, air=True)
    errors = _check_area_figures(area, data)
    region = _place(area, data, errors) if placing else area.region
    if "receiving_depot_code" in data:
        _receive_into(area, data["receiving_depot_code"], errors)
    if errors:
        raise DomainError(_("The area has invalid fields."), errors)
    for name in AREA_FIELDS:
        if name in data and data[name] is not None:
            setattr(area, name, data[name].strip() if isinstance(data[name], str) else data[name])
    if not (area.name or "").strip():
        area.name = region.name


def _receive_into(area: AffectedArea, code: str | None, errors: dict) -> None:
    """The depot that takes the area's goods into stock (blank: they are handed to the people)."""
    if not (code or "").strip():
        area.receiving_depot = None
        return
    depot = get_depot_by_code(code)
    if depot is None or depot.status != DepotStatus.ACTIVE:
        errors["receiving_depot_code"] = [_("No open depot has code %(code)s.", code=code.strip())]
        return
    area.receiving_depot = depot


def _check_area_figures(area: AffectedArea, data: dict) -> dict:
    errors = {}
    affected = data.get("affected_population", area.affected_population)
    displaced = data.get("displaced_population", area.displaced_population)
    if affected is None:
        errors["affected_population"] = [_("Required.")]
    if displaced is None:
        errors["displaced_population"] = [_("Required.")]
    elif affected is not None and displaced > affected:
        errors["displaced_population"] = [_("Cannot exceed the affected population.")]
    road, rail, air = (data.get(mode, getattr(area, mode)) for mode in ("road", "rail", "air"))
    if not (road or rail or air):
        errors["road"] = [_("Say how the area can be reached: road, rail or air.")]
    return errors


def _place(area: AffectedArea, data: dict, errors: dict) -> Region | None:
    """Locate the area at the point given, else at its county's seat; its region is the county it lies in."""
    latitude, longitude, code = data.get("latitude"), data.get("longitude"), data.get("region_code")
    if latitude is not None and longitude is not None:
        region = nearest_county(latitude, longitude)
        if region is None:
            errors["latitude"] = [_("No county lies near this point.")]
            return None
        area.latitude, area.longitude, area.region = latitude, longitude, region
        return region
    region = get_region_by_code(code) if code else None
    if region is None or region.level != RegionLevel.COUNTY or region.latitude is None:
        errors["region_code"] = [_("Pick a county from the region list, or place a point on the map.")]
        return None
    area.latitude, area.longitude, area.region = region.latitude, region.longitude, region
    return region
