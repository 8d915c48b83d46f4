"""The load test: gunicorn on PostgreSQL under many concurrent clerks, measured against pgbench in the same run.

    .venv/bin/python -m tests.load            # the full run: 16 clerks for 60 s, pgbench for 60 s
    .venv/bin/python -m tests.load --short    # CI: a few seconds, checks correctness and prints the figures

The server is PostgreSQL at TEST_POSTGRES_URL (or DATABASE_URL, or postgres@127.0.0.1:5432); the run works in a
throw-away database and drops it. Exits 1 when the ledger does not hold exactly the answered writes, when
reconciliation fails, or on any 5xx; the speed figures are printed, never checked.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.load import clerks, figures, ledger, pgbench
from tests.load.network import build_network, throwaway_database
from tests.load.roundtrip import backup_round_trip
from tests.load.server import gunicorn

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    if options.short:
        options.clerks, options.seconds, options.requests = 8, 6, 1500
    if options.pgbench_seconds is None:
        options.pgbench_seconds = 5 if options.short else int(options.seconds)
    with throwaway_database(options.server, "load") as url, tempfile.TemporaryDirectory() as workdir:
        print(f"== load: {options.clerks} clerks, {options.workers} gunicorn workers x {options.threads} threads, "
              f"at most {options.seconds} s or {options.requests} requests", flush=True)
        network = build_network(url, options.clerks)
        with gunicorn(url, Path(workdir), options.workers, options.threads) as server:
            started = time.monotonic()
            log = clerks.drive(server.port, network, options.clerks, options.seconds, options.requests)
            run = figures.summarize(log, time.monotonic() - started)
            if run["server_errors"]:
                print(server.log_tail(60), flush=True)
        print(figures.describe(run), flush=True)
        if options.pgbench_seconds and pgbench.available():
            _compare_with_pgbench(run, options)
        failures = _check(url, network, log, run)
        if options.backup_round_trip:
            failures += backup_round_trip(url, options.server, Path(workdir))
    print(json.dumps({"case": "load-short" if options.short else "load", **run}, ensure_ascii=False))
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


def _compare_with_pgbench(run: dict, options) -> None:
    scale = max(1, min(options.clerks, options.pgbench_scale))
    tps = pgbench.tpcb_tps(options.server, options.clerks, options.pgbench_seconds, scale)
    run["pgbench_tps"], run["pgbench_scale"] = round(tps, 1), scale
    run["share_of_pgbench"] = round(run["writes_committed_per_second"] / tps, 3)
    print(f"pgbench TPC-B, {options.clerks} clients, scale {scale}, {options.pgbench_seconds} s: {tps:.0f} tps; "
          f"our committed writes are {run['share_of_pgbench']:.0%} of it "
          f"(load average {run['load_average']})", flush=True)


def _check(url: str, network, log, run: dict) -> list[str]:
    failures = ledger.ledger_problems(url, network, log)
    reconciled = ledger.reconcile(url)
    print(reconciled.stdout.strip() or reconciled.stderr.strip(), flush=True)
    if reconciled.returncode:
        failures.append("flask stock reconcile failed")
    if run["server_errors"]:
        failures.append(f"{run['server_errors']} answers with status 5xx")
    if not failures:
        accepted = sum(1 for outcome in log.outcomes if outcome.status < 300)
        print(f"The ledger holds exactly the {accepted} writes answered 2xx "
              f"({sum(1 for o in log.outcomes if o.status >= 300)} refused).", flush=True)
    return failures


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="CI: 8 clerks for 6 s, pgbench for 5 s")
    parser.add_argument("--clerks", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--requests", type=int, default=100_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=6,
                        help="threads per gunicorn worker (they overlap their database waits)")
    parser.add_argument("--pgbench-seconds", type=int, default=None, help="0 skips pgbench; default: as the load")
    parser.add_argument("--pgbench-scale", type=int, default=16, help="pgbench's scale, at most the clients")
    parser.add_argument("--backup-round-trip", action="store_true",
                        help="back up the loaded database, restore it into SQLite and PostgreSQL, compare")
    parser.add_argument("--server", default=_server_url(), help="a PostgreSQL URL on the server to use")
    return parser


def _server_url() -> str:
    for name in ("TEST_POSTGRES_URL", "DATABASE_URL"):
        if os.environ.get(name, "").startswith("postgresql"):
            return os.environ[name]
    return DEFAULT_SERVER


if __name__ == "__main__":
    sys.exit(main())
