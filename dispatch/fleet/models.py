"""Vehicles and transport modes that planning may use."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import str_enum
from dispatch.incidents.models import Incident
from inventory.network.models import Depot


class Mode(StrEnum):
    ROAD = "road"
    RAIL = "rail"
    AIR = "air"


VEHICLE_CHECKS = (
    CheckConstraint("capacity_kg > 0 AND capacity_kg <= 100000", name="capacity_kg_range"),
    CheckConstraint("capacity_m3 > 0 AND capacity_m3 <= 500", name="capacity_m3_range"),
    CheckConstraint("speed_kmh >= 10 AND speed_kmh <= 150", name="speed_range"),
    CheckConstraint("fixed_cost >= 0 AND cost_per_km >= 0", name="costs_nonnegative"),
)


class DepotVehicle(Base):
    """`count` vehicles of one type stationed at a depot, each making one trip per plan."""

    __tablename__ = "depot_vehicles"
    __audit__ = _l("Depot vehicles")
    __table_args__ = (UniqueConstraint("depot_id", "vehicle_type"),
                      CheckConstraint("count >= 0 AND count <= 1000", name="count_range"), *VEHICLE_CHECKS)

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id", ondelete="CASCADE"), index=True)
    vehicle_type: Mapped[str] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(Integer)
    capacity_kg: Mapped[int] = mapped_column(Integer)
    capacity_m3: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    speed_kmh: Mapped[int] = mapped_column(Integer)
    fixed_cost: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    cost_per_km: Mapped[Decimal] = mapped_column(Numeric(8, 2))

    depot: Mapped[Depot] = relationship()


class RequisitionedVehicle(Base):
    """A vehicle requisitioned for one incident (征用), loading at a depot; compensated by the same rates."""

    __tablename__ = "requisitioned_vehicles"
    __audit__ = _l("Requisitioned vehicle")
    __table_args__ = (UniqueConstraint("incident_id", "plate"), *VEHICLE_CHECKS)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))  # where it reports for loading
    owner: Mapped[str] = mapped_column(String(200))
    plate: Mapped[str] = mapped_column(String(20))
    vehicle_type: Mapped[str] = mapped_column(String(80))
    driver_name: Mapped[str | None] = mapped_column(String(80))
    driver_phone: Mapped[str | None] = mapped_column(String(40))
    capacity_kg: Mapped[int] = mapped_column(Integer)
    capacity_m3: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    speed_kmh: Mapped[int] = mapped_column(Integer)
    fixed_cost: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    cost_per_km: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incident: Mapped[Incident] = relationship()
    depot: Mapped[Depot] = relationship()


class TransportMode(Base):
    """Speed, detour over the great circle, handling time and rate of a mode; rail and air also a road leg at
    each end (to the freight yard or airfield and the last mile)."""

    __tablename__ = "transport_modes"
    __audit__ = _l("Transport mode")
    __table_args__ = (
        CheckConstraint("speed_kmh > 0 AND speed_kmh <= 1000", name="speed_range"),
        CheckConstraint("detour >= 1 AND detour <= 3", name="detour_range"),
        CheckConstraint("handling_hours >= 0 AND handling_hours <= 72", name="handling_range"),
        CheckConstraint("cost_per_tkm >= 0 AND access_km >= 0", name="nonnegative"),
    )

    mode: Mapped[Mode] = mapped_column(str_enum(Mode), primary_key=True)
    speed_kmh: Mapped[Decimal] = mapped_column(Numeric(7, 1))
    detour: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    handling_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    cost_per_tkm: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    access_km: Mapped[Decimal] = mapped_column(Numeric(6, 1), default=Decimal("0"))


class DepotAccess(Base):
    """A depot that can load onto rail (a freight siding) or air (an airfield nearby); every depot has road."""

    __tablename__ = "depot_access"
    __audit__ = _l("Depot access")

    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[Mode] = mapped_column(str_enum(Mode), primary_key=True)

    depot: Mapped[Depot] = relationship()
