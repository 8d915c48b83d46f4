"""Stock as a ledger: lots with balances, the append-only movements, and the documents they belong to."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User, str_enum
from inventory.network.models import Depot, Item


class FundingSource(StrEnum):
    CENTRAL = "central"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    COUNTY = "county"
    TOWNSHIP = "township"
    DONATION = "donation"


class Ownership(StrEnum):
    GOVERNMENT = "government"
    AGREEMENT = "agreement"  # held by an enterprise for the government (企业代储)


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    ISSUE = "issue"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    COUNT_ADJUSTMENT = "count_adjustment"
    SCRAP = "scrap"
    REVERSAL = "reversal"
    ROTATION_OUT = "rotation_out"
    ROTATION_IN = "rotation_in"
    RETURN = "return"
    DISPATCH = "dispatch"    # a relief shipment leaves its depot
    TRANSIT = "transit"      # onto (+) or off (-) the goods in transit
    DELIVERY = "delivery"    # handed to the people of an affected area
    LOSS = "loss"            # written off in transit (short or damaged on arrival)


class DocumentKind(StrEnum):
    """Each kind numbers its documents per depot and year with its own prefix."""

    RECEIPT = "RK"    # 入库
    ISSUE = "CK"      # 出库
    TRANSFER = "DB"   # 调拨
    COUNT = "PD"      # 盘点
    SCRAP = "BF"      # 报废
    REVERSAL = "CX"   # 冲销
    ROTATION = "LH"   # 轮换
    SHIPMENT = "YD"   # 运单: a relief shipment's waybill


class DocumentSubject:
    """A transfer, count, scrap request or rotation plan: people call it by its document's number."""

    def audit_reference(self) -> str | None:
        return self.document.number if self.document is not None else None


class Document(Base):
    """A numbered voucher (receipt, issue, transfer, count, scrap, reversal) that movements belong to."""

    __tablename__ = "documents"
    __audit__ = _l("Document")
    __table_args__ = (
        UniqueConstraint("depot_id", "kind", "year", "sequence"),
        Index("ix_documents_depot_created", "depot_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, 4))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    counterparty: Mapped[str | None] = mapped_column(String(200))  # supplier, recipient unit

    depot: Mapped[Depot] = relationship()
    created_by: Mapped[User] = relationship()
    movements: Mapped[list[Movement]] = relationship(back_populates="document", order_by="Movement.id")


class DocumentSequence(Base):
    """The last number handed out per depot, document kind and year."""

    __tablename__ = "document_sequences"
    __audit__ = None  # not audited: numbering bookkeeping

    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, 4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Lot(Base):
    """One batch of one item in one depot, with its balance kept in step with the ledger.

    A batch on its way somewhere is a lot of its own, `in_transit`, kept on the books of the depot it left until
    it is received or delivered: valuation at any moment counts goods in transit (Odoo's transit location).
    """

    __tablename__ = "lots"
    __audit__ = None  # not audited: balances the ledger derives
    __table_args__ = (
        UniqueConstraint("depot_id", "item_id", "batch_no", "in_transit"),
        CheckConstraint("on_hand >= 0", name="on_hand_nonnegative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_nonnegative"),
        Index("ix_lots_depot_item_expiry", "depot_id", "item_id", "expiry_date"),
        Index("ix_lots_expiry", "expiry_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    batch_no: Mapped[str] = mapped_column(String(40))
    production_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    funding_source: Mapped[FundingSource] = mapped_column(str_enum(FundingSource))
    ownership: Mapped[Ownership] = mapped_column(str_enum(Ownership), default=Ownership.GOVERNMENT)
    holder: Mapped[str | None] = mapped_column(String(200))  # the enterprise holding agreement stock
    donor: Mapped[str | None] = mapped_column(String(200))
    donation_restriction: Mapped[str | None] = mapped_column(Text)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    in_transit: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    depot: Mapped[Depot] = relationship()
    item: Mapped[Item] = relationship()

    def is_expired(self, today: date) -> bool:
        return self.expiry_date is not None and self.expiry_date <= today

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


class Movement(Base):
    """One signed change of one lot's stock. Never edited nor deleted; a reversal points at its original."""

    __tablename__ = "movements"
    __audit__ = None  # not audited: the ledger keeps its own append-only record, with each movement's actor
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity_nonzero"),
        Index("ix_movements_depot_occurred", "depot_id", "occurred_at"),
        Index("ix_movements_lot_occurred", "lot_id", "occurred_at"),
        Index("ix_movements_item_occurred", "item_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    kind: Mapped[MovementKind] = mapped_column(str_enum(MovementKind))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("movements.id"), unique=True)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    count_id: Mapped[int | None] = mapped_column(ForeignKey("stock_counts.id"))
    scrap_id: Mapped[int | None] = mapped_column(ForeignKey("scrap_requests.id"))
    rotation_plan_id: Mapped[int | None] = mapped_column(ForeignKey("rotation_plans.id"), index=True)
    proceeds: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # money received for stock rotated out

    lot: Mapped[Lot] = relationship()
    depot: Mapped[Depot] = relationship()
    item: Mapped[Item] = relationship()
    document: Mapped[Document] = relationship(back_populates="movements")
    actor: Mapped[User] = relationship()
    reverses: Mapped[Movement | None] = relationship(remote_side=[id])


class ClosedPeriod(Base):
    """A calendar month (local time) that finance has closed: no movement may be dated in it or before it.

    A close is final, never reopened: what the month's figures said when it was closed stays said, and a mistake
    found later is corrected by a reversal in the open period. Closing a month closes the open months before it,
    each with a row of its own made by that close, so every month up to the latest closed one is closed.
    """

    __tablename__ = "closed_periods"
    __audit__ = _l("Closed period")
    __table_args__ = (CheckConstraint("month >= '2000-01-01' AND month <= '2100-12-01'", name="month_bounded"),)

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the month's first day
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    closed_by: Mapped[User] = relationship()


class TransferStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SHIPPED = "shipped"      # stock left the source: in transit
    RECEIVED = "received"
    CANCELLED = "cancelled"


class Transfer(DocumentSubject, Base):
    __tablename__ = "transfers"
    __audit__ = _l("Transfer")

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    destination_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[TransferStatus] = mapped_column(str_enum(TransferStatus), default=TransferStatus.DRAFT)
    evacuation: Mapped[bool] = mapped_column(default=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship()
    source: Mapped[Depot] = relationship(foreign_keys=[source_id])
    destination: Mapped[Depot] = relationship(foreign_keys=[destination_id])
    approved_by: Mapped[User | None] = relationship()
    lines: Mapped[list[TransferLine]] = relationship(back_populates="transfer", cascade="all, delete-orphan",
                                                     order_by="TransferLine.id")
    discrepancies: Mapped[list[Discrepancy]] = relationship(back_populates="transfer", order_by="Discrepancy.id")


class TransferLine(Base):
    """How much of an item moves; `lot_id` names a lot, or is chosen FEFO when the transfer ships."""

    __tablename__ = "transfer_lines"
    __audit__ = None  # not audited: part of its transfer
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    transfer: Mapped[Transfer] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship()
    lot: Mapped[Lot | None] = relationship()


class DiscrepancyStatus(StrEnum):
    OPEN = "open"
    WRITTEN_OFF = "written_off"   # the loss is accepted
    RECOVERED = "recovered"       # the missing goods turned up and were received


class Discrepancy(Base):
    """What a received transfer lacked (shortage) or brought damaged, per source lot, for a supervisor."""

    __tablename__ = "discrepancies"
    __audit__ = _l("Discrepancy")
    __table_args__ = (CheckConstraint("shortage >= 0 AND damaged >= 0 AND shortage + damaged > 0",
                                      name="something_missing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    source_lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    shortage: Mapped[int] = mapped_column(Integer, default=0)
    damaged: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[DiscrepancyStatus] = mapped_column(str_enum(DiscrepancyStatus), default=DiscrepancyStatus.OPEN)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str | None] = mapped_column(Text)

    transfer: Mapped[Transfer] = relationship(back_populates="discrepancies")
    source_lot: Mapped[Lot] = relationship()


class CountStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    CANCELLED = "cancelled"


class StockCount(DocumentSubject, Base):
    __tablename__ = "stock_counts"
    __audit__ = _l("Stock count")

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[CountStatus] = mapped_column(str_enum(CountStatus), default=CountStatus.OPEN)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship()
    depot: Mapped[Depot] = relationship()
    approved_by: Mapped[User | None] = relationship()
    lines: Mapped[list[CountLine]] = relationship(back_populates="count", cascade="all, delete-orphan",
                                                  order_by="CountLine.id")


class CountLine(Base):
    """One lot in a count: the book quantity when the count opened, and what the clerks found."""

    __tablename__ = "count_lines"
    __audit__ = _l("Counted lot")
    __audit_create__ = False  # made with its count, which is logged; what the clerks count is
    __table_args__ = (UniqueConstraint("count_id", "lot_id"),
                      CheckConstraint("counted IS NULL OR counted >= 0", name="counted_nonnegative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    expected: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int | None] = mapped_column(Integer)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    count: Mapped[StockCount] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship()
    counted_by: Mapped[User | None] = relationship()

    def audit_reference(self) -> str:
        return f"{self.count.document.number} {self.lot.batch_no}"


class ScrapStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class ScrapRequest(DocumentSubject, Base):
    __tablename__ = "scrap_requests"
    __audit__ = _l("Scrap request")

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    status: Mapped[ScrapStatus] = mapped_column(str_enum(ScrapStatus), default=ScrapStatus.REQUESTED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    document: Mapped[Document] = relationship()
    depot: Mapped[Depot] = relationship()
    decided_by: Mapped[User | None] = relationship()
    lines: Mapped[list[ScrapLine]] = relationship(back_populates="scrap", cascade="all, delete-orphan",
                                                  order_by="ScrapLine.id")


class ScrapLine(Base):
    __tablename__ = "scrap_lines"
    __audit__ = None  # not audited: part of its request
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scrap_id: Mapped[int] = mapped_column(ForeignKey("scrap_requests.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    scrap: Mapped[ScrapRequest] = relationship(back_populates="lines")
    lot: Mapped[Lot] = relationship()


class Reservation(Base):
    """Stock of a lot promised to something not yet shipped (a relief plan's line), so the depot page can say
    to what. The lot's `reserved` balance is the sum that counts; this row says who holds how much of it."""

    __tablename__ = "reservations"
    __audit__ = None  # not audited: derived from approved plans and transfers
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_nonnegative"),
                      Index("ix_reservations_holder", "holder", "holder_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)  # still held: what has shipped or been released is gone
    holder: Mapped[str] = mapped_column(String(40))  # e.g. "dispatch_plan"
    holder_id: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[int | None] = mapped_column(Integer)  # the holder's line the stock is for
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lot: Mapped[Lot] = relationship()
