"""Incidents, their graded government responses (分级响应) and requests for support, and the affected areas."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User, str_enum
from inventory.network.models import Depot, Region


class IncidentType(StrEnum):
    EARTHQUAKE = "earthquake"
    FLOOD = "flood"
    TYPHOON = "typhoon"
    LANDSLIDE = "landslide"
    FIRE = "fire"
    COLD_WAVE = "cold_wave"
    DROUGHT = "drought"
    OTHER = "other"


class IncidentStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Authority(StrEnum):
    """The government that launches a response; each answers for its own jurisdiction (属地为主)."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"


class ResponseLevel(StrEnum):
    """Level I is the most severe, IV the least."""

    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"


class Incident(Base):
    __tablename__ = "incidents"
    __audit__ = _l("Incident")
    __table_args__ = (Index("ix_incidents_status_started", "status", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IncidentType] = mapped_column(str_enum(IncidentType))
    title: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus), default=IncidentStatus.ACTIVE)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User] = relationship()
    responses: Mapped[list[IncidentResponse]] = relationship(
        back_populates="incident", order_by="IncidentResponse.changed_at, IncidentResponse.id")
    support_requests: Mapped[list[SupportRequest]] = relationship(
        back_populates="incident", order_by="SupportRequest.requested_at, SupportRequest.id")
    areas: Mapped[list[AffectedArea]] = relationship(back_populates="incident", order_by="AffectedArea.id")


class IncidentResponse(Base):
    """One step of a response's history: an authority raised, lowered or ended (level None) its response."""

    __tablename__ = "incident_responses"
    __audit__ = _l("Incident response")
    __table_args__ = (
        CheckConstraint("(authority = 'national') = (region_id IS NULL)", name="region_unless_national"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    authority: Mapped[Authority] = mapped_column(str_enum(Authority))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    level: Mapped[ResponseLevel | None] = mapped_column(str_enum(ResponseLevel, 4))  # None: the response ended
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="responses")
    region: Mapped[Region | None] = relationship()
    recorded_by: Mapped[User] = relationship()


class SupportRequest(Base):
    """A responding government asks the level above for support (申请上级支援), which opens that level's stock."""

    __tablename__ = "support_requests"
    __audit__ = _l("Support request")
    __table_args__ = (CheckConstraint("authority <> 'national'", name="national_has_no_level_above"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    authority: Mapped[Authority] = mapped_column(str_enum(Authority))  # who asks
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    asked_by: Mapped[str] = mapped_column(String(200))  # the official or office that asked
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="support_requests")
    region: Mapped[Region] = relationship()
    recorded_by: Mapped[User] = relationship()


class AffectedArea(Base):
    """A place that needs supplies: a county's seat, or a point placed on the map, inside `region`."""

    __tablename__ = "affected_areas"
    __audit__ = _l("Affected area")
    __table_args__ = (
        CheckConstraint("displaced_population >= 0 AND displaced_population <= affected_population",
                        name="displaced_within_affected"),
        CheckConstraint("affected_population <= 100000000", name="affected_population_bounded"),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("road OR rail OR air", name="reachable_somehow"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    affected_population: Mapped[int] = mapped_column(Integer)
    displaced_population: Mapped[int] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=3)  # 1 low … 5 most urgent
    road: Mapped[bool] = mapped_column(default=True)
    rail: Mapped[bool] = mapped_column(default=False)
    air: Mapped[bool] = mapped_column(default=False)
    # A depot that takes the area's goods into its stock and hands them out (a township depot, a distribution
    # point run as a depot): shipments to the area become receipts there. None: goods are handed to the people.
    receiving_depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="areas")
    region: Mapped[Region] = relationship()
    receiving_depot: Mapped[Depot | None] = relationship()

    @property
    def modes(self) -> frozenset[str]:
        return frozenset(mode for mode in ("road", "rail", "air") if getattr(self, mode))
