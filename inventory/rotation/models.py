"""Rotation plans (更新轮换): stock that nears expiry leaves the reserve and is replaced."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models import User, str_enum
from inventory.network.models import Depot
from inventory.stock.models import Document, DocumentSubject, Lot


class RotationAction(StrEnum):
    SELL = "sell"
    HAND_OVER = "hand_over"   # to a user unit for immediate use
    DONATE = "donate"
    TRANSFER = "transfer"     # to a depot that will use it sooner
    SCRAP = "scrap"


class ReplacementKind(StrEnum):
    PURCHASE = "purchase"
    REDUCTION = "reduction"   # deliberately not replaced


class RotationPlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PARTIALLY_EXECUTED = "partially_executed"
    EXECUTED = "executed"
    CANCELLED = "cancelled"


class RotationPlan(DocumentSubject, Base):
    __tablename__ = "rotation_plans"
    __audit__ = _l("Rotation plan")

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[RotationPlanStatus] = mapped_column(str_enum(RotationPlanStatus), default=RotationPlanStatus.DRAFT)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship()
    depot: Mapped[Depot] = relationship()
    approved_by: Mapped[User | None] = relationship()
    lines: Mapped[list[RotationLine]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                     order_by="RotationLine.id")


class RotationLine(Base):
    """One lot leaving by an action, and what replaces it."""

    __tablename__ = "rotation_lines"
    __audit__ = None  # not audited: part of its plan
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("executed_quantity >= 0 AND executed_quantity <= quantity", name="executed_within_plan"),
        CheckConstraint("replacement_quantity >= 0", name="replacement_nonnegative"),
        CheckConstraint("replacement_received >= 0", name="received_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("rotation_plans.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    action: Mapped[RotationAction] = mapped_column(str_enum(RotationAction))
    counterparty: Mapped[str | None] = mapped_column(String(200))  # buyer, user unit, donee
    destination_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    expected_unit_proceeds: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    executed_quantity: Mapped[int] = mapped_column(Integer, default=0)
    actual_proceeds: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    replacement: Mapped[ReplacementKind] = mapped_column(str_enum(ReplacementKind))
    replacement_quantity: Mapped[int] = mapped_column(Integer, default=0)
    replacement_unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    supplier: Mapped[str | None] = mapped_column(String(200))
    reduction_reason: Mapped[str | None] = mapped_column(Text)
    replacement_received: Mapped[int] = mapped_column(Integer, default=0)
    replacement_expected_by: Mapped[datetime | None] = mapped_column(Date)

    plan: Mapped[RotationPlan] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship()
    destination: Mapped[Depot | None] = relationship()

    @property
    def out_done(self) -> bool:
        return self.executed_quantity == self.quantity

    @property
    def replacement_done(self) -> bool:
        return self.replacement == ReplacementKind.REDUCTION or self.replacement_received >= self.replacement_quantity
