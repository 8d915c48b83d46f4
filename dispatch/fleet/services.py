"""Keeping the fleet: the vehicles stationed at a depot, vehicles requisitioned for an incident, mode figures."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.access import ensure_role
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, LinePath, NotFoundError, refuse_lines
from core.models import Role, User
from dispatch.fleet.models import DepotAccess, DepotVehicle, Mode, RequisitionedVehicle, TransportMode
from dispatch.incidents.queries import get_incident
from dispatch.incidents.services import ensure_active
from inventory.network.queries import get_active_depot

PLANNERS = (Role.ADMIN, Role.DISPATCHER)
LIMITS = {"capacity_kg": (1, 100_000), "capacity_m3": (Decimal("0.1"), Decimal(500)), "speed_kmh": (10, 150),
          "fixed_cost": (Decimal(0), Decimal(1_000_000)), "cost_per_km": (Decimal(0), Decimal(10_000))}


@dataclass
class VehicleSpec:
    """A kind of vehicle: what it carries, how fast it goes, what it costs."""

    vehicle_type: str
    capacity_kg: int
    capacity_m3: Decimal
    speed_kmh: int
    cost_per_km: Decimal
    fixed_cost: Decimal = Decimal("0")
    count: int = 1


def check_vehicle(spec: VehicleSpec, path: LinePath | None = None) -> dict:
    """Field errors of a vehicle's figures (no database needed)."""
    def error(field: str, message: str) -> dict:
        return path.error(field, message) if path else {field: [message]}

    errors: dict = {}
    if not (spec.vehicle_type or "").strip():
        errors |= error("vehicle_type", _("Required."))
    for field, (least, most) in LIMITS.items():
        value = getattr(spec, field)
        if value is None or not least <= value <= most:
            errors |= error(field, _("Between %(least)s and %(most)s.", least=least, most=most))
    if not 0 <= spec.count <= 1000:
        errors |= error("count", _("Between 0 and 1000."))
    return errors


@unit_of_work
def set_depot_fleet(depot_id: int, vehicles: list[VehicleSpec], modes: set[str], actor: User) -> list[DepotVehicle]:
    """Replace the vehicles stationed at a depot (one row per vehicle type, with its count) and the modes beyond
    road it can load onto (a freight siding, an airfield nearby)."""
    ensure_role(actor, *PLANNERS)
    depot = get_active_depot(depot_id)
    names = [spec.vehicle_type.strip() for spec in vehicles]
    errors = [DomainError(_("The vehicle has invalid figures."), found)
              for index, spec in enumerate(vehicles) if (found := check_vehicle(spec, LinePath(index)))]
    errors += [DomainError(_("A vehicle type repeats."), LinePath(index).error("vehicle_type", _("Listed twice.")))
               for index, name in enumerate(names) if name in names[:index]]
    if errors:
        raise refuse_lines(errors)
    _remove_each(DepotVehicle, depot.id)
    rows = [DepotVehicle(depot_id=depot.id, vehicle_type=spec.vehicle_type.strip(), count=spec.count,
                         capacity_kg=spec.capacity_kg, capacity_m3=spec.capacity_m3, speed_kmh=spec.speed_kmh,
                         fixed_cost=spec.fixed_cost, cost_per_km=spec.cost_per_km) for spec in vehicles if spec.count]
    Session.add_all(rows)
    _remove_each(DepotAccess, depot.id)
    Session.add_all(DepotAccess(depot_id=depot.id, mode=mode) for mode in {Mode(m) for m in modes} - {Mode.ROAD})
    Session.flush()
    return rows


def _remove_each(model, depot_id: int) -> None:
    """Delete a depot's rows one by one (so the audit log names each) before their replacements go in."""
    for row in Session.scalars(select(model).where(model.depot_id == depot_id)):
        Session.delete(row)
    Session.flush()


@dataclass
class Requisition:
    owner: str
    plate: str
    depot_id: int
    spec: VehicleSpec
    driver_name: str | None = None
    driver_phone: str | None = None


@unit_of_work
def requisition_vehicle(incident_id: int, requisition: Requisition, actor: User) -> RequisitionedVehicle:
    """Record a vehicle requisitioned for the incident (征用); it reports for loading at a depot."""
    ensure_role(actor, *PLANNERS)
    incident = get_incident(incident_id)
    ensure_active(incident)
    errors = check_vehicle(requisition.spec)
    errors.pop("count", None)
    if not (requisition.owner or "").strip():
        errors["owner"] = [_("Name the owner.")]
    if not (requisition.plate or "").strip():
        errors["plate"] = [_("Give the plate number.")]
    if errors:
        raise DomainError(_("The vehicle has invalid fields."), errors)
    depot = get_active_depot(requisition.depot_id)
    spec = requisition.spec
    vehicle = RequisitionedVehicle(
        incident_id=incident.id, depot_id=depot.id, owner=requisition.owner.strip(),
        plate=requisition.plate.strip().upper(), vehicle_type=spec.vehicle_type.strip(),
        driver_name=(requisition.driver_name or "").strip() or None,
        driver_phone=(requisition.driver_phone or "").strip() or None, capacity_kg=spec.capacity_kg,
        capacity_m3=spec.capacity_m3, speed_kmh=spec.speed_kmh, fixed_cost=spec.fixed_cost,
        cost_per_km=spec.cost_per_km)
    Session.add(vehicle)
    try:
        Session.flush()
    except IntegrityError as error:
        raise ConflictError(_("Plate %(plate)s is already requisitioned for this incident.", plate=vehicle.plate),
                            {"plate": [_("Already requisitioned.")]}) from error
    return vehicle


@unit_of_work
def release_vehicle(incident_id: int, vehicle_id: int, actor: User) -> None:
    """Give a requisitioned vehicle back (it no longer counts for new plans)."""
    ensure_role(actor, *PLANNERS)
    vehicle = Session.scalar(select(RequisitionedVehicle).where(RequisitionedVehicle.id == vehicle_id,
                                                                RequisitionedVehicle.incident_id == incident_id))
    if vehicle is None:
        raise NotFoundError(_("No requisitioned vehicle %(id)s in this incident.", id=vehicle_id))
    Session.delete(vehicle)


@dataclass
class ModeFigures:
    mode: str
    speed_kmh: Decimal
    detour: Decimal
    handling_hours: Decimal
    cost_per_tkm: Decimal
    access_km: Decimal = Decimal("0")


MODE_BOUNDS = {"speed_kmh": (1, 1000), "detour": (1, 3), "handling_hours": (0, 72), "cost_per_tkm": (0, 1000),
               "access_km": (0, 500)}


@unit_of_work
def set_modes(changes: list[ModeFigures], actor: User) -> list[TransportMode]:
    """Change the modes' speed, detour, handling time, rate and access legs (administrators)."""
    ensure_role(actor, Role.ADMIN)
    errors = [DomainError(_("The mode has invalid figures."), found)
              for index, figures in enumerate(changes) if (found := _check_mode(figures, LinePath(index)))]
    if errors:
        raise refuse_lines(errors)
    return [_set_mode(figures) for figures in changes]


def _check_mode(figures: ModeFigures, path: LinePath) -> dict:
    errors: dict = {}
    for field, (least, most) in MODE_BOUNDS.items():
        value = getattr(figures, field)
        if value is None or not least <= value <= most:
            errors |= path.error(field, _("Between %(least)s and %(most)s.", least=least, most=most))
    return errors


def _set_mode(figures: ModeFigures) -> TransportMode:
    mode = Mode(figures.mode)
    row = Session.get(TransportMode, mode) or TransportMode(mode=mode)
    for field in MODE_BOUNDS:
        setattr(row, field, getattr(figures, field))
    Session.add(row)
    return row
