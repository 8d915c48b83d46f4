"""A test-only pause inside a request's transaction, just before it commits, so a crash test can kill the process
with every write of the unit of work sent to the database and none of them committed.

Honoured only when both hold: the app was built with TESTING (which only test code passes to `create_app`; the
settings read from the environment never set it) and the environment names a directory in
`RELIEF_TEST_HOLD_DIR`. A test arms the pause by creating the file `armed` in that directory; the next request
about to commit renames it to `holding-<pid>` (one process wins the rename), flushes its writes and sleeps until
it is killed.
"""
from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

from flask import Flask, has_request_context
from sqlalchemy import event

from core.db import Session

HOLD_DIR_VARIABLE = "RELIEF_TEST_HOLD_DIR"
ARMED = "armed"
HOLD_SECONDS = 120  # longer than any test waits: the process is killed long before


def init_app(app: Flask) -> None:
    """Listen for commits only in a test app whose environment names the hold directory; otherwise do nothing."""
    directory = os.environ.get(HOLD_DIR_VARIABLE)
    if app.config.get("TESTING") and directory:
        event.listen(Session, "before_commit", partial(_hold_if_armed, Path(directory)))


def _hold_if_armed(directory: Path, session) -> None:
    if not has_request_context():
        return
    try:
        (directory / ARMED).rename(directory / f"holding-{os.getpid()}")
    except FileNotFoundError:
        return  # not armed, or another process took the pause
    session.flush()
    time.sleep(HOLD_SECONDS)
