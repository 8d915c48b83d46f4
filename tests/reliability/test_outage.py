"""PostgreSQL stops and starts again while clerks are writing: during the outage every request gets a quick 503
(the JSON error shape from the API, an error page for people), never a hang or a traceback; afterwards the app
recovers by itself (pooled connections are pinged before use) and the ledger holds exactly the answered writes.

Stopping the server disturbs every session on the machine, so the test runs only when asked:
RELIEF_RESTART_POSTGRES=1 (CI's PostgreSQL pass sets it); the outage lasts about two seconds.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.load import clerks
from tests.load.ledger import ledger_problems, reconcile
from tests.load.network import PASSWORD, build_network
from tests.load.server import gunicorn

pytestmark = pytest.mark.postgres
OUTAGE_SECONDS = 2.0
LOAD_SECONDS = 12


@dataclass
class Probe:
    at: float
    kind: str  # api or page
    status: int | str
    content_type: str
    body: dict | None
    text: str


def postgres(action: str) -> None:
    """Stop or start the machine's PostgreSQL cluster, as CI starts it."""
    version = max(path.name for path in Path("/etc/postgresql").iterdir())
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *(
        ["-m", "fast"] if action == "stop" else [])], check=True, capture_output=True)


def wait_until_accepting(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode and (
            time.monotonic() < deadline):
        time.sleep(0.1)


def watch(server, network, stop: threading.Event, probes: list[Probe]) -> None:
    """A person on a page and an integration reading the API, every 50 ms, both kept waiting by nothing."""
    api, person = server.client(network.admin_token), server.client()
    person.sign_in("admin", PASSWORD)
    while not stop.is_set():
        for kind, client, path in (("api", api, f"/api/v1/depots/{network.depots[0]}/stock"),
                                   ("page", person, "/depots")):
            try:
                answer = client.get(path, headers={"Accept-Language": "en"})
                probes.append(Probe(time.monotonic(), kind, answer.status, answer.headers.get("content-type", ""),
                                    answer.body, answer.text))
            except ConnectionError as error:
                probes.append(Probe(time.monotonic(), kind, "conn", "", None, str(error)))
        time.sleep(0.05)


@pytest.fixture
def restartable():
    if os.environ.get("RELIEF_RESTART_POSTGRES") != "1":
        pytest.skip("stops the machine's PostgreSQL for two seconds: set RELIEF_RESTART_POSTGRES=1 (CI does)")


def test_a_postgresql_restart_under_load_gives_503s_then_recovers(restartable, server_database, tmp_path, figures):
    network = build_network(server_database, clerks=6, depots=2, items=1)
    with gunicorn(server_database, tmp_path, workers=2, threads=4) as server:
        result, probes, stop = {}, [], threading.Event()
        load = threading.Thread(target=lambda: result.update(log=clerks.drive(
            server.port, network, clerks=6, seconds=LOAD_SECONDS, requests=100_000, give_up_after=30)))
        watcher = threading.Thread(target=watch, args=(server, network, stop, probes))
        load.start()
        watcher.start()
        time.sleep(3)
        stopped = time.monotonic()
        postgres("stop")
        time.sleep(OUTAGE_SECONDS)
        postgres("start")
        wait_until_accepting()
        started = time.monotonic()
        load.join()
        time.sleep(1)
        stop.set()
        watcher.join()
        server_log = server.log.read_text(errors="replace")

    outage = [probe for probe in probes if stopped < probe.at < started]
    after = [probe for probe in probes if probe.at > started + 1]
    assert {probe.status for probe in probes} <= {200, 503}, {probe.status for probe in probes}
    api_503 = [p for p in outage if p.kind == "api" and p.status == 503]
    page_503 = [p for p in outage if p.kind == "page" and p.status == 503]
    assert api_503 and all(p.content_type.startswith("application/json") and set(p.body) == {"error", "fields"}
                           and p.body["fields"] == {} for p in api_503)
    assert page_503 and all(p.content_type.startswith("text/html") and "<h1>Temporarily unavailable</h1>" in p.text
                            for p in page_503)
    assert after and all(probe.status == 200 for probe in after)  # recovered by itself
    assert "Traceback" not in server_log

    log = result["log"]
    statuses = log.statuses()
    assert set(statuses) <= {200, 201, 409, 503}, statuses
    assert statuses[503] > 0
    assert any(outcome.status < 300 for outcome in log.outcomes[-20:])  # writes went on after the restart
    assert ledger_problems(server_database, network, log) == []
    assert reconcile(server_database).returncode == 0
    recovered = min(probe.at for probe in probes if probe.at > started and probe.status == 200) - started
    figures.append(f"PostgreSQL restart under load: stopped {OUTAGE_SECONDS:.0f} s, {len(outage)} probes during "
                   f"the outage ({len(api_503)} API and {len(page_503)} page answers 503), first 200 "
                   f"{recovered:.2f} s after PostgreSQL accepted connections again; clerks' statuses "
                   f"{dict(statuses)}")
