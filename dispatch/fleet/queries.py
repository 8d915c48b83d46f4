"""The fleet and the transport modes as planning and the pages read them."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.db import Session
from dispatch.fleet.models import DepotAccess, DepotVehicle, Mode, RequisitionedVehicle, TransportMode
from optimizer.travel import DEFAULT_MODES, ModeParams


def mode_params() -> dict[str, ModeParams]:
    """Each mode's speed, detour, handling and rate: the stored figures, else the optimizer's defaults."""
    params = dict(DEFAULT_MODES)
    for row in Session.scalars(select(TransportMode)):
        params[row.mode.value] = ModeParams(detour=float(row.detour), speed_kmh=float(row.speed_kmh),
                                            handling_hours=float(row.handling_hours),
                                            cost_per_tkm=float(row.cost_per_tkm), access_km=float(row.access_km))
    return params


def list_modes() -> list[TransportMode]:
    return list(Session.scalars(select(TransportMode).order_by(TransportMode.mode)))


def depot_access(depot_ids: list[int] | None = None) -> dict[int, set[str]]:
    """The modes beyond road each depot can load onto."""
    statement = select(DepotAccess.depot_id, DepotAccess.mode)
    if depot_ids is not None:
        statement = statement.where(DepotAccess.depot_id.in_(depot_ids))
    access: dict[int, set[str]] = defaultdict(set)
    for depot_id, mode in Session.execute(statement):
        access[depot_id].add(Mode(mode).value)
    return access


def depot_fleets(depot_ids: list[int]) -> dict[int, list[DepotVehicle]]:
    fleets: dict[int, list[DepotVehicle]] = defaultdict(list)
    if depot_ids:
        for vehicle in Session.scalars(select(DepotVehicle).where(DepotVehicle.depot_id.in_(depot_ids),
                                                                  DepotVehicle.count > 0)
                                       .order_by(DepotVehicle.depot_id, DepotVehicle.capacity_kg)):
            fleets[vehicle.depot_id].append(vehicle)
    return fleets


def list_depot_fleet(depot_id: int) -> list[DepotVehicle]:
    return list(Session.scalars(select(DepotVehicle).where(DepotVehicle.depot_id == depot_id)
                                .order_by(DepotVehicle.capacity_kg)))


def requisitioned_vehicles(incident_id: int) -> list[RequisitionedVehicle]:
    return list(Session.scalars(select(RequisitionedVehicle).where(RequisitionedVehicle.incident_id == incident_id)
                                .options(joinedload(RequisitionedVehicle.depot)).order_by(RequisitionedVehicle.id)))


def planned_vehicle(vehicle_type: str) -> DepotVehicle | None:
    """The depot vehicle type a plan's route drives ("v<id>" in the plan), while it still exists."""
    if vehicle_type.startswith("v") and vehicle_type[1:].isdigit():
        return Session.get(DepotVehicle, int(vehicle_type[1:]))
    return None
