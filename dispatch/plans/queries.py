"""Plans read for their page, the API, the comparison and the export."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from core.db import Session
from core.errors import NotFoundError
from core.pagination import Page, paginate
from dispatch.demand.models import DemandLine
from dispatch.plans.models import Plan, PlanLine, PlanRoute, PlanStop, PlanUnmet, SourceKind

KPI_KEYS = ("fill_rate", "on_time_share", "worst_area_fill_rate", "latest_arrival_hours", "cost", "tonne_km")


def get_plan(plan_id: int) -> Plan:
    plan = Session.scalar(select(Plan).where(Plan.id == plan_id).options(
        joinedload(Plan.incident), joinedload(Plan.demand_version),
        selectinload(Plan.lines).joinedload(PlanLine.depot), selectinload(Plan.lines).joinedload(PlanLine.item),
        selectinload(Plan.lines).joinedload(PlanLine.area), selectinload(Plan.lines).joinedload(PlanLine.agreement),
        selectinload(Plan.unmet).joinedload(PlanUnmet.item), selectinload(Plan.unmet).joinedload(PlanUnmet.area),
        selectinload(Plan.routes).joinedload(PlanRoute.depot),
        selectinload(Plan.routes).selectinload(PlanRoute.stops).joinedload(PlanStop.area),
        selectinload(Plan.routes).selectinload(PlanRoute.stops).selectinload(PlanStop.loads)))
    if plan is None:
        raise NotFoundError(_("No plan %(id)s.", id=plan_id))
    return plan


def list_plans(page: int = 1, per_page: int = 25, incident_id: int | None = None) -> Page:
    statement = select(Plan).options(joinedload(Plan.incident)).order_by(Plan.created_at.desc(), Plan.id.desc())
    if incident_id:
        statement = statement.where(Plan.incident_id == incident_id)
    return paginate(statement, page, per_page)


def incident_plans(incident_id: int) -> list[Plan]:
    return list(Session.scalars(select(Plan).where(Plan.incident_id == incident_id).order_by(Plan.number.desc())))


@dataclass
class SourceGroup:
    """A source's lines in a plan: what leaves it, for which areas, and when it arrives."""

    kind: SourceKind
    code: str
    name: str
    level: str
    lines: list[PlanLine] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def cost(self):
        return sum(line.cost for line in self.lines)


def lines_by_source(plan: Plan) -> list[SourceGroup]:
    """Depots first by level (most local first) and code, then capacity agreements."""
    groups: dict[tuple, SourceGroup] = {}
    for line in plan.lines:
        if line.depot is not None:
            key = ("depot", line.depot_id)
            group = groups.setdefault(key, SourceGroup(SourceKind.DEPOT, line.depot.code, line.depot.name,
                                                       line.source_level.value))
        else:
            key = ("agreement", line.agreement_id)
            group = groups.setdefault(key, SourceGroup(SourceKind.AGREEMENT, f"#{line.agreement_id}",
                                                       line.agreement.enterprise_name, line.source_level.value))
        group.lines.append(line)
    order = ["township", "county", "municipal", "provincial", "central"]
    return sorted(groups.values(), key=lambda g: (g.kind != SourceKind.DEPOT, order.index(g.level)
                                                  if g.level in order else 9, g.code))


@dataclass
class AgreementToActivate:
    agreement_id: int
    enterprise: str
    item: str
    quantity: int
    lead_time_hours: int
    first_output_hours: float
    last_arrival_hours: float


def agreements_to_activate(plan: Plan) -> list[AgreementToActivate]:
    """Capacity agreements the plan draws on: activate them now; their output starts after the lead time."""
    by_agreement: dict[int, list[PlanLine]] = defaultdict(list)
    for line in plan.lines:
        if line.agreement_id is not None:
            by_agreement[line.agreement_id].append(line)
    result = []
    for agreement_id, lines in by_agreement.items():
        agreement = lines[0].agreement
        result.append(AgreementToActivate(agreement_id, agreement.enterprise_name, lines[0].item.name,
                                          sum(line.quantity for line in lines), agreement.lead_time_hours,
                                          float(agreement.lead_time_hours), max(line.arrival_hours for line in lines)))
    return sorted(result, key=lambda entry: entry.first_output_hours)


def demand_totals(plan: Plan) -> dict[str, int]:
    demanded = Session.scalar(select(func.coalesce(func.sum(DemandLine.quantity), 0))
                              .where(DemandLine.version_id == plan.demand_version_id)) or 0
    return {"demanded": int(demanded), "planned": sum(line.quantity for line in plan.lines),
            "on_time": sum(line.on_time_quantity for line in plan.lines),
            "unmet": sum(gap.quantity for gap in plan.unmet)}


def later_than_assumed(plan: Plan, tolerance_hours: float = 0.05) -> list[PlanLine]:
    """Lines whose routed arrival falls after what the allocation assumed."""
    return [line for line in plan.lines if line.arrival_hours > line.eta_hours + tolerance_hours]


def stops_by_route(plan: Plan) -> dict[int, list[PlanStop]]:
    return {route.id: list(route.stops) for route in plan.routes}


@dataclass
class ComparedRow:
    area: str
    item: str
    a_planned: int
    a_on_time: int
    b_planned: int
    b_on_time: int


def compare_by_area_item(a: Plan, b: Plan) -> list[ComparedRow]:
    """Planned and on-time quantities of two plans per area and item, for the side-by-side page."""
    figures: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for offset, plan in ((0, a), (2, b)):
        for line in plan.lines:
            key = (line.area.name, f"{line.item.code} {line.item.name}")
            figures[key][offset] += line.quantity
            figures[key][offset + 1] += line.on_time_quantity
    return [ComparedRow(area, item, *values) for (area, item), values in sorted(figures.items())]
