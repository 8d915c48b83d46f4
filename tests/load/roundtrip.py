"""The backup round trip after a load run: the loaded PostgreSQL database to a file, and back into an empty SQLite
database and an empty PostgreSQL one, each with the same checksum and a passing reconciliation."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.load.ledger import reconcile
from tests.load.network import throwaway_database
from tests.load.server import ROOT

CHECKSUM = re.compile(r"Checksum of [\w, ]+: ([0-9a-f]{64})")


def flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "wsgi", "SECRET_KEY": "load-test"}
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True)


def backup_round_trip(source_url: str, server_url: str, workdir: Path) -> list[str]:
    """Back up `source_url`, restore into SQLite and PostgreSQL; print each step's figures, return failures."""
    backup_file = workdir / "load-backup.jsonl.gz"
    made = _timed("backup create (PostgreSQL)", flask, source_url, "backup", "create", str(backup_file))
    failures = [] if made.returncode == 0 else [f"backup create failed: {made.stderr.strip()}"]
    expected = _checksum(made)
    print(f"   {backup_file.stat().st_size / 1e6:.1f} MB" if backup_file.exists() else "   no file", flush=True)
    with throwaway_database(server_url, "restore") as postgres_url:
        for engine, target in (("SQLite", f"sqlite:///{workdir / 'restored.db'}"), ("PostgreSQL", postgres_url)):
            restored = _timed(f"backup restore ({engine})", flask, target, "backup", "restore", str(backup_file))
            if restored.returncode or _checksum(restored) != expected:
                failures.append(f"restore into {engine}: {restored.stdout.strip()} {restored.stderr.strip()}")
            if reconcile(target).returncode:
                failures.append(f"reconciliation fails after the restore into {engine}")
    return failures


def _timed(label: str, run, *args) -> subprocess.CompletedProcess:
    started = time.monotonic()
    result = run(*args)
    lines = " / ".join(line for line in result.stdout.splitlines() if line)
    print(f"== {label}: {time.monotonic() - started:.1f} s: {lines or result.stderr.strip()}", flush=True)
    return result


def _checksum(result: subprocess.CompletedProcess) -> str | None:
    found = CHECKSUM.search(result.stdout)
    return found.group(1) if found else None
