"""Dispatch: incidents, demand, planning jobs, plans, shipments, maps. Same feature-package shape as inventory."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register dispatch's blueprints and commands (its features register themselves here as they land)."""
