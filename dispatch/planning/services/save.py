"""Saving a solved plan: one short transaction writes the plan, its lines, unmet demand and routes, and marks the
job finished. A crash before it commits leaves nothing of the plan behind."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, insert, select, update

from core import clock
from core.db import Session, transaction
from dispatch.planning.models import JobStatus, PlanningJob
from dispatch.planning.services.snapshot import Snapshot, approved_plan_ids
from dispatch.planning.services.solve import DraftLine, DraftPlan
from dispatch.plans.models import Plan, PlanLine, PlanRoute, PlanStop, PlanStopLoad, PlanUnmet, SourceKind
from inventory.stock.models import Lot, Reservation


def save_plan(job: PlanningJob, snapshot: Snapshot, draft: DraftPlan) -> Plan:
    """Write the plan and finish the job in one transaction (rows in bulk: a national plan has tens of thousands)."""
    with transaction():
        plan = Plan(incident_id=snapshot.incident_id, number=_next_number(snapshot.incident_id),
                    demand_version_id=snapshot.version_id, snapshot_at=snapshot.taken_at,
                    created_by_id=job.requested_by_id, kpis=draft.kpis, allocation_kpis=draft.allocation_kpis,
                    baseline_kpis=draft.baseline_kpis, objectives=draft.objectives,
                    open_levels=[opening.as_dict() for opening in snapshot.openings],
                    stats={"counts": snapshot.counts, "solver": draft.stats,
                           "stock_changed_sources": _stock_changed(snapshot, draft.lines)})
        Session.add(plan)
        Session.flush()
        line_ids = _insert(PlanLine, [_plan_line(plan.id, snapshot, line) for line in draft.lines])
        _insert(PlanUnmet, _plan_unmet(plan.id, snapshot, draft), returning=False)
        _save_routes(plan.id, snapshot, draft, line_ids)
        _finish(job.id, plan.id, {**draft.seconds, "snapshot": snapshot.seconds})
    return plan


def _insert(model, rows: list[dict], returning: bool = True) -> list[int]:
    """Insert many rows at once; their ids in the order of `rows`."""
    if not rows:
        return []
    if not returning:
        Session.execute(insert(model), rows)
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(Session.scalars(statement, rows))


def _next_number(incident_id: int) -> int:
    return (Session.scalar(select(func.max(Plan.number)).where(Plan.incident_id == incident_id)) or 0) + 1


def _plan_line(plan_id: int, snapshot: Snapshot, draft: DraftLine) -> dict:
    line = draft.line
    depot = snapshot.depots.get(line.source)
    return {"plan_id": plan_id, "source_kind": SourceKind.DEPOT if depot else SourceKind.AGREEMENT,
            "depot_id": depot.depot_id if depot else None,
            "agreement_id": None if depot else snapshot.agreements[line.source], "source_level": line.level,
            "area_id": snapshot.areas[line.point], "item_id": snapshot.items[line.item].id, "mode": line.mode,
            "period": line.period, "quantity": draft.quantity, "due_hours": draft.due_hours,
            "eta_hours": line.eta_hours, "arrival_hours": draft.arrival_hours,
            "on_time_quantity": draft.on_time_quantity, "cost": Decimal(str(draft.cost)),
            "tonne_km": Decimal(str(draft.tonne_km))}


def _plan_unmet(plan_id: int, snapshot: Snapshot, draft: DraftPlan) -> list[dict]:
    return [{"plan_id": plan_id, "area_id": snapshot.areas[gap.point], "item_id": snapshot.items[gap.item].id,
             "period": gap.period, "quantity": gap.quantity, "reason": gap.reason, "opening_level": gap.opening_level}
            for gap in draft.unmet if gap.quantity > 0]


def _save_routes(plan_id: int, snapshot: Snapshot, draft: DraftPlan, line_ids: list[int]) -> None:
    handling = snapshot.modes["road"].handling_hours
    route_ids = _insert(PlanRoute, [{
        "plan_id": plan_id, "depot_id": snapshot.depots[route.depot_id].depot_id, "vehicle_label": route.vehicle_id,
        "vehicle_type": route.vehicle_type, "requisitioned_vehicle_id": snapshot.requisitioned.get(route.vehicle_type),
        "distance_km": Decimal(str(round(route.distance_km, 1))), "cost": Decimal(str(round(route.cost, 2))),
        "return_hours": route.return_h, "full_truckload": route.full_truckload} for route in draft.routes])
    places = [(r, s) for r, route in enumerate(draft.routes) for s in range(len(route.stops))]
    stop_ids = _insert(PlanStop, [{
        "route_id": route_ids[r], "sequence": s + 1, "area_id": snapshot.areas[draft.routes[r].stops[s].stop_id],
        "arrival_hours": draft.routes[r].stops[s].arrival_h + handling,
        "weight_kg": Decimal(str(round(draft.routes[r].stops[s].weight_kg, 1))),
        "volume_m3": Decimal(str(round(draft.routes[r].stops[s].volume_m3, 2)))} for r, s in places])
    stop_of = dict(zip(places, stop_ids))
    _insert(PlanStopLoad, [{"stop_id": stop_of[(piece.route_index, piece.stop_index)], "line_id": line_id,
                            "quantity": piece.quantity}
                           for line_id, draft_line in zip(line_ids, draft.lines) for piece in draft_line.pieces],
            returning=False)


def _stock_changed(snapshot: Snapshot, lines: list[DraftLine]) -> int:
    """Sources whose free stock fell below what the plan takes since the snapshot (approval re-checks it)."""
    planned: dict[tuple[int, int], int] = {}
    for draft in lines:
        depot = snapshot.depots.get(draft.line.source)
        if depot:
            key = (depot.depot_id, snapshot.items[draft.line.item].id)
            planned[key] = planned.get(key, 0) + draft.quantity
    if not planned:
        return 0
    depots = {depot for depot, _item in planned}
    rows = Session.execute(select(Lot.depot_id, Lot.item_id, func.sum(Lot.on_hand - Lot.reserved))
                           .where(Lot.depot_id.in_(depots), Lot.in_transit.is_(False))
                           .group_by(Lot.depot_id, Lot.item_id))
    free = {(depot, item): int(total or 0) for depot, item, total in rows}
    releasing = approved_plan_ids(snapshot.incident_id)  # approving this plan frees what they hold
    held = Session.execute(select(Lot.depot_id, Lot.item_id, func.sum(Reservation.quantity))
                           .join(Lot, Lot.id == Reservation.lot_id)
                           .where(Reservation.holder == "plan", Reservation.holder_id.in_(releasing))
                           .group_by(Lot.depot_id, Lot.item_id)) if releasing else []
    for depot, item, total in held:
        free[(depot, item)] = free.get((depot, item), 0) + int(total or 0)
    return len({depot for (depot, item), quantity in planned.items() if free.get((depot, item), 0) < quantity})


def _finish(job_id: int, plan_id: int, seconds: dict) -> None:
    now = clock.utcnow()
    Session.execute(update(PlanningJob).where(PlanningJob.id == job_id).values(
        status=JobStatus.SUCCEEDED, progress=100, plan_id=plan_id, finished_at=now, heartbeat_at=now,
        stage_seconds=seconds))
