"""PostgreSQL's own figure on this machine: pgbench's TPC-B-like transactions with the same number of clients."""
from __future__ import annotations

import re
import shutil
import subprocess

from sqlalchemy.engine import make_url

from tests.load.network import throwaway_database

TPS = re.compile(r"tps = ([\d.]+) \(without initial connection time\)")


def available() -> bool:
    return shutil.which("pgbench") is not None


def tpcb_tps(server_url: str, clients: int, seconds: int, scale: int) -> float:
    """Transactions per second of pgbench's built-in TPC-B-like script, in a database made for it and dropped."""
    with throwaway_database(server_url, "pgbench") as url:
        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pgbench", "--initialize", "--quiet", "--scale", str(scale), conninfo], check=True,
                       capture_output=True, text=True)
        run = subprocess.run(["pgbench", "--client", str(clients), "--jobs", str(min(clients, 2)),
                              "--time", str(seconds), conninfo], check=True, capture_output=True, text=True)
    found = TPS.search(run.stdout)
    if found is None:
        raise RuntimeError(f"pgbench printed no tps:\n{run.stdout}\n{run.stderr}")
    return float(found.group(1))
