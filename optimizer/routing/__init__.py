"""Vehicle routing for the road legs of an allocation plan.

``plan_routes`` turns loads (depot -> demand point, weight, volume, due time) into
vehicle routes for a multi-depot heterogeneous fleet. Loads bigger than any vehicle
are split: full truckloads go first as direct out-and-back trips, the remainder is
routed with OR-Tools (multiple start/end depots, weight and volume capacities, due
times as time windows). Loads that cannot be routed are returned with a reason.

Units inside the solver are integers: metres, seconds, kilograms (rounded up for
loads, down for capacities), litres, and cost in hundredths.
"""

from optimizer.routing.matrices import haversine_matrix_m
from optimizer.routing.plan import plan_routes
from optimizer.routing.problem import (
    Depot,
    Load,
    Route,
    RouteStop,
    RoutingProblem,
    RoutingResult,
    Stop,
    UnroutedLoad,
    UnroutedReason,
    VehicleType,
)

__all__ = [
    "Depot",
    "Load",
    "Route",
    "RouteStop",
    "RoutingProblem",
    "RoutingResult",
    "Stop",
    "UnroutedLoad",
    "UnroutedReason",
    "VehicleType",
    "haversine_matrix_m",
    "plan_routes",
]
