"""What finance reads about carriers' settlement: the lines of a period with their totals, per carrier, and the
reconciliation check that every finished shipment was priced.

A trip counts on the day it ended: delivered at its last stop, or turned back (the carrier is paid for that trip
too). Totals are summed from the lines themselves in Python, so they are exact Decimals on every database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from core import clock
from core.db import Session
from dispatch.fleet.models import Mode
from dispatch.incidents.models import Incident
from dispatch.settlement.models import SettlementLine, SettlementStatus
from dispatch.shipments.models import Shipment, ShipmentStatus

FINISHED = (ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED)  # the statuses settle() prices a trip at
ZERO = Decimal("0")


@dataclass(frozen=True)
class SettlementFilters:
    delivered_from: date | None = None
    delivered_to: date | None = None
    incident_id: int | None = None
    carrier: str | None = None
    mode: str | None = None
    status: str | None = None

    def apply_to_trips(self, statement: Select) -> Select:
        """Narrow a statement on Shipment by the filters that describe the trip (all but the payment status)."""
        ended = _ended_at()
        if self.delivered_from:
            statement = statement.where(ended >= clock.start_of_day(self.delivered_from))
        if self.delivered_to:
            statement = statement.where(ended <= clock.end_of_day(self.delivered_to))
        if self.incident_id:
            statement = statement.where(Shipment.incident_id == self.incident_id)
        if self.mode:
            statement = statement.where(Shipment.mode == Mode(self.mode))
        return statement


def _ended_at():
    return func.coalesce(Shipment.delivered_at, Shipment.closed_at)


@dataclass
class Figures:
    """Sums over settlement lines: the totals row, and each carrier's."""

    lines: int = 0
    distance_km: Decimal = ZERO
    tonne_km: Decimal = ZERO
    amount: Decimal = ZERO
    paid: Decimal = ZERO
    due: Decimal = ZERO

    def add(self, line: SettlementLine) -> None:
        self.lines += 1
        self.distance_km += line.distance_km
        self.tonne_km += line.tonne_km
        self.amount += line.amount
        if line.status == SettlementStatus.PAID:
            self.paid += line.amount
        else:
            self.due += line.amount


@dataclass
class CarrierFigures(Figures):
    carrier: str = ""


@dataclass
class SettlementReport:
    filters: SettlementFilters
    lines: list[SettlementLine] = field(default_factory=list)
    totals: Figures = field(default_factory=Figures)
    by_carrier: list[CarrierFigures] = field(default_factory=list)
    unsettled: list[Shipment] = field(default_factory=list)
    finished_shipments: int = 0  # trips ended under the trip filters: each should have one line


def settlement_report(filters: SettlementFilters) -> SettlementReport:
    """The lines under the filters, oldest trip first, with their totals, per carrier, and the reconciliation."""
    lines = list_lines(filters)
    report = SettlementReport(filters, lines, unsettled=list_unsettled(filters),
                              finished_shipments=count_finished(filters))
    carriers: dict[str, CarrierFigures] = {}
    for line in lines:
        report.totals.add(line)
        carriers.setdefault(line.carrier, CarrierFigures(carrier=line.carrier)).add(line)
    report.by_carrier = sorted(carriers.values(), key=lambda figures: figures.carrier)
    return report


def list_lines(filters: SettlementFilters) -> list[SettlementLine]:
    statement = (select(SettlementLine).join(SettlementLine.shipment).join(Shipment.incident)
                 .options(contains_eager(SettlementLine.shipment).contains_eager(Shipment.incident),
                          joinedload(SettlementLine.paid_by))
                 .order_by(_ended_at(), SettlementLine.id))
    statement = filters.apply_to_trips(statement)
    if filters.carrier:
        statement = statement.where(SettlementLine.carrier == filters.carrier)
    if filters.status:
        statement = statement.where(SettlementLine.status == SettlementStatus(filters.status))
    return list(Session.scalars(statement))


def _finished_trips(*columns) -> Select:
    return select(*columns).where(Shipment.status.in_(FINISHED))


def list_unsettled(filters: SettlementFilters) -> list[Shipment]:
    """Trips that ended without a settlement line: none, since settle() runs as the trip ends; finance checks it."""
    priced = select(SettlementLine.id).where(SettlementLine.shipment_id == Shipment.id).exists()
    statement = filters.apply_to_trips(_finished_trips(Shipment).where(~priced))
    if filters.carrier:
        statement = statement.where(Shipment.carrier == filters.carrier)
    return list(Session.scalars(statement.order_by(_ended_at(), Shipment.id)))


def count_finished(filters: SettlementFilters) -> int:
    statement = filters.apply_to_trips(_finished_trips(func.count(Shipment.id)))
    if filters.carrier:
        statement = statement.where(Shipment.carrier == filters.carrier)
    return Session.scalar(statement) or 0


def list_carriers() -> list[str]:
    """Every carrier with a settlement line, for the filter."""
    return list(Session.scalars(select(SettlementLine.carrier).distinct().order_by(SettlementLine.carrier)))


def list_settled_incidents() -> list[tuple[int, str]]:
    """The incidents whose shipments have settlement lines (id, title), newest first, for the filter."""
    statement = (select(Incident.id, Incident.title).where(Incident.id.in_(
        select(Shipment.incident_id).join(SettlementLine, SettlementLine.shipment_id == Shipment.id)))
        .order_by(Incident.started_at.desc(), Incident.id.desc()))
    return [(incident_id, title) for incident_id, title in Session.execute(statement)]


def trip_ended_at(shipment: Shipment) -> datetime | None:
    return shipment.delivered_at or shipment.closed_at
