"""Plain input and output dataclasses of the allocation model.

Quantities are integers in the item's unit; times are hours after the incident
started; money is in the currency of the cost rates (two decimals in results).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS: tuple[str, ...] = ("township", "county", "municipal", "provincial", "central")
"""Source levels, lowest (most local) first: the order dispatchers escalate in."""

MODES: tuple[str, ...] = ("road", "rail", "air")

UNMET_REASONS: tuple[str, ...] = ("no_stock_in_reach", "not_allowed_at_level", "too_late", "agreement_too_slow")


@dataclass(frozen=True)
class Item:
    """A catalogue item; weight and volume are per unit."""

    id: str
    unit_weight_kg: float
    unit_volume_m3: float = 0.0


@dataclass(frozen=True)
class Source:
    """A depot (stock on hand) or a capacity agreement (production after a lead time).

    Depot: ``stock`` and ``protected`` map item id to units; the protected minimum stays in the
    depot unless the response level releases it.
    Agreement: produces ``agreement_item`` at ``daily_capacity`` units/day starting
    ``lead_time_hours`` after activation (activation = incident start), at most ``cap`` units.

    ``allowed`` and ``release_protected`` override the response rule for this one source (None follows the
    rule by level): the dispatcher decides them from the incident's responses, e.g. a county depot outside the
    responding authority's jurisdiction is not allowed even when county level is.
    """

    id: str
    kind: str  # "depot" | "agreement"
    level: str  # one of LEVELS
    lat: float
    lon: float
    modes: frozenset[str] = frozenset({"road"})
    stock: dict[str, int] = field(default_factory=dict)
    protected: dict[str, int] = field(default_factory=dict)
    agreement_item: str | None = None
    daily_capacity: int = 0
    lead_time_hours: float = 0.0
    cap: int = 0
    allowed: bool | None = None
    release_protected: bool | None = None

    def produced_by(self, hours: float) -> int:
        """Whole units an agreement has produced ``hours`` after activation (0 for depots)."""
        if self.kind != "agreement" or hours <= self.lead_time_hours:
            return 0
        return min(self.cap, int(self.daily_capacity * (hours - self.lead_time_hours) / 24.0 + 1e-9))


@dataclass(frozen=True)
class DemandPoint:
    """A place that needs supplies. ``priority`` is a positive weight: larger is more urgent."""

    id: str
    lat: float
    lon: float
    modes: frozenset[str] = frozenset({"road"})
    priority: int = 1


@dataclass(frozen=True)
class Demand:
    """Quantity of one item needed at one point by ``due_hours``.

    ``phases`` optionally splits it over time, e.g. ``((10, 800), (48, 200))`` for a peak and a tail;
    the phase quantities must add up to ``quantity``.
    """

    point: str
    item: str
    quantity: int
    due_hours: float = 10.0
    phases: tuple[tuple[float, int], ...] | None = None

    def periods(self) -> tuple[tuple[float, int], ...]:
        """(due hours, quantity) per period; a single period when not phased."""
        return self.phases if self.phases else ((self.due_hours, self.quantity),)


@dataclass(frozen=True)
class ResponseRule:
    """Which source levels may supply at a response level, and whether protected minimums are released."""

    source_levels: frozenset[str]
    release_protected: bool = False


DEFAULT_RULES: dict[str, ResponseRule] = {
    # IV is the least severe response level, I the most severe: local first, escalating upward.
    "IV": ResponseRule(frozenset({"township", "county"})),
    "III": ResponseRule(frozenset({"township", "county", "municipal"})),
    "II": ResponseRule(frozenset({"township", "county", "municipal", "provincial"})),
    "I": ResponseRule(frozenset(LEVELS), release_protected=True),
}


@dataclass
class AllocationProblem:
    """Everything the allocation model needs.

    A delivery arriving after its due time is late but still counts, up to ``max_lateness_hours``
    after the due time; later than that it does not count (the demand stays unmet, reason too_late).
    """

    sources: list[Source]
    points: list[DemandPoint]
    demands: list[Demand]
    items: list[Item]
    response_level: str = "II"
    rules: dict[str, ResponseRule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    max_lateness_hours: float = 48.0

    def rule(self) -> ResponseRule:
        return self.rules[self.response_level]

    def allows(self, source: Source) -> bool:
        """Whether ``source`` may supply: its own override, else the response rule for its level."""
        return source.level in self.rule().source_levels if source.allowed is None else source.allowed

    def releases_protected(self, source: Source) -> bool:
        """Whether ``source``'s protected minimum may go: its own override, else the response rule."""
        return self.rule().release_protected if source.release_protected is None else source.release_protected


@dataclass(frozen=True)
class AllocationLine:
    """Ship ``quantity`` of ``item`` from ``source`` to ``point`` by ``mode`` for demand period ``period``.

    ``eta_hours`` is the guaranteed arrival (for an agreement: its due time when on time, else the end
    of the lateness window, i.e. the latest time its production schedule still guarantees);
    ``cost`` is the transport cost of the whole quantity.
    """

    source: str
    level: str
    point: str
    item: str
    mode: str
    period: int
    quantity: int
    eta_hours: float
    cost: float
    late: bool = False
    tonne_km: float = 0.0


@dataclass(frozen=True)
class Unmet:
    """Demand left unserved, with the reason (one of UNMET_REASONS).

    ``opening_level``: for ``not_allowed_at_level``, the lowest (most local) level among the sources not allowed
    to supply that hold the item and reach the point within its lateness window, i.e. the level a wider
    response would have to open; None for other reasons, or when only protected minimums hold the stock back.
    """

    point: str
    item: str
    quantity: int
    reason: str
    period: int = 0
    opening_level: str | None = None


@dataclass(frozen=True)
class Objectives:
    """Values of the five lexicographic levels, most important first."""

    unmet_weighted: float  # (1) sum of priority x unmet units
    late_weighted: float  # (2) sum of priority x units arriving after their due time
    worst_shortfall: float  # (3) max over points and items of unmet / demanded
    time_weighted: float  # (4) sum of units x ETA hours
    cost: float  # (5) transport cost

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        return (self.unmet_weighted, self.late_weighted, self.worst_shortfall, self.time_weighted, self.cost)


@dataclass(frozen=True)
class Kpis:
    """Plan quality as a dispatcher reads it."""

    fill_rate: float  # delivered / demanded units
    on_time_share: float  # units delivered by their due time / demanded units
    worst_point_fill_rate: float  # min over points of its worst item's fill rate
    latest_eta_hours: float
    tonne_km: float
    cost: float


@dataclass
class AllocationResult:
    lines: list[AllocationLine]
    unmet: list[Unmet]
    kpis: Kpis
    objectives: Objectives
    solve_seconds: float
    stats: dict[str, float] = field(default_factory=dict)


def lex_leq(a: Objectives, b: Objectives, rel_tol: float = 1e-9) -> bool:
    """True when ``a`` is lexicographically no worse than ``b`` (with a small tolerance per level)."""
    for x, y in zip(a.as_tuple(), b.as_tuple(), strict=True):
        tol = rel_tol * max(1.0, abs(x), abs(y))
        if x < y - tol:
            return True
        if x > y + tol:
            return False
    return True


def evaluate(problem: AllocationProblem, lines: list[AllocationLine], unmet: list[Unmet]) -> tuple[Objectives, Kpis]:
    """Objective levels and KPIs of any plan (the optimizer's or the greedy baseline's), computed the same way."""
    prio = {p.id: p.priority for p in problem.points}
    demanded: dict[tuple[str, str], int] = {}
    for d in problem.demands:
        demanded[(d.point, d.item)] = demanded.get((d.point, d.item), 0) + d.quantity
    short: dict[tuple[str, str], int] = {}
    for u in unmet:
        short[(u.point, u.item)] = short.get((u.point, u.item), 0) + u.quantity
    worst = max((short.get(k, 0) / q for k, q in demanded.items() if q > 0), default=0.0)
    total = sum(demanded.values())
    delivered = sum(ln.quantity for ln in lines)
    on_time = sum(ln.quantity for ln in lines if not ln.late)
    objectives = Objectives(
        unmet_weighted=float(sum(prio[u.point] * u.quantity for u in unmet)),
        late_weighted=float(sum(prio[ln.point] * ln.quantity for ln in lines if ln.late)),
        worst_shortfall=worst,
        time_weighted=round(sum(ln.quantity * ln.eta_hours for ln in lines), 6),
        cost=round(sum(ln.cost for ln in lines), 6),
    )
    kpis = Kpis(
        fill_rate=delivered / total if total else 1.0,
        on_time_share=on_time / total if total else 1.0,
        worst_point_fill_rate=_worst_point_fill(demanded, short),
        latest_eta_hours=max((ln.eta_hours for ln in lines), default=0.0),
        tonne_km=round(sum(ln.tonne_km for ln in lines), 3),
        cost=objectives.cost,
    )
    return objectives, kpis


def _worst_point_fill(demanded: dict[tuple[str, str], int], short: dict[tuple[str, str], int]) -> float:
    # A point is as well served as its worst-served item: plenty of blankets does not make up for no water.
    worst = 1.0
    for key, qty in demanded.items():
        if qty > 0:
            worst = min(worst, 1.0 - short.get(key, 0) / qty)
    return worst
