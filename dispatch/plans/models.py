"""A saved plan: allocation lines, unmet demand with its reasons, vehicle routes with their stops and loads.

Times are hours after `snapshot_at`, the moment the plan's snapshot of the network was taken.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User, str_enum
from dispatch.demand.models import DemandVersion
from dispatch.fleet.models import Mode, RequisitionedVehicle
from dispatch.incidents.models import AffectedArea, Incident
from inventory.agreements.models import CapacityAgreement
from inventory.network.models import Depot, DepotLevel, Item


class PlanStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


class SourceKind(StrEnum):
    DEPOT = "depot"
    AGREEMENT = "agreement"


class Plan(Base):
    __tablename__ = "plans"
    __audit__ = _l("Plan")
    # The figures a plan was made with are on its page; the log keeps who made and approved it, and when.
    __audit_ignore__ = ("kpis", "allocation_kpis", "baseline_kpis", "objectives", "open_levels", "stats")
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per incident
    demand_version_id: Mapped[int] = mapped_column(ForeignKey("demand_versions.id"))
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus), default=PlanStatus.PROPOSED)
    snapshot_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kpis: Mapped[dict] = mapped_column(JSON)            # as routed: what the dispatcher will get
    allocation_kpis: Mapped[dict] = mapped_column(JSON)  # as the allocation alone assumed
    baseline_kpis: Mapped[dict] = mapped_column(JSON)    # the greedy nearest-first baseline on the same snapshot
    objectives: Mapped[dict] = mapped_column(JSON)
    open_levels: Mapped[list] = mapped_column(JSON)      # which source levels were open, where and why
    stats: Mapped[dict] = mapped_column(JSON)            # sizes and seconds per stage
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # superseded or cancelled
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)

    incident: Mapped[Incident] = relationship()
    demand_version: Mapped[DemandVersion] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    lines: Mapped[list[PlanLine]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                 order_by="PlanLine.id")
    unmet: Mapped[list[PlanUnmet]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                  order_by="PlanUnmet.id")
    routes: Mapped[list[PlanRoute]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                   order_by="PlanRoute.id")


class PlanLine(Base):
    """`quantity` of an item from one source to one area by one mode, for one demand period.

    `eta_hours` is what the allocation assumed; `arrival_hours` what the plan delivers (the routed arrival of the
    line's last truckload on the road, the allocation's estimate by rail, air and from capacity agreements);
    `on_time_quantity` is how much of it arrives by `due_hours`.
    """

    __tablename__ = "plan_lines"
    __audit__ = None  # not audited: part of its plan
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("on_time_quantity >= 0 AND on_time_quantity <= quantity", name="on_time_within_quantity"),
        CheckConstraint("(source_kind = 'depot') = (depot_id IS NOT NULL)", name="depot_source_names_depot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    source_kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind))
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("capacity_agreements.id"))
    source_level: Mapped[DepotLevel] = mapped_column(str_enum(DepotLevel))
    area_id: Mapped[int] = mapped_column(ForeignKey("affected_areas.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    mode: Mapped[Mode] = mapped_column(str_enum(Mode))
    period: Mapped[int] = mapped_column(Integer, default=0)  # 0: the peak (or only) period, 1: the tail
    quantity: Mapped[int] = mapped_column(Integer)
    due_hours: Mapped[float]
    eta_hours: Mapped[float]
    arrival_hours: Mapped[float]
    on_time_quantity: Mapped[int] = mapped_column(Integer)
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    tonne_km: Mapped[Decimal] = mapped_column(Numeric(14, 3))

    plan: Mapped[Plan] = relationship(back_populates="lines")
    depot: Mapped[Depot | None] = relationship()
    agreement: Mapped[CapacityAgreement | None] = relationship()
    area: Mapped[AffectedArea] = relationship()
    item: Mapped[Item] = relationship()

    @property
    def late(self) -> bool:
        return self.on_time_quantity < self.quantity

    @property
    def routed_later_by(self) -> float:
        """Hours the routed arrival falls after what the allocation assumed (0 when not later)."""
        return max(0.0, self.arrival_hours - self.eta_hours)


class PlanUnmet(Base):
    """Demand the plan leaves unserved, with the reason and, where a wider response would fill it, the level."""

    __tablename__ = "plan_unmet"
    __audit__ = None  # not audited: part of its plan
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("affected_areas.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    period: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    opening_level: Mapped[DepotLevel | None] = mapped_column(str_enum(DepotLevel))

    plan: Mapped[Plan] = relationship(back_populates="unmet")
    area: Mapped[AffectedArea] = relationship()
    item: Mapped[Item] = relationship()


class PlanRoute(Base):
    """One vehicle's trip from its depot: its stops in order, how far, what it costs, when it is back."""

    __tablename__ = "plan_routes"
    __audit__ = None  # not audited: part of its plan

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    vehicle_label: Mapped[str] = mapped_column(String(120))
    vehicle_type: Mapped[str] = mapped_column(String(80))
    requisitioned_vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("requisitioned_vehicles.id"))
    distance_km: Mapped[Decimal] = mapped_column(Numeric(10, 1))
    cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    return_hours: Mapped[float]
    full_truckload: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[Plan] = relationship(back_populates="routes")
    depot: Mapped[Depot] = relationship()
    requisitioned_vehicle: Mapped[RequisitionedVehicle | None] = relationship()
    stops: Mapped[list[PlanStop]] = relationship(back_populates="route", cascade="all, delete-orphan",
                                                 order_by="PlanStop.sequence")


class PlanStop(Base):
    __tablename__ = "plan_stops"
    __audit__ = None  # not audited: part of its plan

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("plan_routes.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[int] = mapped_column(ForeignKey("affected_areas.id"))
    arrival_hours: Mapped[float]
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 1))
    volume_m3: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    route: Mapped[PlanRoute] = relationship(back_populates="stops")
    area: Mapped[AffectedArea] = relationship()
    loads: Mapped[list[PlanStopLoad]] = relationship(back_populates="stop", cascade="all, delete-orphan",
                                                     order_by="PlanStopLoad.id")


class PlanStopLoad(Base):
    """What a stop unloads of one plan line (a line split over truckloads has a load on each)."""

    __tablename__ = "plan_stop_loads"
    __audit__ = None  # not audited: part of its plan
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("plan_stops.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("plan_lines.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)

    stop: Mapped[PlanStop] = relationship(back_populates="loads")
    line: Mapped[PlanLine] = relationship()
