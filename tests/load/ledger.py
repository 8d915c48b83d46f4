"""After the load: the ledger holds exactly the writes that were answered 2xx, no more and no fewer, and
`flask stock reconcile` passes."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict

from sqlalchemy import create_engine, func, select

from inventory.stock.models import Document, Lot, Movement, MovementKind, Transfer
from tests.load.clerks import Log
from tests.load.network import Network
from tests.load.server import ROOT

TRANSFER_STATES = {"draft": "draft", "approve": "approved", "ship": "shipped", "receive": "received"}


def reconcile(database_url: str) -> subprocess.CompletedProcess:
    """`flask stock reconcile` as an operator runs it."""
    environment = {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "wsgi", "SECRET_KEY": "load-test"}
    return subprocess.run([sys.executable, "-m", "flask", "stock", "reconcile"], cwd=ROOT, env=environment,
                          capture_output=True, text=True)


def ledger_problems(database_url: str, network: Network, log: Log) -> list[str]:
    """What differs between the answered writes and the database; empty when they agree exactly."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return (_documents(connection, network, log) + _movements(connection, network, log)
                    + _transfers(connection, log) + _reservations(connection, log) + log.replay_mismatches)
    finally:
        engine.dispose()


def _accepted(log: Log, *kinds: str):
    return [outcome for outcome in log.outcomes if outcome.kind in kinds and outcome.status < 300]


def _number(outcome) -> tuple[int, str]:
    """Documents are numbered per depot: a document is its depot and its number."""
    answer = outcome.answer
    return answer.get("depot_id", answer.get("source_id")), answer["number"]


def _documents(connection, network: Network, log: Log) -> list[str]:
    """Each answered receipt, issue and transfer draft made one document; nothing else made any."""
    answered = [_number(o) for o in _accepted(log, "receipt", "issue", "draft")]
    stored = set(connection.execute(select(Document.depot_id, Document.number)
                                    .where(Document.id > network.documents_before)).all())
    problems = [f"document {n} answered more than once" for n in answered if answered.count(n) > 1]
    if stored != set(answered):
        problems.append(f"documents stored but never answered: {sorted(stored - set(answered))[:10]}; "
                        f"answered but not stored: {sorted(set(answered) - stored)[:10]}")
    return problems


def _movements(connection, network: Network, log: Log) -> list[str]:
    """Every document's movements add up to what its request asked for, kind by kind."""
    booked = defaultdict(int)
    rows = connection.execute(select(Document.depot_id, Document.number, Movement.kind, func.sum(Movement.quantity),
                                     func.count(Movement.id))
                              .join(Movement, Movement.document_id == Document.id)
                              .where(Document.id > network.documents_before)
                              .group_by(Document.depot_id, Document.number, Movement.kind))
    counted = {}
    for depot, number, kind, quantity, count in rows:
        number = (depot, number)
        booked[number, MovementKind(kind)] = quantity
        counted[number, MovementKind(kind)] = count
    expected = defaultdict(int)
    for outcome in _accepted(log, "receipt"):
        expected[_number(outcome), MovementKind.RECEIPT] += sum(line["quantity"] for line in outcome.body["lines"])
    for outcome in _accepted(log, "issue"):
        expected[_number(outcome), MovementKind.ISSUE] -= sum(line["quantity"] for line in outcome.body["lines"])
    for number, state, quantity in _transfer_states(log).values():
        if state in ("shipped", "received"):
            # Shipping moves the goods onto the road (transit +); receiving takes them off it again (transit -).
            expected[number, MovementKind.TRANSFER_OUT] -= quantity
            expected[number, MovementKind.TRANSIT] += quantity if state == "shipped" else 0
        if state == "received":
            expected[number, MovementKind.TRANSFER_IN] += quantity
    problems = [f"{number[1]} at depot {number[0]} {kind.value}: booked {booked.get((number, kind), 0)}, "
                f"answered {quantity}"
                for (number, kind), quantity in expected.items() if booked.get((number, kind), 0) != quantity]
    problems += [f"{number[1]} at depot {number[0]} {kind.value}: booked {quantity} that no answer explains"
                 for (number, kind), quantity in booked.items() if (number, kind) not in expected]
    receipts = {_number(o): len(o.body["lines"]) for o in _accepted(log, "receipt")}
    problems += [f"{number}: {counted.get((number, MovementKind.RECEIPT))} receipt movements for {lines} lines"
                 for number, lines in receipts.items() if counted.get((number, MovementKind.RECEIPT)) != lines]
    return problems


def _transfer_states(log: Log) -> dict[int, tuple[tuple[int, str], str, int]]:
    """Each answered transfer's document, the last step answered 2xx, and its quantity."""
    states = {}
    for outcome in _accepted(log, "draft"):
        quantity = sum(line["quantity"] for line in outcome.body["lines"])
        states[outcome.answer["id"]] = (_number(outcome), "draft", quantity)
    for outcome in _accepted(log, "approve", "ship", "receive"):
        number, _state, quantity = states[outcome.transfer_id]
        states[outcome.transfer_id] = (number, TRANSFER_STATES[outcome.kind], quantity)
    return states


def _transfers(connection, log: Log) -> list[str]:
    stored = dict(connection.execute(select(Transfer.id, Transfer.status)).all())
    return [f"transfer {number} is {stored.get(tid)}, its last answered step made it {state}"
            for tid, (number, state, _quantity) in _transfer_states(log).items() if stored.get(tid) != state]


def _reservations(connection, log: Log) -> list[str]:
    """Stock is reserved for exactly the approved transfers that have not shipped."""
    approved = sum(quantity for _n, state, quantity in _transfer_states(log).values() if state == "approved")
    reserved = connection.scalar(select(func.coalesce(func.sum(Lot.reserved), 0)))
    return [] if reserved == approved else [f"{reserved} reserved, approved transfers hold {approved}"]
