"""Shipments: what an approved plan sends, one per vehicle route on the road and one per source and destination by
rail or air (or from a capacity agreement's enterprise), with its waybill, its lots and what each stop received.

A shipment from a depot owns a waybill document (运单, YD) at that depot: its number is the waybill's, and the
movements of dispatch, delivery, loss and return all belong to it. A shipment from an enterprise's output carries no
lots: its goods were never in a depot and reach the ledger of no depot; they count against the agreement instead.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import clock
from core.db import Base, UTCDateTime, utcnow
from core.models import User, str_enum
from dispatch.fleet.models import Mode, RequisitionedVehicle
from dispatch.incidents.models import AffectedArea, Incident
from dispatch.plans.models import Plan, PlanLine, PlanRoute, SourceKind
from inventory.agreements.models import CapacityAgreement
from inventory.network.models import Depot, Item
from inventory.stock.models import Document, Lot


class ShipmentStatus(StrEnum):
    PLANNED = "planned"        # approved, its stock reserved
    LOADING = "loading"        # vehicle and driver named, goods being loaded
    IN_TRANSIT = "in_transit"  # left its source: the goods are in transit
    DELIVERED = "delivered"    # every stop confirmed what it received
    CANCELLED = "cancelled"    # never left: what it reserved was released
    RETURNED = "returned"      # turned back on the road: the goods went back into stock


OPEN_STATUSES = (ShipmentStatus.PLANNED, ShipmentStatus.LOADING)        # not yet left: holds its stock
UNDER_WAY = OPEN_STATUSES + (ShipmentStatus.IN_TRANSIT,)                  # still expected somewhere


class RejectReason(StrEnum):
    """Why a stop did not accept part of a line; the first three are written off, the others go back to stock."""

    DAMAGED = "damaged"
    MISSING = "missing"          # short on arrival
    EXPIRED = "expired"
    WRONG_ITEM = "wrong_item"
    NOT_NEEDED = "not_needed"    # the area has enough: the goods return to the source

    @property
    def written_off(self) -> bool:
        return self in (RejectReason.DAMAGED, RejectReason.MISSING, RejectReason.EXPIRED)


class Shipment(Base):
    __tablename__ = "shipments"
    __audit__ = _l("Shipment")
    __table_args__ = (
        CheckConstraint("(source_kind = 'depot') = (depot_id IS NOT NULL)", name="depot_source_names_depot"),
        CheckConstraint("(source_kind = 'depot') = (document_id IS NOT NULL)", name="depot_source_has_waybill"),
        Index("ix_shipments_status_expected", "status", "expected_arrival_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # the waybill number
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    source_kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind))
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("capacity_agreements.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), unique=True)
    mode: Mapped[Mode] = mapped_column(str_enum(Mode))
    route_id: Mapped[int | None] = mapped_column(ForeignKey("plan_routes.id"))
    status: Mapped[ShipmentStatus] = mapped_column(str_enum(ShipmentStatus), default=ShipmentStatus.PLANNED)
    carrier: Mapped[str] = mapped_column(String(200))
    vehicle: Mapped[str] = mapped_column(String(120))  # vehicle type, train or flight
    plate: Mapped[str | None] = mapped_column(String(20))
    driver_name: Mapped[str | None] = mapped_column(String(80))
    driver_phone: Mapped[str | None] = mapped_column(String(40))
    requisitioned_vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("requisitioned_vehicles.id"))
    distance_km: Mapped[Decimal] = mapped_column(Numeric(10, 1))
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 1))
    volume_m3: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    tonne_km: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    planned_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # what the plan priced the trip at
    ready_hours: Mapped[float] = mapped_column(default=0.0)  # hours after approval it can leave (enterprise output)
    expected_arrival_at: Mapped[datetime] = mapped_column(UTCDateTime())  # at the last stop
    loading_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # cancelled or returned
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[Plan] = relationship()
    incident: Mapped[Incident] = relationship()
    depot: Mapped[Depot | None] = relationship()
    agreement: Mapped[CapacityAgreement | None] = relationship()
    document: Mapped[Document | None] = relationship()
    route: Mapped[PlanRoute | None] = relationship()
    requisitioned_vehicle: Mapped[RequisitionedVehicle | None] = relationship()
    dispatched_by: Mapped[User | None] = relationship(foreign_keys=[dispatched_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    stops: Mapped[list[ShipmentStop]] = relationship(back_populates="shipment", cascade="all, delete-orphan",
                                                     order_by="ShipmentStop.sequence")
    lines: Mapped[list[ShipmentLine]] = relationship(back_populates="shipment", cascade="all, delete-orphan",
                                                     order_by="ShipmentLine.id")

    @property
    def source_name(self) -> str:
        return f"{self.depot.code} {self.depot.name}" if self.depot else self.agreement.enterprise_name

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def overdue(self) -> bool:
        """Past the expected arrival at a stop still waiting for it, plus the margin (a shipment that has not
        left by then is overdue too: its stops were timed from the approval)."""
        margin = timedelta(hours=current_app.config["SHIPMENT_OVERDUE_HOURS"])
        return self.status in UNDER_WAY and any(
            stop.received_at is None and stop.expected_arrival_at + margin < clock.utcnow() for stop in self.stops)


class ShipmentStop(Base):
    """A destination of a shipment, in the order the vehicle reaches it."""

    __tablename__ = "shipment_stops"
    __audit__ = _l("Shipment stop")
    __table_args__ = (UniqueConstraint("shipment_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[int] = mapped_column(ForeignKey("affected_areas.id"), index=True)
    travel_hours: Mapped[float]  # from departure to this stop, as the plan routed it
    expected_arrival_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_by: Mapped[str | None] = mapped_column(String(80))  # who signed for the goods at the stop
    note: Mapped[str | None] = mapped_column(Text)

    shipment: Mapped[Shipment] = relationship(back_populates="stops")
    area: Mapped[AffectedArea] = relationship()
    received_by: Mapped[User | None] = relationship()
    lines: Mapped[list[ShipmentLine]] = relationship(back_populates="stop", order_by="ShipmentLine.id",
                                                     viewonly=True)


class ShipmentLine(Base):
    """`quantity` of one plan line from one lot (none from an enterprise), unloaded at one stop; once the stop has
    received, `accepted` and `rejected` account for every unit."""

    __tablename__ = "shipment_lines"
    __audit__ = None  # not audited: part of its shipment; a receipt is logged on its stop
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("(accepted IS NULL AND rejected IS NULL) OR (accepted >= 0 AND rejected >= 0 AND "
                        "accepted + rejected = quantity)", name="received_accounts_for_all"),
        CheckConstraint("(rejected IS NULL OR rejected = 0) = (reject_reason IS NULL)", name="rejected_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("shipment_stops.id", ondelete="CASCADE"), index=True)
    plan_line_id: Mapped[int] = mapped_column(ForeignKey("plan_lines.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int | None] = mapped_column(Integer)
    rejected: Mapped[int | None] = mapped_column(Integer)
    reject_reason: Mapped[RejectReason | None] = mapped_column(str_enum(RejectReason))
    note: Mapped[str | None] = mapped_column(Text)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    stop: Mapped[ShipmentStop] = relationship()
    plan_line: Mapped[PlanLine] = relationship()
    item: Mapped[Item] = relationship()
    lot: Mapped[Lot | None] = relationship()

    @property
    def weight_kg(self) -> Decimal:
        return self.item.unit_weight_kg * self.quantity

    @property
    def volume_m3(self) -> Decimal:
        return self.item.unit_volume_m3 * self.quantity
