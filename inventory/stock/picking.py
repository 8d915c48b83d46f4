"""Choosing lots, first expiring first out (FEFO): pure functions over plain lot values, no database.

A lot here is anything with `id`, `free` (on hand less reserved), `expiry_date` and `production_date`. The
ledger reads the depot's lots and writes the movements; this module only decides which lots and how much.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar


class PickableLot(Protocol):
    id: int
    free: int
    expiry_date: date | None
    production_date: date | None


LotT = TypeVar("LotT", bound=PickableLot)


@dataclass
class Pick(Generic[LotT]):
    lot: LotT
    quantity: int


class ShortOfStock(Exception):
    """Less usable free stock than asked for; `available` says how much there was."""

    def __init__(self, asked: int, available: int):
        super().__init__(f"asked {asked}, available {available}")
        self.asked, self.available = asked, available


def is_usable(lot: PickableLot, today: date, usable_until: date | None = None) -> bool:
    """Not expired today, and (when `usable_until` is given) still good on that day, e.g. on arrival."""
    last_day = max(today, usable_until) if usable_until else today
    return lot.expiry_date is None or lot.expiry_date > last_day


def fefo_order(lots: list[LotT]) -> list[LotT]:
    """First expiring first; lots that never expire last; ties by production date, then by id."""
    return sorted(lots, key=lambda lot: (lot.expiry_date is None, lot.expiry_date or date.max,
                                         lot.production_date or date.min, lot.id))


def pick_fefo(lots: list[LotT], quantity: int, today: date, taken: dict[int, int] | None = None,
              usable_until: date | None = None) -> list[Pick[LotT]]:
    """Split `quantity` over the usable lots, first expiring first; raise ShortOfStock when they hold too little.

    `taken` holds what earlier lines of the same document already took from each lot.
    """
    taken = taken or {}
    picks, remaining = [], quantity
    for lot in fefo_order([lot for lot in lots if is_usable(lot, today, usable_until)]):
        free = lot.free - taken.get(lot.id, 0)
        if free <= 0:
            continue
        take = min(free, remaining)
        picks.append(Pick(lot, take))
        remaining -= take
        if remaining == 0:
            return picks
    raise ShortOfStock(quantity, quantity - remaining)


def add_taken(taken: dict[int, int], picks: list[Pick]) -> None:
    """Count picks against their lots, so the next line of the same document sees what is left."""
    for pick in picks:
        taken[pick.lot.id] = taken.get(pick.lot.id, 0) + pick.quantity
