"""Seed data: the region tree, the item catalog, the demo network and its loader (`flask seed …`)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from seed.cli import seed_cli

    app.cli.add_command(seed_cli)
