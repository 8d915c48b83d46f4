"""Reading the audit log: filtered, newest first."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from core import clock
from core.audit.models import AuditAction, AuditEntry
from core.db import Base, Session
from core.pagination import Page, paginate

EXPORT_MAX = 100_000  # rows in one download: a year of a busy province; narrow the filters for more


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None        # part of the actor's name or username
    action: AuditAction | None = None
    subject: str | None = None      # a table name
    subject_id: str | None = None
    reference: str | None = None    # part of the reference (a document number, a code)
    date_from: date | None = None
    date_to: date | None = None


def audit_statement(filters: AuditFilters) -> Select:
    statement = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.actor:
        statement = statement.where(AuditEntry.actor_name.contains(filters.actor, autoescape=True))
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.subject:
        statement = statement.where(AuditEntry.subject == filters.subject)
    if filters.subject_id:
        statement = statement.where(AuditEntry.subject_id == filters.subject_id)
    if filters.reference:
        statement = statement.where(AuditEntry.reference.contains(filters.reference, autoescape=True))
    if filters.date_from:
        statement = statement.where(AuditEntry.at >= clock.start_of_day(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditEntry.at <= clock.end_of_day(filters.date_to))
    return statement


def list_entries(filters: AuditFilters, page: int = 1, per_page: int = 50) -> Page:
    return paginate(audit_statement(filters), page, per_page)


def export_entries(filters: AuditFilters) -> list[AuditEntry]:
    return list(Session.scalars(audit_statement(filters).limit(EXPORT_MAX)))


def changes_of(entry: AuditEntry) -> dict:
    """The entry's changes, field -> [before, after]; nothing for a sign-in or a deletion."""
    return json.loads(entry.changes) if entry.changes else {}


def audited_subjects() -> dict[str, object]:
    """Every audited table with its label (the filter's choices), by table name."""
    subjects = {}
    for mapper in Base.registry.mappers:
        label = getattr(mapper.class_, "__audit__", None)
        if label is not None:
            subjects[mapper.local_table.name] = label
    return dict(sorted(subjects.items()))
