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
    }


def _instance_secret(instance: Path) -> str:
    """A key generated on first run and kept, so sessions survive restarts."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
