"""A short, bounded Schemathesis run against every operation of the OpenAPI document, once with an administrator's
token and once with a clerk's: no server error, no response outside its documented schema, no operation left
untested. `python -m tests.fuzz [--max-examples N]`; `scripts/schemathesis` runs it, and CI after the test suites.

The app runs under gunicorn on a throw-away SQLite database holding the load test's small network (two depots,
two items with stock), so generated ids sometimes name real rows.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.load.network import build_network
from tests.load.server import gunicorn

CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
SEED = 15  # the same cases on every run, so a failure reproduces


def main(argv: list[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="relief-fuzz-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'fuzz.db'}"
        network = build_network(url, clerks=1, depots=2)
        with gunicorn(url, Path(workdir), workers=1, threads=2) as server:
            schema = f"http://127.0.0.1:{server.port}/api/v1/openapi.json"
            failed = [role for role, token in (("admin", network.admin_token), ("clerk", network.clerk_tokens[0]))
                      if _run(schema, role, token, options) != 0]
    if failed:
        print(f"Schemathesis found problems as: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _run(schema: str, role: str, token: str, options) -> int:
    print(f"== Schemathesis as {role} ==", flush=True)
    command = [str(Path(sys.executable).with_name("st")), "run", schema, "--checks", CHECKS,
               "--header", f"Authorization: Bearer {token}", "--max-examples", str(options.max_examples),
               "--seed", str(SEED), "--phases", "examples,fuzzing", "--workers", "2",
               "--generation-deterministic", "--request-timeout", "30", "--warnings", "off"]
    return subprocess.call(command, env={**os.environ, "NO_COLOR": "1"})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--max-examples", type=int, default=10, help="generated cases per operation (default 10)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
