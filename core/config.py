"""Settings from the environment, with safe defaults for a single depot office."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_config(instance_path: str) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'relief.db'}",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance),
        "DEFAULT_DUE_HOURS": int(os.environ.get("DEFAULT_DUE_HOURS", "10")),
        "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", "25")),
        "NEIGHBOUR_RADIUS_KM": float(os.environ.get("NEIGHBOUR_RADIUS_KM", "100")),
        "WTF_CSRF_TIME_LIMIT": None,
        # The largest request body (an import file included); a larger one is answered 413.
        "MAX_CONTENT_LENGTH": (max_body := int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024)))),
        # A form's fields may fill the whole body (Werkzeug would stop at 500 kB and answer the same 413).
        "MAX_FORM_MEMORY_SIZE": max_body,
        # Production behind TLS: Secure cookies and Strict-Transport-Security.
        "HTTPS_ONLY": os.environ.get("HTTPS_ONLY", "") == "1",
        # Reverse proxies in front of the app (nginx: 1): the client's address is then read from X-Forwarded-For,
        # for the audit log and the sign-in throttle. 0 trusts no header: a client could write any address in it.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # A demand table of a national incident has thousands of cells (Werkzeug's default allows 1,000).
        "MAX_FORM_PARTS": int(os.environ.get("MAX_FORM_PARTS", "60000")),
        "OTHER_DUE_HOURS": int(os.environ.get("OTHER_DUE_HOURS", "24")),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Failed sign-ins allowed per account and per client address before they are locked (a window).
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes"),
        "LOGIN_FAILURES_PER_ADDRESS": os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20 per 15 minutes"),
        "PLANNING_THREADS": int(os.environ.get("PLANNING_THREADS", "1")),
        "ROUTING_SECONDS": float(os.environ.get("ROUTING_SECONDS", "20")),
        "JOB_HEARTBEAT_SECONDS": float(os.environ.get("JOB_HEARTBEAT_SECONDS", "5")),
        "JOB_STALE_SECONDS": float(os.environ.get("JOB_STALE_SECONDS", "60")),
        # A shipment this many hours past its expected arrival (or departure) is flagged overdue.
        "SHIPMENT_OVERDUE_HOURS": float(os.environ.get("SHIPMENT_OVERDUE_HOURS", "2")),
        "TILE_URL": os.environ.get("TILE_URL") or None,
        "TILE_ATTRIBUTION": os.environ.get("TILE_ATTRIBUTION") or "",
        **_test_holds(),
    }


def _test_holds() -> dict:
    """A planning job may be held inside a stage so that a test can kill its worker there; only with the explicit
    test switch in the environment."""
    if os.environ.get("RELIEF_ALLOW_TEST_HOLDS") != "1":
        return {}
    return {"PLANNING_HOLD_SECONDS": float(os.environ.get("PLANNING_HOLD_SECONDS", "0"))}


def _instance_secret(instance: Path) -> str:
    """A key generated on first run and kept, so sessions survive restarts."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
