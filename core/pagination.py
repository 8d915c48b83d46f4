"""Pages counted and cut in the database, never in Python."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from core.bounds import PAGE_MAX
from core.db import Session

MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def clamp(number: int, per_page: int) -> tuple[int, int]:
    """A page number and size within bounds, whatever the query string asked."""
    return min(max(1, number), PAGE_MAX), min(max(1, per_page), MAX_PER_PAGE)


def paginate(statement: Select, number: int = 1, per_page: int = 25) -> Page:
    number, per_page = clamp(number, per_page)
    total = Session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(Session.scalars(statement.limit(per_page).offset((number - 1) * per_page)))
    return Page(items=items, number=number, per_page=per_page, total=total or 0)
