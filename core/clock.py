"""The time and the local date: expiry dates are calendar dates where the depots are."""
from __future__ import annotations

import os
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from core.db import utcnow

LOCAL_ZONE = ZoneInfo(os.environ.get("TIMEZONE", "Asia/Shanghai"))


def today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def end_of_day(day: date) -> datetime:
    """The last instant of a local calendar day, in UTC (for 'stock as of' a date)."""
    local = datetime.combine(day, datetime.max.time(), tzinfo=LOCAL_ZONE)
    return local.astimezone(timezone.utc)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_ZONE).astimezone(timezone.utc)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()


def local_iso(moment: datetime) -> str:
    """An instant as ISO 8601 on the local wall clock, with its offset: what people read, still unambiguous."""
    return moment.astimezone(LOCAL_ZONE).isoformat(timespec="seconds")


def utc_offset() -> str:
    """The local zone's offset from UTC now, e.g. "+08:00"."""
    return datetime.now(LOCAL_ZONE).isoformat(timespec="seconds")[-6:]


__all__ = ["today", "start_of_day", "end_of_day", "local_date", "local_iso", "utc_offset", "utcnow", "LOCAL_ZONE"]
