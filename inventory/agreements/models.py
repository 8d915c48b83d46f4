"""Production-capacity reserve agreements (产能储备): an enterprise produces an item at a daily rate once activated."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User, str_enum
from inventory.network.models import Item, Region


class AgreementStatus(StrEnum):
    """What is stored; "expired" is derived from the validity dates, never stored."""

    ACTIVE = "active"
    SUSPENDED = "suspended"


class CapacityAgreement(Base):
    __tablename__ = "capacity_agreements"
    __audit__ = _l("Capacity agreement")
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


class ActivationStatus(StrEnum):
    PRODUCING = "producing"
    COMPLETED = "completed"    # everything ordered came in
    CANCELLED = "cancelled"    # the order was withdrawn before it all came in


class AgreementActivation(Base):
    """The moment an agreement was called on: how much, and when its output is expected day by day.

    `schedule` is [{"date": "2026-12-03", "quantity": 5000}, ...]: the first output after the lead time, then the
    daily capacity until the order is met. `requested_for` names what asked (a relief plan, or a clerk's note);
    `plan_id` is that plan's id when a plan asked (inventory keeps no key into dispatch's tables).
    """

    __tablename__ = "agreement_activations"
    __audit__ = _l("Agreement activation")
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("capacity_agreements.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    first_output_at: Mapped[datetime] = mapped_column(UTCDateTime())
    schedule: Mapped[list] = mapped_column(JSON)
    requested_for: Mapped[str] = mapped_column(String(200))
    plan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[ActivationStatus] = mapped_column(str_enum(ActivationStatus), default=ActivationStatus.PRODUCING)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[CapacityAgreement] = relationship()
    activated_by: Mapped[User] = relationship()
    outputs: Mapped[list[AgreementOutput]] = relationship(back_populates="activation", order_by="AgreementOutput.id")

    @property
    def received(self) -> int:
        return sum(output.quantity for output in self.outputs)


class AgreementOutput(Base):
    """Output received against an activation: a relief shipment's accepted goods, or a receipt a clerk records."""

    __tablename__ = "agreement_outputs"
    __audit__ = _l("Agreement output")
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activation_id: Mapped[int] = mapped_column(ForeignKey("agreement_activations.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reference: Mapped[str | None] = mapped_column(String(80))  # the waybill or delivery note
    note: Mapped[str | None] = mapped_column(Text)

    activation: Mapped[AgreementActivation] = relationship(back_populates="outputs")
    recorded_by: Mapped[User] = relationship()
