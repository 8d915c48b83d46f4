"""Many clerks at once, each on their own connection: receipts, issues and transfers on the same shared lots.

Every write carries an Idempotency-Key. A clerk behaves as a careful integration would: an answer lost to a
dropped connection or a 503 is asked again with the same key until a definite answer comes, so the ledger must
end up holding exactly the writes that were answered 2xx. Now and then a clerk repeats an answered request on
purpose and must get the same answer back, marked as replayed.
"""
from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from tests.load.network import Network
from tests.load.server import Client

RETRY_PAUSE_SECONDS = 0.2
REPLAY_SHARE = 0.05
RECEIPT_SHARE, ISSUE_SHARE = 0.4, 0.35  # the rest are transfers: draft, approve, ship, receive


@dataclass
class Attempt:
    """One HTTP exchange: its status ('conn' when the connection dropped) and how long it took."""

    path: str
    status: int | str
    seconds: float


@dataclass
class Outcome:
    """A write's definite answer, after any retries with its key."""

    kind: str  # receipt, issue, draft, approve, ship, receive
    body: dict
    status: int
    answer: dict | None
    transfer_id: int | None = None


@dataclass
class Log:
    attempts: list[Attempt] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    replay_mismatches: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statuses(self) -> Counter:
        return Counter(attempt.status for attempt in self.attempts)


class Budget:
    """Stops the clerks at a deadline or after a number of requests, whichever comes first."""

    def __init__(self, seconds: float, requests: int):
        self.deadline, self.left, self.lock = time.monotonic() + seconds, requests, threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0 and time.monotonic() < self.deadline

    def expired(self, grace: float = 0) -> bool:
        return time.monotonic() > self.deadline + grace


class Clerk:
    def __init__(self, port: int, token: str, partner_token: str, network: Network, seed: int, log: Log,
                 budget: Budget, give_up_after: float):
        self.client, self.partner = Client(port, token), Client(port, partner_token)
        self.network, self.rng, self.log, self.budget = network, random.Random(seed), log, budget
        self.give_up_after = give_up_after

    def run(self) -> None:
        try:
            while self.budget.take():
                roll = self.rng.random()
                if roll < RECEIPT_SHARE:
                    self.receive()
                elif roll < RECEIPT_SHARE + ISSUE_SHARE:
                    self.issue()
                else:
                    self.transfer()
        finally:
            self.client.close()
            self.partner.close()

    def receive(self) -> None:
        batches = self.rng.sample(self.network.batches, self.rng.randint(1, 3))
        body = {"depot_id": self.rng.choice(self.network.depots), "supplier": "load test",
                "lines": [batch.receipt_line(self.rng.randint(1, 20)) for batch in batches]}
        self.write(self.client, "receipt", "/api/v1/receipts", body)

    def issue(self) -> None:
        depot = self.rng.choice(self.network.depots)
        line = {"item_id": self.rng.choice(self.network.items), "quantity": self.rng.randint(1, 50)}
        if self.rng.random() < 0.3:  # a clerk who names the lot instead of first-expiring-first-out
            line = {"item_id": self.network.batches[0].item_id, "quantity": line["quantity"],
                    "lot_id": self.network.lots[depot][0]}
        self.write(self.client, "issue", "/api/v1/issues", {"depot_id": depot, "recipient": "安置点", "lines": [line]})

    def transfer(self) -> None:
        """Drafted by this clerk, approved by the partner (four eyes), shipped by this clerk, received by the partner."""
        source, destination = self.rng.sample(self.network.depots, 2)
        body = {"source_id": source, "destination_id": destination,
                "lines": [{"item_id": self.rng.choice(self.network.items), "quantity": self.rng.randint(5, 25)}]}
        draft = self.write(self.client, "draft", "/api/v1/transfers", body)
        steps = (("approve", self.partner), ("ship", self.client), ("receive", self.partner))
        for step, client in steps:
            if draft is None or draft.status >= 300 or not self.budget.take():
                return
            path = f"/api/v1/transfers/{draft.answer['id']}/{step}"
            answer = self.write(client, step, path, {"lines": []} if step == "receive" else {},
                                transfer_id=draft.answer["id"])
            if answer is None or answer.status >= 300:
                return

    def write(self, client: Client, kind: str, path: str, body: dict, transfer_id: int | None = None
              ) -> Outcome | None:
        """POST until a definite answer (not 503, not a dropped connection); None when time ran out first."""
        key = uuid.uuid4().hex
        while not self.budget.expired(self.give_up_after):
            answer = self._attempt(client, path, body, key)
            if answer is None or answer.status == 503:
                time.sleep(RETRY_PAUSE_SECONDS)
                continue
            outcome = Outcome(kind, body, answer.status, answer.body, transfer_id)
            with self.log.lock:
                self.log.outcomes.append(outcome)
            if answer.status < 300 and self.rng.random() < REPLAY_SHARE:
                self._replay(client, path, body, key, answer)
            return outcome
        return None

    def _attempt(self, client: Client, path: str, body: dict, key: str):
        started = time.perf_counter()
        try:
            answer = client.post(path, body, key)
        except ConnectionError:
            answer = None
        with self.log.lock:
            self.log.attempts.append(Attempt(path, answer.status if answer else "conn", time.perf_counter() - started))
        return answer

    def _replay(self, client: Client, path: str, body: dict, key: str, first) -> None:
        again = self._attempt(client, path, body, key)
        if again is None or again.status == 503:
            return  # the server is away; the replay proves nothing either way
        if again.body != first.body or again.headers.get("idempotent-replayed") != "true":
            with self.log.lock:
                self.log.replay_mismatches.append(f"{path} with key {key}: {first.status} then {again.status}")


def drive(port: int, network: Network, clerks: int, seconds: float, requests: int, give_up_after: float = 30,
          seed: int = 16) -> Log:
    """Run `clerks` concurrent clerks until `seconds` pass or `requests` are sent; returns what happened."""
    log, budget = Log(), Budget(seconds, requests)
    tokens = network.clerk_tokens
    threads = [threading.Thread(target=Clerk(port, tokens[n], tokens[(n + 1) % len(tokens)], network, seed + n, log,
                                             budget, give_up_after).run, name=f"clerk-{n}")
               for n in range(clerks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return log
