"""FEFO picking on plain lot values: no app, no database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inventory.stock.picking import ShortOfStock, add_taken, fefo_order, is_usable, pick_fefo

TODAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Lot:
    id: int
    free: int
    expiry_date: date | None
    production_date: date | None = None


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_the_first_expiring_lot_goes_first_and_lots_that_never_expire_last():
    lots = [Lot(1, 5, None), Lot(2, 5, days(300)), Lot(3, 5, days(30), days(-100)), Lot(4, 5, days(30), days(-400))]
    assert [lot.id for lot in fefo_order(lots)] == [4, 3, 2, 1]


def test_a_quantity_is_split_over_lots_first_expiring_first():
    lots = [Lot(1, 10, days(200)), Lot(2, 4, days(20)), Lot(3, 3, days(90))]
    assert [(p.lot.id, p.quantity) for p in pick_fefo(lots, 9, TODAY)] == [(2, 4), (3, 3), (1, 2)]


def test_expired_lots_are_never_picked():
    lots = [Lot(1, 10, TODAY), Lot(2, 3, days(1))]
    with pytest.raises(ShortOfStock) as short:
        pick_fefo(lots, 5, TODAY)
    assert (short.value.asked, short.value.available) == (5, 3)


def test_lots_that_expire_before_a_given_day_are_skipped():
    """A plan delivering on day 10 must not take a lot that expires on day 7."""
    lots = [Lot(1, 10, days(7)), Lot(2, 10, days(60))]
    assert [(p.lot.id, p.quantity) for p in pick_fefo(lots, 4, TODAY, usable_until=days(10))] == [(2, 4)]
    assert is_usable(lots[0], TODAY) and not is_usable(lots[0], TODAY, usable_until=days(10))


def test_what_earlier_lines_took_is_not_picked_again():
    lots = [Lot(1, 5, days(10)), Lot(2, 5, days(20))]
    taken: dict[int, int] = {}
    add_taken(taken, pick_fefo(lots, 4, TODAY, taken))
    second = pick_fefo(lots, 4, TODAY, taken)
    assert [(p.lot.id, p.quantity) for p in second] == [(1, 1), (2, 3)]
    add_taken(taken, second)
    with pytest.raises(ShortOfStock):
        pick_fefo(lots, 3, TODAY, taken)


lot_values = st.lists(st.builds(Lot, id=st.integers(0, 10**6), free=st.integers(0, 50),
                                expiry_date=st.one_of(st.none(), st.integers(-5, 400).map(days))),
                      max_size=8, unique_by=lambda lot: lot.id)


@given(lots=lot_values, quantity=st.integers(1, 200))
def test_a_pick_takes_exactly_the_quantity_from_usable_free_stock_or_says_how_much_there_is(lots, quantity):
    usable = sum(lot.free for lot in lots if is_usable(lot, TODAY))
    try:
        picks = pick_fefo(lots, quantity, TODAY)
    except ShortOfStock as short:
        assert short.available == usable < quantity
        return
    assert sum(p.quantity for p in picks) == quantity
    assert all(0 < p.quantity <= p.lot.free and is_usable(p.lot, TODAY) for p in picks)
    order = [lot.id for lot in fefo_order(lots)]
    assert [p.lot.id for p in picks] == sorted((p.lot.id for p in picks), key=order.index)
