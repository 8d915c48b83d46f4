"""What waits for a user's signature: one UNION over the four kinds of document that need a second person.

Each branch asks what the approving service would ask: the document is in the state its approval expects, the
user may act at its depot, and the user is not among the people who drafted (or counted) it, nor issued the
token of a service account that did. What the service would refuse is not listed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased

from core.access import actable_depot_ids
from core.db import Session
from core.models import ApiToken, User
from core.pagination import Page, clamp
from inventory.network.models import Depot
from inventory.rotation.models import RotationPlan, RotationPlanStatus
from inventory.stock.models import (
    CountLine,
    CountStatus,
    Document,
    ScrapRequest,
    ScrapStatus,
    StockCount,
    Transfer,
    TransferStatus,
)


class WaitingKind(StrEnum):
    TRANSFER = "transfer"
    COUNT = "count"
    SCRAP = "scrap"
    ROTATION_PLAN = "rotation_plan"


@dataclass(frozen=True)
class Waiting:
    """One document waiting for the user's signature."""

    kind: WaitingKind
    subject_id: int
    document_id: int
    number: str
    depot_id: int
    depot_code: str
    depot_name: str
    drafted_at: datetime
    drafted_by: str


def _transfers() -> Select:
    return (select(literal(WaitingKind.TRANSFER.value).label("kind"), Transfer.id.label("subject_id"),
                   Transfer.document_id, Transfer.source_id.label("depot_id"))
            .where(Transfer.status == TransferStatus.DRAFT))


def _counts(user: User) -> Select:
    """Open counts with every lot counted, none of it by this user (the service's condition for approval)."""
    line = CountLine.__table__.alias("line")
    uncounted = exists().where(line.c.count_id == StockCount.id, line.c.counted.is_(None))
    counted_by_user = exists().where(line.c.count_id == StockCount.id, line.c.counted_by_id == user.id)
    return _open_counts().where(~uncounted, ~counted_by_user)


def _scraps() -> Select:
    return (select(literal(WaitingKind.SCRAP.value).label("kind"), ScrapRequest.id.label("subject_id"),
                   ScrapRequest.document_id, ScrapRequest.depot_id)
            .where(ScrapRequest.status == ScrapStatus.REQUESTED))


def _rotation_plans() -> Select:
    return (select(literal(WaitingKind.ROTATION_PLAN.value).label("kind"), RotationPlan.id.label("subject_id"),
                   RotationPlan.document_id, RotationPlan.depot_id)
            .where(RotationPlan.status == RotationPlanStatus.DRAFT))


BRANCHES = {WaitingKind.TRANSFER: lambda user: _transfers(), WaitingKind.COUNT: _counts,
            WaitingKind.SCRAP: lambda user: _scraps(), WaitingKind.ROTATION_PLAN: lambda user: _rotation_plans()}


def _waiting(user: User, kind: WaitingKind | None = None, depot_id: int | None = None) -> Select | None:
    """The rows waiting for `user`, as a subquery-able statement; None when nothing can ever wait for them."""
    depot_ids = actable_depot_ids(user)
    if user.service_account or depot_ids == set():
        return None
    branches = [branch(user) for key, branch in BRANCHES.items() if kind in (None, key)]
    waiting = union_all(*branches).subquery("waiting")
    drafter = aliased(User, name="drafter")
    issued_by_user = select(ApiToken.user_id).where(ApiToken.issued_by_id == user.id)
    statement = (select(waiting.c.kind, waiting.c.subject_id, waiting.c.document_id, Document.number,
                        waiting.c.depot_id, Depot.code, Depot.name, Document.created_at,
                        drafter)
                 .join(Document, Document.id == waiting.c.document_id)
                 .join(Depot, Depot.id == waiting.c.depot_id)
                 .join(drafter, drafter.id == Document.created_by_id)
                 .where(Document.created_by_id != user.id, Document.created_by_id.not_in(issued_by_user)))
    if depot_ids is not None:
        statement = statement.where(waiting.c.depot_id.in_(depot_ids))
    if depot_id is not None:
        statement = statement.where(waiting.c.depot_id == depot_id)
    return statement


def list_waiting(user: User, kind: WaitingKind | None = None, depot_id: int | None = None, page: int = 1,
                 per_page: int = 50) -> Page:
    """What waits for the user's signature, oldest first, one page of it."""
    statement = _waiting(user, kind, depot_id)
    page, per_page = clamp(page, per_page)
    if statement is None:
        return Page(items=[], number=page, per_page=per_page, total=0)
    total = Session.scalar(select(func.count()).select_from(statement.subquery()))
    # Ties in time keep the document order, so a page never shuffles between two loads.
    rows = Session.execute(statement.order_by(Document.created_at, Document.id)
                           .limit(per_page).offset((page - 1) * per_page))
    return Page(items=[_row(row) for row in rows], number=page, per_page=per_page, total=total or 0)


def _row(row) -> Waiting:
    kind, subject_id, document_id, number, depot_id, code, name, created_at, drafter = row
    return Waiting(WaitingKind(kind), subject_id, document_id, number, depot_id, code, name, created_at,
                   drafter.name_and_login)


def count_waiting(user: User) -> int:
    """How many documents wait for the user: the number beside the header's Inbox link."""
    statement = _waiting(user)
    if statement is None:
        return 0
    return Session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def count_by_kind(user: User, depot_id: int | None = None) -> dict[WaitingKind, int]:
    """How many wait of each kind (the filter's figures), every kind present, zero included."""
    counts = dict.fromkeys(WaitingKind, 0)
    statement = _waiting(user, depot_id=depot_id)
    if statement is None:
        return counts
    waiting = statement.subquery()
    for kind, total in Session.execute(select(waiting.c.kind, func.count()).group_by(waiting.c.kind)):
        counts[WaitingKind(kind)] = total
    return counts


def waiting_depots(user: User) -> list[tuple[int, str, str]]:
    """The depots where something waits for the user (id, code, name), by code: the depot filter's choices."""
    statement = _waiting(user)
    if statement is None:
        return []
    waiting = statement.subquery()
    return [tuple(row) for row in Session.execute(
        select(waiting.c.depot_id, waiting.c.code, waiting.c.name).distinct().order_by(waiting.c.code))]


def own_drafts_by_depot(user: User) -> dict[int, int]:
    """How many documents the user drafted still wait for someone else's signature, per depot (open counts
    included however far they are counted): the other side of the inbox, for the clerk's home page."""
    branches = [_transfers(), _open_counts(), _scraps(), _rotation_plans()]
    waiting = union_all(*branches).subquery("waiting")
    rows = Session.execute(select(waiting.c.depot_id, func.count())
                           .join(Document, Document.id == waiting.c.document_id)
                           .where(Document.created_by_id == user.id).group_by(waiting.c.depot_id))
    return dict(rows.all())


def _open_counts() -> Select:
    return (select(literal(WaitingKind.COUNT.value).label("kind"), StockCount.id.label("subject_id"),
                   StockCount.document_id, StockCount.depot_id)
            .where(StockCount.status == CountStatus.OPEN))


def waiting_by_depot(user: User) -> dict[int, int]:
    """How many documents wait for the user's signature at each depot."""
    statement = _waiting(user)
    if statement is None:
        return {}
    waiting = statement.subquery()
    return dict(Session.execute(select(waiting.c.depot_id, func.count()).group_by(waiting.c.depot_id)).all())
