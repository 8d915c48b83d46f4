"""Production-capacity reserve agreements (产能储备): an enterprise produces an item at a daily rate once activated."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import str_enum
from inventory.network.models import Item, Region


class AgreementStatus(StrEnum):
    """What is stored; "expired" is derived from the validity dates, never stored."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class CapacityAgreement(Base):
    __tablename__ = "capacity_agreements"
    __table_args__ = (
        CheckConstraint("daily_capacity > 0", name="daily_capacity_positive"),
        CheckConstraint("lead_time_hours >= 0", name="lead_time_nonnegative"),
        CheckConstraint("max_quantity >= 1", name="max_quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_nonnegative"),
        CheckConstraint("valid_to > valid_from", name="valid_to_after_from"),
        Index("ix_capacity_agreements_item_valid", "item_id", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(40))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    daily_capacity: Mapped[int] = mapped_column(Integer)  # base units per day once producing
    lead_time_hours: Mapped[int] = mapped_column(Integer)  # from activation to the first output
    max_quantity: Mapped[int] = mapped_column(Integer)  # the most the agreement obliges
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    status: Mapped[AgreementStatus] = mapped_column(str_enum(AgreementStatus), default=AgreementStatus.ACTIVE)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()
    item: Mapped[Item] = relationship()

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def effective_status(self, today: date) -> str:
        """expired (past valid_to), suspended, pending (before valid_from) or active: what a reader should see."""
        if today > self.valid_to:
            return "expired"
        if self.status == AgreementStatus.SUSPENDED:
            return "suspended"
        return "pending" if today < self.valid_from else "active"
