"""One line of the audit log."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, utcnow
from core.models import str_enum


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_REFUSED = "sign_in_refused"   # the account or the address was locked after too many failures
    SIGN_OUT = "sign_out"


class AuditSource(StrEnum):
    WEB = "web"
    API = "api"
    CLI = "cli"      # flask commands, run by an operator on the server
    JOB = "job"      # background work a user started (planning)


class AuditEntry(Base):
    """Written once, never changed: the database refuses UPDATE and DELETE on this table (migration 0012)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_subject", "subject", "subject_id"),)
    __audit__ = None  # the log itself

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The actor's id, and their name as it was then: a later rename does not rewrite history.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction))
    subject: Mapped[str] = mapped_column(String(40))          # the table of what changed ("transfers")
    subject_id: Mapped[str | None] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(200))  # what people call it: a number, a code, a name
    changes: Mapped[str | None] = mapped_column(Text)          # JSON: field -> [before, after]
    source: Mapped[AuditSource] = mapped_column(str_enum(AuditSource, 8))
    address: Mapped[str | None] = mapped_column(String(64))    # the client's address, for web and API
    token_name: Mapped[str | None] = mapped_column(String(100))  # the API token's name, for API calls
