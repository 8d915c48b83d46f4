"""Business rules for the network and the catalog. Each public function is one unit of work."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from core.db import Session, utcnow
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import Role, User
from inventory.models import (
    Depot,
    DepotLevel,
    DepotStatus,
    Item,
    ItemCategory,
    OperatorType,
    PackUnit,
    Region,
    RegionLevel,
)

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


def create_depot(data: dict) -> Depot:
    """Add a depot to the network. `data` holds the validated fields and `region_code`."""
    depot = Depot(status=DepotStatus.ACTIVE)
    _apply_depot_fields(depot, data)
    Session.add(depot)
    Session.commit()
    return depot


def update_depot(depot_id: int, changes: dict) -> Depot:
    """Change some of a depot's fields; a closed depot can no longer be edited."""
    depot = get_depot(depot_id)
    if depot.status == DepotStatus.CLOSED:
        raise ConflictError(_("This depot is closed and can no longer be edited."))
    _apply_depot_fields(depot, changes)
    Session.commit()
    return depot


def close_depot(depot_id: int) -> Depot:
    depot = get_depot(depot_id)
    if depot.status == DepotStatus.CLOSED:
        raise ConflictError(_("This depot is already closed."))
    depot.status, depot.closed_at = DepotStatus.CLOSED, utcnow()
    Session.commit()
    return depot


def _apply_depot_fields(depot: Depot, data: dict) -> None:
    """Check the rules that need the database, then copy the fields; raises before any write."""
    try:
        if "code" in data and data["code"] != depot.code:
            _ensure_code_free(Depot, data["code"], "depot")
        if "region_code" in data:
            depot.region = _region_by_code(data["region_code"])
        _copy_fields(depot, data, DEPOT_FIELDS)
        _check_region_fits_level(depot)
        _default_coordinates(depot)
    except DomainError:
        Session.rollback()
        raise


def _copy_fields(target, data: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            value = data[name]
            setattr(target, name, ENUM_FIELDS[name](value) if name in ENUM_FIELDS and value is not None else value)


def _ensure_code_free(model, code: str, what: str) -> None:
    if Session.scalar(select(model.id).where(model.code == code)) is not None:
        raise ConflictError(_("Code %(code)s is already used.", code=code), {"code": [_("Code %(code)s is already used.", code=code)]})


def _region_by_code(code: str) -> Region:
    region = Session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise DomainError(_("Unknown region."), {"region_code": [_("No region has code %(code)s.", code=code)]})
    return region


def _check_region_fits_level(depot: Depot) -> None:
    allowed = REGION_LEVELS_FOR_DEPOT[DepotLevel(depot.level)]
    if depot.region is not None and depot.region.level not in allowed:
        names = " or ".join(sorted(level.value for level in allowed))
        raise DomainError("Region does not fit the depot level.",
                          {"region_code": [f"A {DepotLevel(depot.level).value} depot must stand in a {names}."]})


def _default_coordinates(depot: Depot) -> None:
    """A depot entered without coordinates takes its region's point."""
    if depot.latitude is None or depot.longitude is None:
        if depot.region is None or depot.region.latitude is None:
            raise DomainError(_("Coordinates needed."), {"latitude": [_("Give the depot's coordinates.")]})
        depot.latitude, depot.longitude = depot.region.latitude, depot.region.longitude


def get_depot(depot_id: int) -> Depot:
    depot = Session.get(Depot, depot_id)
    if depot is None:
        raise NotFoundError(f"No depot with id {depot_id}.")
    return depot


def assign_clerk(depot_id: int, username: str) -> Depot:
    """Bind a clerk to a depot, so they can act there."""
    depot = get_depot(depot_id)
    user = Session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise DomainError(_("Unknown user."), {"username": [_("No user '%(username)s'.", username=username)]})
    if user.role != Role.CLERK:
        raise DomainError(_("Only clerks are bound to depots."),
                          {"username": [_("%(username)s is not a clerk.", username=username)]})
    if user not in depot.clerks:
        depot.clerks.append(user)
    Session.commit()
    return depot


def unassign_clerk(depot_id: int, user_id: int) -> Depot:
    depot = get_depot(depot_id)
    depot.clerks = [clerk for clerk in depot.clerks if clerk.id != user_id]
    Session.commit()
    return depot


def create_item(data: dict) -> Item:
    """Add an item to the catalog. `data` may hold `pack_units`: a list of {name, factor}."""
    item = Item()
    _apply_item_fields(item, data)
    Session.add(item)
    Session.commit()
    return item


def update_item(item_id: int, changes: dict) -> Item:
    item = get_item(item_id)
    _apply_item_fields(item, changes)
    Session.commit()
    return item


def _apply_item_fields(item: Item, data: dict) -> None:
    try:
        if "code" in data and data["code"] != item.code:
            _ensure_code_free(Item, data["code"], "item")
        _copy_fields(item, data, ITEM_FIELDS)
        _check_rotation_lead(item)
        if "pack_units" in data:
            _replace_pack_units(item, data["pack_units"])
    except DomainError:
        Session.rollback()
        raise


def _check_rotation_lead(item: Item) -> None:
    if item.shelf_life_days is not None and (item.rotation_lead_days or 0) >= item.shelf_life_days:
        raise DomainError(_("Rotation lead time too long."),
                          {"rotation_lead_days": [_("Must be shorter than the shelf life.")]})


def _replace_pack_units(item: Item, pack_units: list[dict]) -> None:
    names = [unit["name"].strip() for unit in pack_units]
    if len(set(names)) != len(names):
        raise DomainError(_("Pack unit names repeat."), {"pack_units": [_("Each pack unit needs its own name.")]})
    if item.base_unit in names:
        raise DomainError("Pack unit named like the base unit.",
                          {"pack_units": [f"'{item.base_unit}' is already the base unit."]})
    item.pack_units = [PackUnit(name=unit["name"].strip(), factor=int(unit["factor"])) for unit in pack_units]


def get_item(item_id: int) -> Item:
    item = Session.get(Item, item_id)
    if item is None:
        raise NotFoundError(f"No item with id {item_id}.")
    return item


def to_base_units(item: Item, quantity: int | Decimal, unit: str) -> int:
    """Convert a quantity entered in a pack unit (or the base unit) to base units."""
    if unit == item.base_unit:
        return int(quantity)
    for pack in item.pack_units:
        if pack.name == unit:
            return int(quantity) * pack.factor
    raise DomainError("Unknown unit.", {"unit": [f"{item.name} is counted in {item.base_unit} or its packs."]})
