"""Demand: estimated from the norms, edited by the dispatcher, saved as a new numbered version every time.

A save is all or nothing: any bad line (negative, huge, unknown item or area, a due time out of order) is
refused beside its cell and no version is written.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.access import ensure_role
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, LinePath, refuse_lines
from core.models import Role, User
from dispatch.demand.models import DemandLine, DemandVersion, IncidentNorm
from dispatch.demand.queries import Norm, deadlines_for, next_version_number, norms_in_force
from dispatch.incidents.models import AffectedArea, Incident
from dispatch.incidents.queries import get_incident
from dispatch.incidents.services import ensure_active
from inventory.network.models import Item

PLANNERS = (Role.ADMIN, Role.DISPATCHER)
MAX_QUANTITY = 1_000_000_000
MAX_DUE_DAYS = 30  # a due time more than a month after the incident began is not relief


@dataclass
class DemandLineRequest:
    area_id: int
    item_id: int
    quantity: int
    due_at: datetime | None = None      # None: the province's deadline for the item
    tail_quantity: int = 0              # with phasing: how much of it may come later …
    tail_due_at: datetime | None = None  # … by this time


@dataclass(frozen=True)
class Phasing:
    """Estimate a peak and a tail: `peak_share` of each line by its due time, the rest by `tail_hours`."""

    peak_share: Decimal
    tail_hours: int


def estimate_lines(incident: Incident, norms: list[Norm], phasing: Phasing | None = None) -> list[DemandLineRequest]:
    """One line per area and item with a norm: norm × displaced people (× days of cover for daily needs)."""
    lines = []
    for area in incident.areas:
        for norm in norms:
            quantity = math.ceil(norm.quantity_for(area.displaced_population))
            if quantity <= 0:
                continue
            line = DemandLineRequest(area.id, norm.item.id, min(quantity, MAX_QUANTITY),
                                     default_due(incident, area, norm.basic_living))
            lines.append(_phased(line, incident, phasing) if phasing else line)
    return lines


def _phased(line: DemandLineRequest, incident: Incident, phasing: Phasing) -> DemandLineRequest:
    tail = line.quantity - math.ceil(line.quantity * phasing.peak_share)
    tail_due = incident.started_at + timedelta(hours=phasing.tail_hours)
    if tail <= 0 or tail_due <= line.due_at:
        return line
    return DemandLineRequest(line.area_id, line.item_id, line.quantity, line.due_at, tail, tail_due)


@unit_of_work
def save_demand(incident_id: int, lines: list[DemandLineRequest], actor: User, note: str | None = None
                ) -> DemandVersion:
    """Save the incident's demand as its next version."""
    ensure_role(actor, *PLANNERS)
    incident = get_incident(incident_id)
    ensure_active(incident)
    if not lines:
        raise DomainError(_("Demand needs at least one line."), {"lines": [_("Add at least one line.")]})
    checked = _checked_lines(incident, lines)
    version = DemandVersion(incident_id=incident.id, number=next_version_number(incident.id),
                            note=(note or "").strip() or None, created_by_id=actor.id, lines=checked)
    Session.add(version)
    try:
        Session.flush()
    except IntegrityError as error:  # another dispatcher saved a version with this number a moment ago
        raise ConflictError(_("Someone else saved this incident's demand just now; reload and save again.")) from error
    return version


@unit_of_work
def estimate_demand(incident_id: int, actor: User, phasing: Phasing | None = None, note: str | None = None
                    ) -> DemandVersion:
    """Save a version estimated from the norms in force (the API's shortcut for the page's "estimate")."""
    incident = get_incident(incident_id)
    lines = estimate_lines(incident, norms_in_force(incident.id), phasing)
    if not lines:
        raise DomainError(_("Nothing to estimate: no area has displaced people, or no item has a norm."))
    return save_demand(incident_id, lines, actor, note or _("estimated from the norms"))


def _checked_lines(incident: Incident, lines: list[DemandLineRequest]) -> list[DemandLine]:
    areas = {area.id: area for area in incident.areas}
    wanted = {line.item_id for line in lines}
    items = {item.id: item for item in Session.scalars(select(Item).where(Item.id.in_(wanted)))}
    basic = {norm.item.id for norm in norms_in_force(incident.id) if norm.basic_living}
    seen, checked, errors = set(), [], []
    for index, line in enumerate(lines):
        try:
            checked.append(_checked_line(incident, line, areas, items, basic, seen, LinePath(index)))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise refuse_lines(errors)
    return checked


def _checked_line(incident: Incident, line: DemandLineRequest, areas: dict[int, AffectedArea], items: dict[int, Item],
                  basic: set[int], seen: set, path: LinePath) -> DemandLine:
    area, item = areas.get(line.area_id), items.get(line.item_id)
    if area is None:
        raise DomainError(_("Unknown area."), path.error("area_id", _("Not an area of this incident.")))
    if item is None:
        raise DomainError(_("Unknown item."), path.error("item_id", _("No item with id %(id)s.", id=line.item_id)))
    if (area.id, item.id) in seen:
        raise DomainError(_("A line repeats."), path.error("item_id", _("%(item)s is already listed for %(area)s.",
                                                                       item=item.name, area=area.name)))
    seen.add((area.id, item.id))
    if not 0 < line.quantity <= MAX_QUANTITY:
        raise DomainError(_("Quantity out of range."), path.error("quantity", _(
            "Between 1 and %(most)s.", most="1,000,000,000")))
    due_at = line.due_at or default_due(incident, area, item.id in basic)
    _check_due(incident, due_at, "due_at", path)
    if line.tail_quantity:
        _check_tail(incident, line, due_at, path)
    return DemandLine(area_id=area.id, item_id=item.id, quantity=line.quantity, due_at=due_at,
                      tail_quantity=line.tail_quantity or 0,
                      tail_due_at=line.tail_due_at if line.tail_quantity else None)


def default_due(incident: Incident, area: AffectedArea, basic_living: bool) -> datetime:
    """The province's relief deadline for basic living items, its later one for the rest."""
    basic_hours, other_hours = deadlines_for(area.region)
    return incident.started_at + timedelta(hours=basic_hours if basic_living else other_hours)


def _check_due(incident: Incident, due_at: datetime, field: str, path: LinePath) -> None:
    if due_at.tzinfo is None:
        raise DomainError(_("Give the time with its time zone."), path.error(field, _("Give the time zone.")))
    if due_at <= incident.started_at:
        raise DomainError(_("Due before the incident began."),
                          path.error(field, _("Must be after the incident began.")))
    if due_at > incident.started_at + timedelta(days=MAX_DUE_DAYS):
        raise DomainError(_("Due too late."), path.error(field, _("Within %(days)s days of the incident.",
                                                                  days=MAX_DUE_DAYS)))


def _check_tail(incident: Incident, line: DemandLineRequest, due_at: datetime, path: LinePath) -> None:
    if not 0 < line.tail_quantity < line.quantity:
        raise DomainError(_("Tail out of range."), path.error("tail_quantity", _(
            "Between 1 and the quantity less 1.")))
    if line.tail_due_at is None:
        raise DomainError(_("The tail needs its due time."), path.error("tail_due_at", _("Required with a tail.")))
    _check_due(incident, line.tail_due_at, "tail_due_at", path)
    if line.tail_due_at <= due_at:
        raise DomainError(_("The tail is due before the peak."), path.error("tail_due_at", _(
            "Must be after the line's due time.")))


@dataclass
class NormChange:
    item_id: int
    per_person: Decimal
    per_day: bool
    days_of_cover: int
    basic_living: bool


@unit_of_work
def set_incident_norms(incident_id: int, changes: list[NormChange], actor: User) -> list[Norm]:
    """Give the incident its own norms for some items (a cold wave: two quilts a person)."""
    ensure_role(actor, *PLANNERS)
    ensure_active(get_incident(incident_id))
    errors = []
    for index, change in enumerate(changes):
        path = LinePath(index)
        if Session.get(Item, change.item_id) is None:
            errors.append(DomainError(_("Unknown item."), path.error("item_id", _("No item with id %(id)s.",
                                                                                  id=change.item_id))))
        elif not (Decimal(0) <= change.per_person <= Decimal(1000)):
            errors.append(DomainError(_("Norm out of range."), path.error("per_person", _("Between 0 and 1000."))))
        elif not 1 <= change.days_of_cover <= 90:
            errors.append(DomainError(_("Days out of range."), path.error("days_of_cover", _("Between 1 and 90."))))
    if errors:
        raise refuse_lines(errors)
    for change in changes:
        norm = Session.get(IncidentNorm, (incident_id, change.item_id)) or IncidentNorm(
            incident_id=incident_id, item_id=change.item_id)
        norm.per_person, norm.per_day = change.per_person, change.per_day
        norm.days_of_cover, norm.basic_living = change.days_of_cover, change.basic_living
        Session.add(norm)
    Session.flush()
    return norms_in_force(incident_id)
