"""The stockpile network: regions, depots and the item catalog."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User, depot_clerks, str_enum


class RegionLevel(StrEnum):
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"


class DepotLevel(StrEnum):
    CENTRAL = "central"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"
    TOWNSHIP = "township"


# Highest first: the order in which a shortage escalates is the reverse.
DEPOT_LEVEL_ORDER = list(DepotLevel)


class OperatorType(StrEnum):
    GOVERNMENT = "government"
    ENTERPRISE = "enterprise"  # an enterprise keeps it on the government's behalf (企业代储)
    SOCIAL = "social"


class DepotStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class ItemCategory(StrEnum):
    LIVING = "living"
    FOOD_WATER = "food_water"
    FLOOD_CONTROL = "flood_control"
    FIRE = "fire"
    MEDICAL = "medical"
    LIGHTING_POWER = "lighting_power"
    RESCUE_EQUIPMENT = "rescue_equipment"


class Region(Base):
    """An administrative division (GB/T 2260): province, prefecture or county."""

    __tablename__ = "regions"
    __audit__ = None  # not audited: reference data, loaded at set-up

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[Region | None] = relationship(remote_side=[id])

    def chain(self) -> list[Region]:
        """This region and its ancestors, province first."""
        regions, node = [], self
        while node is not None:
            regions.append(node)
            node = node.parent
        return list(reversed(regions))



class Depot(Base):
    __tablename__ = "depots"
    __audit__ = _l("Depot")
    __table_args__ = (
        CheckConstraint("capacity_volume_m3 >= 0", name="capacity_volume_nonnegative"),
        CheckConstraint("capacity_weight_t >= 0", name="capacity_weight_nonnegative"),
        Index("ix_depots_level_region", "level", "region_id"),
        Index("ix_depots_lat_lon", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[DepotLevel] = mapped_column(str_enum(DepotLevel))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    operator_type: Mapped[OperatorType] = mapped_column(str_enum(OperatorType))
    capacity_volume_m3: Mapped[Decimal] = mapped_column(Numeric(12, 1))
    capacity_weight_t: Mapped[Decimal] = mapped_column(Numeric(12, 1))
    status: Mapped[DepotStatus] = mapped_column(str_enum(DepotStatus), default=DepotStatus.ACTIVE)
    generated: Mapped[bool] = mapped_column(default=False)  # demo township points, not real places
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region] = relationship()
    clerks: Mapped[list[User]] = relationship(secondary=depot_clerks)


class Item(Base):
    """A catalog entry; the ledger counts it in its base unit."""

    __tablename__ = "items"
    __audit__ = _l("Item")
    __table_args__ = (
        CheckConstraint("unit_weight_kg > 0", name="unit_weight_positive"),
        CheckConstraint("unit_volume_m3 > 0", name="unit_volume_positive"),
        CheckConstraint("shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"),
        CheckConstraint("rotation_lead_days >= 0", name="rotation_lead_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[ItemCategory] = mapped_column(str_enum(ItemCategory), index=True)
    base_unit: Mapped[str] = mapped_column(String(20))
    unit_weight_kg: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit_volume_m3: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    rotation_lead_days: Mapped[int] = mapped_column(Integer, default=0)
    reference_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # How many base units one displaced person needs (e.g. 0.2 tent = one 12 m² tent per five people).
    norm_per_person: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pack_units: Mapped[list[PackUnit]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="PackUnit.factor"
    )


class PackUnit(Base):
    """A larger unit the item is handled in, e.g. a bale of 10 quilts."""

    __tablename__ = "pack_units"
    __audit__ = _l("Pack unit")
    __table_args__ = (
        UniqueConstraint("item_id", "name"),
        CheckConstraint("factor > 1", name="factor_above_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    factor: Mapped[int] = mapped_column(Integer)

    item: Mapped[Item] = relationship(back_populates="pack_units")


class Quota(Base):
    """How much of an item a depot should hold (target) and must not fall below (minimum)."""

    __tablename__ = "quotas"
    __audit__ = _l("Quota")
    __table_args__ = (UniqueConstraint("depot_id", "item_id"),
                      CheckConstraint("minimum >= 0 AND target >= minimum", name="minimum_within_target"))

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    target: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[int] = mapped_column(Integer)

    depot: Mapped[Depot] = relationship()
    item: Mapped[Item] = relationship()
