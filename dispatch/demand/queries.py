"""Demand read for pages, the API and planning: norms in force, deadlines, versions and their lines."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.db import Session
from core.errors import NotFoundError
from dispatch.demand.models import DemandLine, DemandNorm, DemandVersion, IncidentNorm, ReliefDeadline
from inventory.network.models import Item, Region, RegionLevel


@dataclass
class Norm:
    """The norm in force for one item in one incident: its own, else the default."""

    item: Item
    per_person: Decimal
    per_day: bool
    days_of_cover: int
    basic_living: bool
    source: str | None
    changed: bool  # the incident has its own figure

    def quantity_for(self, displaced: int) -> Decimal:
        return self.per_person * displaced * (self.days_of_cover if self.per_day else 1)


def norms_in_force(incident_id: int) -> list[Norm]:
    """Every item with a default norm or an incident norm, the incident's own figures winning."""
    defaults = {n.item_id: n for n in Session.scalars(select(DemandNorm).options(joinedload(DemandNorm.item)))}
    own = {n.item_id: n for n in Session.scalars(select(IncidentNorm).where(IncidentNorm.incident_id == incident_id)
                                                 .options(joinedload(IncidentNorm.item)))}
    norms = []
    for item_id in sorted(set(defaults) | set(own)):
        base, mine = defaults.get(item_id), own.get(item_id)
        chosen = mine or base
        norms.append(Norm(chosen.item, chosen.per_person, chosen.per_day, chosen.days_of_cover, chosen.basic_living,
                          base.source if base else None, changed=mine is not None))
    return sorted(norms, key=lambda norm: norm.item.code)


def expiry_margins() -> dict[int, int]:
    """Days a lot must stay usable after arrival, per item (a week where the item has no norm)."""
    return dict(Session.execute(select(DemandNorm.item_id, DemandNorm.expiry_margin_days)).all())


def deadlines_for(region: Region) -> tuple[int, int]:
    """(basic living, other) due hours after an incident starts, for an area in `region`'s province."""
    province = next((node for node in region.chain() if node.level == RegionLevel.PROVINCE), None)
    row = Session.get(ReliefDeadline, province.id) if province is not None else None
    if row is not None:
        return row.basic_hours, row.other_hours
    return current_app.config["DEFAULT_DUE_HOURS"], current_app.config["OTHER_DUE_HOURS"]


def current_version(incident_id: int) -> DemandVersion | None:
    return Session.scalar(select(DemandVersion).where(DemandVersion.incident_id == incident_id)
                          .order_by(DemandVersion.number.desc()).limit(1)
                          .options(selectinload(DemandVersion.lines).joinedload(DemandLine.item),
                                   selectinload(DemandVersion.lines).joinedload(DemandLine.area)))


def get_version(version_id: int) -> DemandVersion:
    version = Session.get(DemandVersion, version_id)
    if version is None:
        raise NotFoundError(_("No demand version %(id)s.", id=version_id))
    return version


def list_versions(incident_id: int) -> list[tuple[DemandVersion, int, int]]:
    """Every version of the incident's demand, newest first, with its number of lines and units."""
    rows = Session.execute(
        select(DemandVersion, func.count(DemandLine.id), func.coalesce(func.sum(DemandLine.quantity), 0))
        .outerjoin(DemandLine, DemandLine.version_id == DemandVersion.id)
        .where(DemandVersion.incident_id == incident_id).group_by(DemandVersion.id)
        .order_by(DemandVersion.number.desc())).all()
    return [(version, lines, int(units)) for version, lines, units in rows]


def next_version_number(incident_id: int) -> int:
    latest = Session.scalar(select(func.max(DemandVersion.number)).where(DemandVersion.incident_id == incident_id))
    return (latest or 0) + 1


def items_without_norm() -> list[Item]:
    """Catalog items with no default norm: the dispatcher may still list them by hand (boats, pumps …)."""
    normed = select(DemandNorm.item_id)
    return list(Session.scalars(select(Item).where(Item.id.not_in(normed)).order_by(Item.code)))
