"""Incidents read for pages, the API and planning; which source levels an incident's responses open, and why.

The rule (design section 4, "Response and escalation"; local first, 属地为主):
- a provincial, municipal or county government's response opens its own level's depots and those below it,
  inside its region;
- a national response at any level opens central stock;
- a request for support from the level above opens that level's own depots (a county asks its prefecture,
  a prefecture its province, a province the centre);
- protected minimums (the local Level II reserve) are released only where a response at level I or II covers
  the depot.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.db import Session
from core.errors import NotFoundError
from core.pagination import Page, paginate
from dispatch.incidents.models import (
    AffectedArea,
    Authority,
    Incident,
    IncidentResponse,
    IncidentStatus,
    ResponseLevel,
    SupportRequest,
)
from inventory.network.models import DepotLevel, Region
from inventory.network.queries import region_code_prefix

# What an authority's response opens: its own level and the levels below it.
OWN_LEVELS = {
    Authority.NATIONAL: (DepotLevel.CENTRAL,),
    Authority.PROVINCIAL: (DepotLevel.PROVINCIAL, DepotLevel.MUNICIPAL, DepotLevel.COUNTY, DepotLevel.TOWNSHIP),
    Authority.MUNICIPAL: (DepotLevel.MUNICIPAL, DepotLevel.COUNTY, DepotLevel.TOWNSHIP),
    Authority.COUNTY: (DepotLevel.COUNTY, DepotLevel.TOWNSHIP),
}
# Whom an authority asks for support, and which depots that opens.
LEVEL_ABOVE = {Authority.COUNTY: (Authority.MUNICIPAL, DepotLevel.MUNICIPAL),
               Authority.MUNICIPAL: (Authority.PROVINCIAL, DepotLevel.PROVINCIAL),
               Authority.PROVINCIAL: (Authority.NATIONAL, DepotLevel.CENTRAL)}
RELEASING_LEVELS = (ResponseLevel.I, ResponseLevel.II)
AUTHORITY_REGION_LEVEL = {Authority.PROVINCIAL: "province", Authority.MUNICIPAL: "prefecture",
                          Authority.COUNTY: "county"}


@dataclass(frozen=True)
class Opening:
    """One reason a source level may supply: `level` depots inside `region_prefix` (None: the whole country)."""

    level: DepotLevel
    region_prefix: str | None
    region_name: str | None
    via: str                      # "response" or "support"
    authority: Authority
    response_level: ResponseLevel | None
    since: datetime
    releases_protected: bool

    def covers(self, level: str, region_code: str) -> bool:
        return level == self.level and (self.region_prefix is None or region_code.startswith(self.region_prefix))

    def as_dict(self) -> dict:
        return {"level": self.level.value, "region_prefix": self.region_prefix, "region_name": self.region_name,
                "via": self.via, "authority": self.authority.value,
                "response_level": self.response_level.value if self.response_level else None,
                "since": self.since.isoformat(), "releases_protected": self.releases_protected}


def current_responses(incident: Incident, at: datetime | None = None) -> list[IncidentResponse]:
    """Each authority's latest step up to `at`, leaving out responses that have ended."""
    latest: dict[tuple, IncidentResponse] = {}
    for response in incident.responses:
        if at is None or response.changed_at <= at:
            latest[(response.authority, response.region_id)] = response
    return [response for response in latest.values() if response.level is not None]


def source_openings(incident: Incident, at: datetime | None = None) -> list[Opening]:
    """Every (level, region) whose depots may supply this incident, with the response or request behind it."""
    openings = []
    for response in current_responses(incident, at):
        prefix, name = _jurisdiction(response.authority, response.region)
        releases = response.level in RELEASING_LEVELS
        openings += [Opening(level, prefix, name, "response", response.authority, response.level,
                             response.changed_at, releases) for level in OWN_LEVELS[response.authority]]
    for request in incident.support_requests:
        if at is None or request.requested_at <= at:
            openings.append(_opened_by_request(request))
    return openings


def _jurisdiction(authority: Authority, region: Region | None) -> tuple[str | None, str | None]:
    if authority == Authority.NATIONAL or region is None:
        return None, None
    return region_code_prefix(region.code), region.name


def _opened_by_request(request: SupportRequest) -> Opening:
    helper, level = LEVEL_ABOVE[request.authority]
    region = _governing_region(request.region, helper)
    prefix, name = _jurisdiction(helper, region)
    return Opening(level, prefix, name, "support", request.authority, None, request.requested_at, False)


def _governing_region(region: Region, authority: Authority) -> Region | None:
    """The region governed by `authority` that contains `region` (a county's prefecture, say)."""
    wanted = AUTHORITY_REGION_LEVEL.get(authority)
    return next((node for node in region.chain() if node.level == wanted), None) if wanted else None


def get_incident(incident_id: int) -> Incident:
    incident = Session.get(Incident, incident_id, options=[selectinload(Incident.areas),
                                                             selectinload(Incident.responses),
                                                             selectinload(Incident.support_requests)])
    if incident is None:
        raise NotFoundError(_("No incident %(id)s.", id=incident_id))
    return incident


def list_incidents(page: int = 1, per_page: int = 25, status: str | None = None, q: str | None = None) -> Page:
    statement = select(Incident).order_by(Incident.status, Incident.started_at.desc(), Incident.id.desc())
    if status:
        statement = statement.where(Incident.status == IncidentStatus(status))
    if q:
        statement = statement.where(Incident.title.like(f"%{q.strip()}%"))
    return paginate(statement, page, per_page)


def list_active_incidents() -> list[Incident]:
    return list(Session.scalars(select(Incident).where(Incident.status == IncidentStatus.ACTIVE)
                                .options(selectinload(Incident.areas)).order_by(Incident.started_at.desc())))


def list_active_areas(region_code: str | None = None) -> list[AffectedArea]:
    """The affected areas of every active incident (inside the region, if given), with their incident."""
    statement = (select(AffectedArea).join(AffectedArea.incident).where(Incident.status == IncidentStatus.ACTIVE)
                 .options(joinedload(AffectedArea.incident)).order_by(Incident.started_at.desc(), AffectedArea.id))
    if region_code:
        statement = statement.join(Region, Region.id == AffectedArea.region_id).where(
            Region.code.startswith(region_code_prefix(region_code)))
    return list(Session.scalars(statement))


def get_area(incident_id: int, area_id: int) -> AffectedArea:
    area = Session.scalar(select(AffectedArea).where(AffectedArea.id == area_id,
                                                     AffectedArea.incident_id == incident_id)
                          .options(joinedload(AffectedArea.region)))
    if area is None:
        raise NotFoundError(_("No affected area %(id)s in this incident.", id=area_id))
    return area


def count_areas(incident_id: int) -> int:
    return Session.scalar(select(func.count(AffectedArea.id)).where(AffectedArea.incident_id == incident_id)) or 0
