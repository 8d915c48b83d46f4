"""The stock ledger's services: receipts, issues, reversals, transfers, counts, scrapping."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import clock
from core.db import Session
from core.errors import ConflictError, DomainError, FourEyesError, PermissionDeniedError
from core.models import Role
from inventory.network.services import set_quota
from inventory.reports.queries import valuation
from inventory.stock.models import Discrepancy, DiscrepancyStatus, Document, Lot, Movement, MovementKind, TransferStatus
from inventory.stock.queries import (
    available_quantity,
    depot_stock,
    depot_stock_as_of,
    donations_statement,
    ledger_mismatches,
    list_shortfalls,
    rotation_state,
)
from inventory.stock.services.counts import approve_count, open_count, record_counts
from inventory.stock.services.errors import ExpiredLotError, InsufficientStockError
from inventory.stock.services.issues import Issue, IssueLine, issue_stock
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock
from inventory.stock.services.reversals import reverse_movement
from inventory.stock.services.scraps import ScrapRequestLine, approve_scrap, request_scrap
from inventory.stock.services.transfers import (
    Arrival,
    ReceivedLine,
    TransferRequest,
    approve_transfer,
    cancel_transfer,
    draft_evacuation,
    draft_transfer,
    receive_transfer,
    resolve_discrepancy,
    ship_transfer,
    update_draft,
)

pytestmark = pytest.mark.usefixtures("reconciled")


@pytest.fixture
def depot(make_depot):
    return make_depot()


@pytest.fixture
def item(make_item):
    return make_item(pack_units=[{"name": "bale", "factor": 10}])


@pytest.fixture
def clerk(make_user, depot):
    return make_user(Role.CLERK, depots=[depot])


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.ADMIN)


def lot_balance(lot_id: int) -> tuple[int, int]:
    return tuple(Session.execute(select(Lot.on_hand, Lot.reserved).where(Lot.id == lot_id)).one())


def movement_count() -> int:
    return Session.scalar(select(func.count(Movement.id)))


def issue(depot, item, quantity, actor, lot_id=None, unit=None):
    return issue_stock(Issue(depot.id, [IssueLine(item.id, quantity, unit, lot_id)], "灾民安置点"), actor)


# Receipts

def test_receipt_numbers_documents_per_depot_and_year(depot, item, clerk):
    line = ReceiptLine(item.id, 2, "Q-1", Decimal("180"), "provincial", unit="bale", expiry_date=date(2031, 1, 1))
    first = receive_stock(Receipt(depot.id, [line], supplier="恒源祥"), clerk)
    second = receive_stock(Receipt(depot.id, [ReceiptLine(item.id, 5, "Q-1", Decimal("180"), "provincial",
                                                                   expiry_date=date(2031, 1, 1))]), clerk)
    year = clock.today().year
    assert (first.number, second.number) == (f"RK-{year}-000001", f"RK-{year}-000002")
    lot = Session.scalar(select(Lot).where(Lot.batch_no == "Q-1"))
    assert lot.on_hand == 25  # two bales of ten, then five more of the same batch


def test_receipt_derives_expiry_from_production_and_shelf_life(depot, item, clerk):
    produced = clock.today() - timedelta(days=100)
    receive_stock(Receipt(depot.id, [ReceiptLine(item.id, 1, "P-1", Decimal("1"), "county",
                                                          production_date=produced)]), clerk)
    assert Session.scalar(select(Lot.expiry_date)) == produced + timedelta(days=item.shelf_life_days)


@pytest.mark.parametrize("change, field", [
    ({"quantity": 0}, "quantity"),
    ({"unit": "pallet"}, "unit"),
    ({"expiry_date": None}, "production_date"),
    ({"expiry_date": date(2001, 1, 1)}, "expiry_date"),
    ({"funding_source": "donation"}, "donor"),
    ({"ownership": "agreement"}, "holder"),
])
def test_a_bad_receipt_line_is_refused_beside_its_field_and_nothing_is_written(depot, item, clerk, change, field):
    good = ReceiptLine(item.id, 3, "G-1", Decimal("5"), "county", expiry_date=date(2031, 1, 1))
    bad = ReceiptLine(item.id, 3, "G-2", Decimal("5"), "county", expiry_date=date(2031, 1, 1))
    for name, value in change.items():
        setattr(bad, name, value)
    with pytest.raises(DomainError) as refused:
        receive_stock(Receipt(depot.id, [good, bad]), clerk)
    assert field in refused.value.fields["lines"][1]
    assert movement_count() == 0 and Session.scalar(select(func.count(Document.id))) == 0


def test_a_receipt_line_is_refused_for_everything_wrong_with_it_at_once(depot, item, clerk):
    bad = ReceiptLine(item.id, 3, "G-2", Decimal("5"), "donation", unit="pallet", ownership="agreement",
                      production_date=date(2031, 1, 1), expiry_date=date(2030, 1, 1))
    with pytest.raises(DomainError) as refused:
        receive_stock(Receipt(depot.id, [bad]), clerk)
    assert set(refused.value.fields["lines"][0]) == {"unit", "expiry_date", "donor", "holder"}
    assert refused.value.fields["lines"][0]["expiry_date"] == ["Must be after the production date."]


def test_a_top_up_must_match_its_batch(depot, item, clerk, receive):
    receive(depot, item, 5, "SAME", unit_cost=Decimal("10"))
    with pytest.raises(DomainError) as refused:
        receive(depot, item, 5, "SAME", unit_cost=Decimal("12"), actor=clerk)
    assert "batch_no" in refused.value.fields["lines"][0]


def test_a_donation_keeps_its_donor_and_restriction(depot, item, clerk, receive):
    lot = receive(depot, item, 50, funding_source="donation", donor="红十字会", donation_restriction="仅限地震灾区")
    assert (lot.donor, lot.donation_restriction) == ("红十字会", "仅限地震灾区")
    assert [lot.id for lot in Session.scalars(donations_statement("红十字"))] == [lot.id]


def test_a_clerk_cannot_receive_at_another_depot(make_depot, item, clerk):
    other = make_depot()
    with pytest.raises(PermissionDeniedError):
        receive_stock(Receipt(other.id, [ReceiptLine(item.id, 1, "X", Decimal("1"), "county",
                                                              expiry_date=date(2031, 1, 1))]), clerk)


# Issues

def test_issue_takes_first_expiring_lots_first(depot, item, clerk, receive):
    late = receive(depot, item, 10, "LATE", expiry=clock.today() + timedelta(days=900))
    early = receive(depot, item, 10, "EARLY", expiry=clock.today() + timedelta(days=100))
    never = receive(depot, item, 10, "NEVER", expiry=clock.today() + timedelta(days=5000))
    issue(depot, item, 15, clerk)
    assert [lot_balance(lot.id)[0] for lot in (early, late, never)] == [0, 5, 10]


def test_an_expired_lot_is_never_picked_nor_available(depot, item, clerk, receive, expire):
    stale = receive(depot, item, 10, "STALE")
    fresh = receive(depot, item, 4, "FRESH")
    expire(stale)
    assert available_quantity(depot.id, item.id, clock.today()) == 4
    with pytest.raises(InsufficientStockError) as refused:
        issue(depot, item, 5, clerk)
    assert "available 4" in refused.value.message
    with pytest.raises(ExpiredLotError):
        issue(depot, item, 1, clerk, lot_id=stale.id)
    issue(depot, item, 4, clerk)
    assert lot_balance(fresh.id)[0] == 0 and lot_balance(stale.id)[0] == 10


def test_an_issue_beyond_stock_says_how_much_is_available_and_writes_nothing(depot, item, clerk, receive):
    lot = receive(depot, item, 7)
    before = movement_count()
    with pytest.raises(InsufficientStockError) as refused:
        issue_stock(Issue(depot.id, [IssueLine(item.id, 3), IssueLine(item.id, 1, "bale")], "x"), clerk)
    assert item.name in refused.value.message and "available 4" in refused.value.message
    assert refused.value.fields["lines"][1]["quantity"]
    assert lot_balance(lot.id) == (7, 0) and movement_count() == before


def test_reserved_stock_is_not_issued_to_someone_else(depot, item, clerk, supervisor, make_depot, receive):
    lot = receive(depot, item, 10)
    transfer = draft_transfer(TransferRequest(depot.id, make_depot().id, [IssueLine(item.id, 8)]), clerk)
    approve_transfer(transfer.id, supervisor)
    assert lot_balance(lot.id) == (10, 8)
    with pytest.raises(InsufficientStockError):
        issue(depot, item, 3, clerk)
    issue(depot, item, 2, clerk)


# Reversals

def test_a_reversal_undoes_one_movement_once(depot, item, clerk, receive):
    lot = receive(depot, item, 10)
    document = issue(depot, item, 4, clerk)
    original = Session.scalar(select(Movement).where(Movement.document_id == document.id))
    reversal = reverse_movement(original.id, clerk, "wrong recipient")
    assert reversal.number.startswith("CX-") and lot_balance(lot.id)[0] == 10
    with pytest.raises(ConflictError):
        reverse_movement(original.id, clerk, "again")
    assert Session.scalar(select(func.count(Movement.id)).where(Movement.reverses_id == original.id)) == 1


def test_a_receipt_whose_goods_are_gone_cannot_be_reversed(depot, item, clerk, receive):
    lot = receive(depot, item, 10)
    receipt = Session.scalar(select(Movement).where(Movement.lot_id == lot.id))
    issue(depot, item, 6, clerk)
    with pytest.raises(InsufficientStockError):
        reverse_movement(receipt.id, clerk, "typo")
    assert lot_balance(lot.id)[0] == 4


# Transfers

def test_transfer_from_draft_to_receipt_with_a_discrepancy(depot, item, clerk, supervisor, make_depot, make_user,
                                                           receive):
    destination = make_depot()
    receiver = make_user(Role.CLERK, depots=[destination])
    lot = receive(depot, item, 30, "T-1")
    transfer = draft_transfer(TransferRequest(depot.id, destination.id, [IssueLine(item.id, 2, "bale")]),
                                       clerk)
    with pytest.raises(FourEyesError):
        approve_transfer(transfer.id, clerk)
    approve_transfer(transfer.id, supervisor)
    ship_transfer(transfer.id, clerk)
    assert lot_balance(lot.id) == (10, 0)
    line = transfer.lines[0]
    with pytest.raises(PermissionDeniedError):
        receive_transfer(transfer.id, Arrival([ReceivedLine(line.id, 17, 1)]), clerk)
    received = receive_transfer(transfer.id, Arrival([ReceivedLine(line.id, 17, 1, "one box wet")]),
                                         receiver)
    assert received.status == TransferStatus.RECEIVED
    arrived = Session.scalar(select(Lot).where(Lot.depot_id == destination.id))
    assert (arrived.batch_no, arrived.on_hand, arrived.expiry_date) == ("T-1", 17, lot.expiry_date)
    discrepancy = Session.scalar(select(Discrepancy))
    assert (discrepancy.shortage, discrepancy.damaged) == (2, 1)
    with pytest.raises(PermissionDeniedError):
        resolve_discrepancy(discrepancy.id, receiver, recovered=2)
    resolve_discrepancy(discrepancy.id, supervisor, recovered=2, note="found on the truck")
    assert lot_balance(arrived.id)[0] == 19
    assert Session.get(Discrepancy, discrepancy.id).status == DiscrepancyStatus.RECOVERED


def in_transit_at(depot) -> int:
    return int(Session.scalar(select(func.coalesce(func.sum(Lot.on_hand), 0))
                              .where(Lot.depot_id == depot.id, Lot.in_transit.is_(True))))


def test_a_shipped_transfer_stays_on_the_books_in_transit_until_received_or_written_off(
        depot, item, clerk, supervisor, make_depot, make_user, receive):
    destination = make_depot()
    receiver = make_user(Role.CLERK, depots=[destination])
    receive(destination, item, 5, "T-9", unit_cost=Decimal("99.00"))  # the destination's own batch, same number
    lot = receive(depot, item, 30, "T-9")
    value = valuation(clock.today()).total_value
    transfer = draft_transfer(TransferRequest(depot.id, destination.id, [IssueLine(item.id, 20)]), clerk)
    approve_transfer(transfer.id, supervisor)
    ship_transfer(transfer.id, clerk)
    assert lot_balance(lot.id) == (10, 0) and in_transit_at(depot) == 20
    assert valuation(clock.today()).total_value == value  # on the road, still on the books
    line = transfer.lines[0]
    receive_transfer(transfer.id, Arrival([ReceivedLine(line.id, 17, 1, "one box wet")]), receiver)
    assert in_transit_at(depot) == 3  # 2 short and 1 damaged wait for the discrepancy
    arrived = Session.scalar(select(Lot).where(Lot.depot_id == destination.id, Lot.batch_no != "T-9"))
    assert (arrived.batch_no, arrived.on_hand, arrived.unit_cost) == (f"T-9@{depot.code}", 17, lot.unit_cost)
    discrepancy = Session.scalar(select(Discrepancy))
    resolve_discrepancy(discrepancy.id, supervisor, recovered=1, note="one found")
    assert in_transit_at(depot) == 0
    lost = Session.scalar(select(func.sum(Movement.quantity)).where(Movement.kind == MovementKind.LOSS))
    assert lost == -2
    assert valuation(clock.today()).total_value == value - 2 * lot.unit_cost
    assert ledger_mismatches() == []


def test_cancelling_an_approved_transfer_releases_its_reservation(depot, item, clerk, supervisor, make_depot,
                                                                 receive):
    lot = receive(depot, item, 10)
    transfer = draft_transfer(TransferRequest(depot.id, make_depot().id, [IssueLine(item.id, 10)]), clerk)
    approve_transfer(transfer.id, supervisor)
    cancel_transfer(transfer.id, clerk)
    assert lot_balance(lot.id) == (10, 0)
    with pytest.raises(ConflictError):
        ship_transfer(transfer.id, clerk)


def test_evacuation_drafts_all_free_unexpired_stock(depot, item, make_item, clerk, make_depot, receive, expire):
    receive(depot, item, 10)
    expired = receive(depot, make_item(), 5)
    expire(expired)
    transfer = draft_evacuation(depot.id, make_depot().id, clerk)
    assert transfer.evacuation and [(line.item_id, line.quantity) for line in transfer.lines] == [(item.id, 10)]
    update_draft(transfer.id, [IssueLine(item.id, 6)], clerk)
    Session.expire_all()
    assert [line.quantity for line in Session.get(type(transfer), transfer.id).lines] == [6]


# Counts

def test_count_differences_become_adjustments_only_when_a_second_person_approves(depot, item, clerk, supervisor,
                                                                                 receive):
    lot = receive(depot, item, 20)
    count = open_count(depot.id, clerk)
    record_counts(count.id, {count.lines[0].id: 18}, clerk)
    assert lot_balance(lot.id)[0] == 20
    with pytest.raises(FourEyesError):
        approve_count(count.id, clerk)
    approve_count(count.id, supervisor)
    assert lot_balance(lot.id)[0] == 18
    adjustment = Session.scalar(select(Movement).where(Movement.kind == MovementKind.COUNT_ADJUSTMENT))
    assert adjustment.quantity == -2 and "counted 18" in adjustment.reason


def test_a_count_cannot_be_approved_before_every_lot_is_counted(depot, item, clerk, supervisor, receive):
    receive(depot, item, 20)
    receive(depot, item, 5)
    count = open_count(depot.id, clerk)
    record_counts(count.id, {count.lines[0].id: 20}, clerk)
    with pytest.raises(DomainError, match="Not every lot is counted"):
        approve_count(count.id, supervisor)


# Scrapping

def test_scrapping_needs_a_second_person_and_takes_expired_stock(depot, item, clerk, supervisor, receive, expire):
    lot = receive(depot, item, 12)
    expire(lot)
    scrap = request_scrap(depot.id, [ScrapRequestLine(lot.id, 12)], "mould after flooding", clerk)
    assert lot_balance(lot.id)[0] == 12
    with pytest.raises(FourEyesError):
        approve_scrap(scrap.id, clerk)
    approve_scrap(scrap.id, supervisor)
    assert lot_balance(lot.id)[0] == 0
    with pytest.raises(ConflictError):
        approve_scrap(scrap.id, supervisor)


def test_a_scrap_request_beyond_the_lot_is_refused_beside_the_line(depot, item, clerk, receive):
    lot = receive(depot, item, 3)
    with pytest.raises(InsufficientStockError) as refused:
        request_scrap(depot.id, [ScrapRequestLine(lot.id, 4)], "broken", clerk)
    assert refused.value.fields["lines"][0]["quantity"]


# Reading the ledger

def test_stock_at_a_past_date_comes_from_the_ledger(depot, item, clerk, receive):
    lot = receive(depot, item, 10)
    yesterday = clock.today() - timedelta(days=1)
    Session.execute(Movement.__table__.update().values(occurred_at=clock.start_of_day(yesterday)))
    Session.commit()
    issue(depot, item, 4, clerk)
    past = depot_stock_as_of(depot.id, yesterday)
    now = depot_stock(depot.id)
    assert [(s.item.id, s.on_hand) for s in past] == [(item.id, 10)]
    assert [(s.item.id, s.on_hand) for s in now] == [(item.id, 6)]
    assert depot_stock_as_of(depot.id, yesterday - timedelta(days=1)) == []
    assert lot.id in [line.lot_id for line in past[0].lots]


def test_shortfalls_list_depots_below_their_minimum(depot, item, receive):
    receive(depot, item, 30)
    set_quota(depot.id, item.id, target=200, minimum=100, actor=None)
    page = list_shortfalls()
    assert [(s.depot.id, s.available, s.below_minimum) for s in page.items] == [(depot.id, 30, 70)]
    receive(depot, item, 70)
    assert list_shortfalls().total == 0


def test_rotation_state_at_its_boundaries():
    today = date(2026, 6, 1)
    assert rotation_state(None, 90, today) == "ok"
    assert rotation_state(today, 90, today) == "expired"
    assert rotation_state(today + timedelta(days=90), 90, today) == "due"
    assert rotation_state(today + timedelta(days=91), 90, today) == "ok"


def test_nothing_ships_or_leaves_without_its_approval(depot, item, clerk, make_depot, receive):
    lot = receive(depot, item, 10)
    transfer = draft_transfer(TransferRequest(depot.id, make_depot().id, [IssueLine(item.id, 4)]), clerk)
    with pytest.raises(ConflictError, match="draft, not approved"):
        ship_transfer(transfer.id, clerk)
    count = open_count(depot.id, clerk)
    record_counts(count.id, {count.lines[0].id: 1}, clerk)
    scrap = request_scrap(depot.id, [ScrapRequestLine(lot.id, 2)], "torn", clerk)
    assert lot_balance(lot.id) == (10, 0) and count.status.value == "open" and scrap.status.value == "requested"
