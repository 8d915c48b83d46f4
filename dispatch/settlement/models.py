"""What carriers are owed: one settlement line per delivered shipment, priced by the rule the plan priced it with.

A truck (the depot's own or one requisitioned in the emergency) is paid a fixed fee per trip plus its rate per
kilometre of the route; rail and air are paid per tonne-kilometre at the mode's rate. The line keeps the figures it
was priced from, so it still explains itself after a rate changes.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User, str_enum
from dispatch.fleet.models import Mode
from dispatch.shipments.models import Shipment


class RateBasis(StrEnum):
    PER_KM = "per_km"     # a vehicle: fixed fee + rate x route kilometres
    PER_TKM = "per_tkm"   # rail, air: rate x tonne-kilometres


class SettlementStatus(StrEnum):
    DUE = "due"
    PAID = "paid"


class SettlementLine(Base):
    __tablename__ = "settlement_lines"
    __audit__ = _l("Settlement line")
    __table_args__ = (
        CheckConstraint("amount >= 0 AND fixed_fee >= 0 AND rate >= 0", name="amounts_nonnegative"),
        CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL)", name="paid_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), unique=True)
    carrier: Mapped[str] = mapped_column(String(200))
    mode: Mapped[Mode] = mapped_column(str_enum(Mode))
    requisitioned: Mapped[bool] = mapped_column(default=False)  # compensation for a requisitioned vehicle
    distance_km: Mapped[Decimal] = mapped_column(Numeric(10, 1))
    tonne_km: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    rate_basis: Mapped[RateBasis] = mapped_column(str_enum(RateBasis))
    rate: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    fixed_fee: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    status: Mapped[SettlementStatus] = mapped_column(str_enum(SettlementStatus), default=SettlementStatus.DUE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payment_reference: Mapped[str | None] = mapped_column(String(80))

    shipment: Mapped[Shipment] = relationship()
    paid_by: Mapped[User | None] = relationship()
