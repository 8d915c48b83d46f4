"""Business rules for the network and the catalog: depots, clerks' depots, items and their packs, quotas.

Each public function is one unit of work and takes the acting user (`actor`; None is the command line).
Only administrators keep the network.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from core.access import ensure_role
from core.db import Session, unit_of_work, utcnow
from core.errors import ConflictError, DomainError
from core.models import Role, User
from inventory.labels import DEPOT_LEVEL_LABELS, REGION_LEVEL_LABELS
from inventory.network.models import (
    Depot,
    DepotLevel,
    DepotStatus,
    Item,
    ItemCategory,
    OperatorType,
    PackUnit,
    Quota,
    Region,
    RegionLevel,
)
from inventory.network.queries import get_active_depot, get_depot, get_item, get_region_by_code

# Where each depot level may stand: a county depot in a county, and so on.
REGION_LEVELS_FOR_DEPOT = {
    DepotLevel.CENTRAL: set(RegionLevel),
    DepotLevel.PROVINCIAL: {RegionLevel.PROVINCE},
    DepotLevel.MUNICIPAL: {RegionLevel.PREFECTURE},
    DepotLevel.COUNTY: {RegionLevel.COUNTY},
    DepotLevel.TOWNSHIP: {RegionLevel.COUNTY},
}
DEPOT_FIELDS = ("code", "name", "level", "latitude", "longitude", "operator_type",
                "capacity_volume_m3", "capacity_weight_t")
# Enum fields arrive as their values from forms; the model keeps the enum members.
ENUM_FIELDS = {"level": DepotLevel, "operator_type": OperatorType, "category": ItemCategory}
ITEM_FIELDS = ("code", "name", "name_en", "category", "base_unit", "unit_weight_kg", "unit_volume_m3",
               "shelf_life_days", "rotation_lead_days", "reference_price", "norm_per_person")


@unit_of_work
def create_depot(data: dict, actor: User | None) -> Depot:
    """Add a depot to the network. `data` holds the validated fields and `region_code`."""
    ensure_role(actor, Role.ADMIN)
    depot = Depot(status=DepotStatus.ACTIVE)
    _apply_depot_fields(depot, data)
    Session.add(depot)
    return depot


@unit_of_work
def update_depot(depot_id: int, changes: dict, actor: User | None) -> Depot:
    """Change some of a depot's fields; `status: closed` closes it too. A closed depot is neither edited nor
    reopened."""
    ensure_role(actor, Role.ADMIN)
    changes = dict(changes)
    status = changes.pop("status", None)
    depot = get_depot(depot_id)
    if depot.status == DepotStatus.CLOSED and status == DepotStatus.ACTIVE:
        raise ConflictError(_("A closed depot cannot be reopened; create a new one."),
                            {"status": [_("A closed depot cannot be reopened.")]})
    if changes:
        if depot.status == DepotStatus.CLOSED:
            raise ConflictError(_("This depot is closed and can no longer be edited."))
        _apply_depot_fields(depot, changes)
    if status == DepotStatus.CLOSED:
        close_depot(depot_id, actor)
    return depot


@unit_of_work
def close_depot(depot_id: int, actor: User | None) -> Depot:
    ensure_role(actor, Role.ADMIN)
    depot = get_depot(depot_id)
    if depot.status == DepotStatus.CLOSED:
        raise ConflictError(_("This depot is already closed."))
    depot.status, depot.closed_at = DepotStatus.CLOSED, utcnow()
    return depot


def _apply_depot_fields(depot: Depot, data: dict) -> None:
    """Check the rules that need the database, then copy the fields; raises before any write."""
    if "code" in data and data["code"] != depot.code:
        _ensure_code_free(Depot, data["code"])
    if "region_code" in data:
        depot.region = _region_by_code(data["region_code"])
    _copy_fields(depot, data, DEPOT_FIELDS)
    _check_region_fits_level(depot)
    _default_coordinates(depot)


def _copy_fields(target, data: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            value = data[name]
            setattr(target, name, ENUM_FIELDS[name](value) if name in ENUM_FIELDS and value is not None else value)


def _ensure_code_free(model, code: str) -> None:
    if Session.scalar(select(model.id).where(model.code == code)) is not None:
        message = _("Code %(code)s is already used.", code=code)
        raise ConflictError(message, {"code": [message]})


def _region_by_code(code: str) -> Region:
    region = get_region_by_code(code)
    if region is None:
        raise DomainError(_("Unknown region."), {"region_code": [_("No region has code %(code)s.", code=code)]})
    return region


def _check_region_fits_level(depot: Depot) -> None:
    level = DepotLevel(depot.level)
    allowed = REGION_LEVELS_FOR_DEPOT[level]
    if depot.region is not None and depot.region.level not in allowed:
        names = _(" or ").join(str(REGION_LEVEL_LABELS[region_level]).lower() for region_level in RegionLevel
                               if region_level in allowed)
        raise DomainError(_("The region does not fit the depot's level."), {"region_code": [
            _("A %(level)s depot must stand in a %(regions)s.", level=str(DEPOT_LEVEL_LABELS[level]).lower(),
              regions=names)]})


def _default_coordinates(depot: Depot) -> None:
    """A depot entered without coordinates takes its region's point."""
    if depot.latitude is None or depot.longitude is None:
        if depot.region is None or depot.region.latitude is None:
            raise DomainError(_("Coordinates needed."), {"latitude": [_("Give the depot's coordinates.")]})
        depot.latitude, depot.longitude = depot.region.latitude, depot.region.longitude


@unit_of_work
def assign_clerk(depot_id: int, username: str, actor: User | None) -> Depot:
    """Assign a clerk to a depot, so they can act there."""
    ensure_role(actor, Role.ADMIN)
    depot = get_depot(depot_id)
    user = Session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise DomainError(_("Unknown user."), {"username": [_("No user '%(username)s'.", username=username)]})
    if user.role != Role.CLERK:
        raise DomainError(_("Only clerks are assigned to depots."),
                          {"username": [_("%(username)s is not a clerk.", username=username)]})
    if user not in depot.clerks:
        depot.clerks.append(user)
    return depot


@unit_of_work
def unassign_clerk(depot_id: int, user_id: int, actor: User | None) -> Depot:
    ensure_role(actor, Role.ADMIN)
    depot = get_depot(depot_id)
    depot.clerks = [clerk for clerk in depot.clerks if clerk.id != user_id]
    return depot


@unit_of_work
def create_item(data: dict, actor: User | None) -> Item:
    """Add an item to the catalog. `data` may hold `pack_units`: a list of {name, factor}."""
    ensure_role(actor, Role.ADMIN)
    item = Item()
    _apply_item_fields(item, data)
    Session.add(item)
    return item


@unit_of_work
def update_item(item_id: int, changes: dict, actor: User | None) -> Item:
    ensure_role(actor, Role.ADMIN)
    item = get_item(item_id)
    _apply_item_fields(item, changes)
    return item


def _apply_item_fields(item: Item, data: dict) -> None:
    if "code" in data and data["code"] != item.code:
        _ensure_code_free(Item, data["code"])
    _copy_fields(item, data, ITEM_FIELDS)
    _check_rotation_lead(item)
    if "pack_units" in data:
        _replace_pack_units(item, data["pack_units"])


def _check_rotation_lead(item: Item) -> None:
    if item.shelf_life_days is not None and (item.rotation_lead_days or 0) >= item.shelf_life_days:
        raise DomainError(_("Rotation lead time too long."),
                          {"rotation_lead_days": [_("Must be shorter than the shelf life.")]})


def _replace_pack_units(item: Item, pack_units: list[dict]) -> None:
    names = [unit["name"].strip() for unit in pack_units]
    if len(set(names)) != len(names):
        raise DomainError(_("Pack unit names repeat."), {"pack_units": [_("Each pack unit needs its own name.")]})
    if item.base_unit in names:
        raise DomainError(_("A pack unit is named like the base unit."),
                          {"pack_units": [_("'%(unit)s' is already the base unit.", unit=item.base_unit)]})
    item.pack_units = [PackUnit(name=unit["name"].strip(), factor=int(unit["factor"])) for unit in pack_units]


def to_base_units(item: Item, quantity: int | Decimal, unit: str) -> int:
    """Convert a quantity entered in a pack unit (or the base unit) to base units."""
    if unit == item.base_unit:
        return int(quantity)
    for pack in item.pack_units:
        if pack.name == unit:
            return int(quantity) * pack.factor
    raise DomainError(_("Unknown unit."), {"unit": [_("%(item)s is counted in %(unit)s or its packs.",
                                                      item=item.name, unit=item.base_unit)]})


@unit_of_work
def set_quota(depot_id: int, item_id: int, target: int, minimum: int, actor: User | None) -> Quota:
    """Create or change a depot's quota for an item."""
    ensure_role(actor, Role.ADMIN)
    get_active_depot(depot_id)
    get_item(item_id)
    if minimum < 0 or target < minimum:
        raise DomainError(_("The minimum must be between 0 and the target."),
                          {"minimum": [_("Must be between 0 and the target.")]})
    quota = Session.scalar(select(Quota).where(Quota.depot_id == depot_id, Quota.item_id == item_id))
    if quota is None:
        quota = Quota(depot_id=depot_id, item_id=item_id)
        Session.add(quota)
    quota.target, quota.minimum = target, minimum
    return quota
