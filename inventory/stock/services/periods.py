"""Closed periods: finance closes a month, and the ledger dates nothing in it or before it any more.

A month is a calendar month where the depots are (core.clock's zone), named "YYYY-MM". A month closes once it
has ended, and closing it closes every open month before it too ("the books are closed through October"), so the
closed months are always all those up to the latest closed one, and one comparison tells whether a moment is closed.
A close is final: corrections go into the open period, as reversals (see ClosedPeriod).
"""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, text

from core import clock
from core.access import ensure_role
from core.bounds import DAY_MAX, DAY_MIN
from core.db import Session, unit_of_work
from core.errors import ConflictError, DomainError, NotFoundError
from core.models import Role, User
from inventory.stock.models import ClosedPeriod, Movement

CLOSERS = (Role.FINANCE, Role.ADMIN)  # administrators may do finance's work, as they record payments
_PERIOD = re.compile(r"(\d{4})-(\d{2})")


def month_of(moment: datetime) -> date:
    """The first day of the local month a moment falls in."""
    return clock.local_date(moment).replace(day=1)


def next_month(month: date) -> date:
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)


def previous_month(month: date) -> date:
    return month.replace(year=month.year - 1, month=12) if month.month == 1 else month.replace(month=month.month - 1)


def label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_period(value: str) -> date:
    """A month named "YYYY-MM" within the dates the ledger holds; anything else names no period (404)."""
    match = _PERIOD.fullmatch(value or "")
    if match and 1 <= int(match[2]) <= 12:
        month = date(int(match[1]), int(match[2]), 1)
        if DAY_MIN <= month <= DAY_MAX:
            return month
    raise NotFoundError(_("No period %(period)s: name a month as YYYY-MM, from %(first)s to %(last)s.",
                          period=(value or "")[:20], first=label(DAY_MIN), last=label(DAY_MAX)))


def closed_through() -> date | None:
    """The latest closed month: it and every month before it are closed."""
    return Session.scalar(select(func.max(ClosedPeriod.month)))


def ensure_open(moment: datetime) -> None:
    """Refuse a document or movement dated in a closed month, beside the field that dates it."""
    through = closed_through()
    month = month_of(moment)
    if through is not None and month <= through:
        message = _("The period %(period)s is closed; record a correction in the open period.", period=label(month))
        raise DomainError(message, {"occurred_at": [message]})


def first_open_activity(through: date | None) -> date | None:
    """The month of the earliest movement after the closed months (None: the open months hold none)."""
    statement = select(func.min(Movement.occurred_at))
    if through is not None:
        statement = statement.where(Movement.occurred_at >= clock.start_of_day(next_month(through)))
    first = Session.scalar(statement)
    return month_of(first) if first is not None else None


@unit_of_work
def close_period(month: date, actor: User) -> ClosedPeriod:
    """Close a month that has ended, and with it every open month before it: each gets its own record of who
    closed it and when (from the month after the last close, or from the ledger's first month)."""
    ensure_role(actor, *CLOSERS)
    _hold_ledger_still()
    through = closed_through()
    if through is not None and month <= through:
        raise ConflictError(_("The period %(period)s is already closed.", period=label(month)))
    if month >= month_of(clock.utcnow()):
        raise DomainError(_("The period %(period)s has not ended yet; only past months can be closed.",
                            period=label(month)))
    first = next_month(through) if through is not None else min(first_open_activity(None) or month, month)
    now, closed = clock.utcnow(), None
    for each in _months(first, month):
        closed = ClosedPeriod(month=each, closed_by_id=actor.id, closed_at=now)
        Session.add(closed)
    Session.flush()
    return closed


def _months(first: date, last: date) -> list[date]:
    months = [first]
    while months[-1] < last:
        months.append(next_month(months[-1]))
    return months


def _hold_ledger_still() -> None:
    """Wait for the writes in flight, and hold back new ones, until the close commits.

    Every movement changes its lot's balance before the ledger asks whether its month is closed (ledger.post_movement).
    A SHARE lock on the lots waits for every transaction that has changed a balance and stops the next ones at their
    UPDATE; once the close commits they go on, and their question sees the close. SQLite has one writer at a time.
    """
    if Session.get_bind().dialect.name == "postgresql":
        Session.execute(text("LOCK TABLE lots IN SHARE MODE"))
