"""``plan_routes``: full truckloads first, then the routing engine for the rest; unrouted loads with a reason."""

from __future__ import annotations

from optimizer.routing.matrices import Context
from optimizer.routing.problem import Route, RoutingProblem, RoutingResult, UnroutedLoad, UnroutedReason
from optimizer.routing.pyvrp_model import RoutingModel
from optimizer.routing.split import Fleet, Piece, drop_reason, due_order, fleet_of, split_load, unrouted_load


def plan_routes(problem: RoutingProblem, time_limit_s: float, *, seed: int = 0) -> RoutingResult:
    """Route every load with the vehicles of a depot that may supply it; report the loads that cannot be routed
    and why (no vehicle big enough, window cannot be met, fleet exhausted).

    Loads are served in due-time order when vehicles are assigned to full truckloads. Each vehicle makes one
    trip (leaves its depot, delivers, returns). A load naming alternative depots goes from whichever makes the
    routes cheaper; no delivery arrives after its due time. ``time_limit_s`` bounds the PyVRP search for the
    pieces left after full truckloads; ``seed`` fixes its random choices.
    """
    ctx = Context(problem)
    fleet = fleet_of(problem)
    routes: list[Route] = []
    unrouted: list[UnroutedLoad] = []
    pieces: list[Piece] = []
    for load in sorted(problem.loads, key=due_order):
        direct, piece, missing = split_load(ctx, load, fleet)
        routes += direct
        pieces += [piece] if piece else []
        unrouted += [missing] if missing else []
    pieces = [_with_free_depots(p, fleet) for p in pieces]
    unrouted += [unrouted_load(p.load, p.share, UnroutedReason.FLEET_EXHAUSTED) for p in pieces if not p.depots]
    groups = _independent_groups([p for p in pieces if p.depots])
    total = sum(len(group) for group in groups)
    for group in groups:
        vehicles = [v for d in sorted({d for p in group for d in p.depots}) for v in fleet[d]]
        model = RoutingModel(ctx, group, vehicles, seed)
        served_routes, served = model.routes(model.solve(time_limit_s * len(group) / total))
        routes += served_routes
        unrouted += [
            unrouted_load(p.load, p.share, drop_reason(ctx, p)) for i, p in enumerate(group) if i not in served
        ]
    return RoutingResult(routes, unrouted)


def _with_free_depots(piece: Piece, fleet: Fleet) -> Piece:
    # Full truckloads of later loads may have taken a depot's last vehicles.
    return Piece(piece.load, piece.share, tuple(d for d in piece.depots if fleet[d]))


def _independent_groups(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces in groups that share no depot, so each group is routed on its own (fewer load dimensions)."""
    parent: dict[int, int] = {}

    def root(d: int) -> int:
        while parent.setdefault(d, d) != d:
            d = parent[d]
        return d

    for piece in pieces:
        for d in piece.depots[1:]:
            parent[root(d)] = root(piece.depots[0])
    groups: dict[int, list[Piece]] = {}
    for piece in pieces:
        groups.setdefault(root(piece.depots[0]), []).append(piece)
    return list(groups.values())
