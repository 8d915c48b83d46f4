"""What an incident needs: norms per displaced person, relief deadlines, and demand in numbered versions.

Every save of an incident's demand is a new version; a plan names the version it answered, so a plan can always
be read against the demand it was made for.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User
from dispatch.incidents.models import AffectedArea, Incident
from inventory.network.models import Item, Region


class DemandNorm(Base):
    """The default norm of an item: units per displaced person (per day when it is consumed), days of cover.

    `basic_living` items (shelter, bedding, clothing, water, food) are due by the province's relief deadline;
    others by its later deadline. `expiry_margin_days`: a lot must stay usable this long after arrival to be
    planned (food and water should not reach people on their last day).
    """

    __tablename__ = "demand_norms"
    __audit__ = _l("Demand norm")
    __table_args__ = (
        CheckConstraint("per_person > 0", name="per_person_positive"),
        CheckConstraint("days_of_cover BETWEEN 1 AND 90", name="days_of_cover_range"),
        CheckConstraint("expiry_margin_days BETWEEN 0 AND 365", name="expiry_margin_range"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    per_person: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    per_day: Mapped[bool] = mapped_column(default=False)
    days_of_cover: Mapped[int] = mapped_column(Integer, default=1)
    basic_living: Mapped[bool] = mapped_column(default=False)
    expiry_margin_days: Mapped[int] = mapped_column(Integer, default=7)
    source: Mapped[str | None] = mapped_column(Text)  # where the figure comes from

    item: Mapped[Item] = relationship()


class IncidentNorm(Base):
    """An incident's own copy of a norm, which the dispatcher may change (a cold wave needs more quilts)."""

    __tablename__ = "incident_norms"
    __audit__ = _l("Incident norm")
    __table_args__ = (
        CheckConstraint("per_person >= 0", name="per_person_nonnegative"),
        CheckConstraint("days_of_cover BETWEEN 1 AND 90", name="days_of_cover_range"),
    )

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    per_person: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    per_day: Mapped[bool] = mapped_column(default=False)
    days_of_cover: Mapped[int] = mapped_column(Integer, default=1)
    basic_living: Mapped[bool] = mapped_column(default=False)

    item: Mapped[Item] = relationship()


class ReliefDeadline(Base):
    """A province's own deadlines, in hours after the incident began (Beijing: basic needs within 6 h)."""

    __tablename__ = "relief_deadlines"
    __audit__ = _l("Relief deadline")
    __table_args__ = (CheckConstraint("basic_hours > 0 AND other_hours >= basic_hours AND other_hours <= 720",
                                      name="hours_in_order"),)

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    basic_hours: Mapped[int] = mapped_column(Integer)
    other_hours: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(200))

    region: Mapped[Region] = relationship()


class DemandVersion(Base):
    __tablename__ = "demand_versions"
    __audit__ = _l("Demand version")
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incident: Mapped[Incident] = relationship()
    created_by: Mapped[User] = relationship()
    lines: Mapped[list[DemandLine]] = relationship(back_populates="version", cascade="all, delete-orphan",
                                                   order_by="DemandLine.id")


class DemandLine(Base):
    """How much of an item an area needs by `due_at`; with phasing, `tail_quantity` of it may come by
    `tail_due_at` instead (a peak now and the rest later)."""

    __tablename__ = "demand_lines"
    __audit__ = None  # not audited: part of its demand version
    __table_args__ = (
        UniqueConstraint("version_id", "area_id", "item_id"),
        CheckConstraint("quantity > 0 AND quantity <= 1000000000", name="quantity_range"),
        CheckConstraint("tail_quantity >= 0 AND tail_quantity < quantity", name="tail_within_quantity"),
        CheckConstraint("(tail_quantity = 0) = (tail_due_at IS NULL)", name="tail_has_its_due_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("demand_versions.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("affected_areas.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tail_quantity: Mapped[int] = mapped_column(Integer, default=0)
    tail_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[DemandVersion] = relationship(back_populates="lines")
    area: Mapped[AffectedArea] = relationship()
    item: Mapped[Item] = relationship()

    @property
    def peak_quantity(self) -> int:
        return self.quantity - self.tail_quantity
