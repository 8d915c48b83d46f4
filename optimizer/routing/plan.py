"""``plan_routes``: full truckloads first, then one routing model for the rest; unrouted loads with a reason."""

from __future__ import annotations

from optimizer.routing.matrices import Context
from optimizer.routing.ortools_model import RoutingModel
from optimizer.routing.problem import Route, RoutingProblem, RoutingResult, UnroutedLoad, UnroutedReason
from optimizer.routing.split import Piece, due_order, fits, fleet_of, split_load, unrouted_load


def drop_reason(ctx: Context, piece: Piece) -> UnroutedReason:
    """Window if no vehicle type at the depot that fits the piece can reach it in time, else the fleet ran out."""
    depot = ctx.problem.depots[ctx.depot_index[piece.load.depot_id]]
    fitting = [t for t in depot.vehicles if t.count > 0 and fits(piece.weight_kg, piece.volume_m3, t)]
    if any(ctx.meets_due(piece.load, t) for t in fitting):
        return UnroutedReason.FLEET_EXHAUSTED
    return UnroutedReason.WINDOW_CANNOT_BE_MET


def plan_routes(problem: RoutingProblem, time_limit_s: float) -> RoutingResult:
    """Route every load with its depot's vehicles; report the loads that cannot be routed and why.

    Loads are served in due-time order when vehicles are assigned to full truckloads.
    Each vehicle makes one trip (leaves its depot, delivers, returns). ``time_limit_s``
    bounds the OR-Tools search for the loads left after full truckloads.
    """
    ctx = Context(problem)
    fleet = fleet_of(problem)
    routes: list[Route] = []
    unrouted: list[UnroutedLoad] = []
    pieces: list[Piece] = []
    for load in sorted(problem.loads, key=due_order):
        if load.depot_id not in ctx.depot_index or load.stop_id not in ctx.stop_location:
            raise ValueError(f"load {load.id}: unknown depot {load.depot_id} or stop {load.stop_id}")
        free = fleet[ctx.depot_index[load.depot_id]]
        direct, piece, missing = split_load(ctx, load, free)
        routes += direct
        pieces += [piece] if piece else []
        unrouted += [missing] if missing else []
    # An empty allowed-vehicle list means "any vehicle" to OR-Tools, so pieces whose depot
    # has no free vehicle left must not reach the model.
    stranded = [p for p in pieces if not fleet[ctx.depot_index[p.load.depot_id]]]
    unrouted += [unrouted_load(p.load, p.share, UnroutedReason.FLEET_EXHAUSTED) for p in stranded]
    pieces = [p for p in pieces if p not in stranded]
    if pieces:
        model = RoutingModel(ctx, pieces, [v for free in fleet.values() for v in free])
        solution = model.solve(time_limit_s)
        routes += model.routes(solution) if solution is not None else []
        unrouted += [unrouted_load(p.load, p.share, drop_reason(ctx, p)) for p in model.dropped(solution)]
    return RoutingResult(routes, unrouted)
