"""`flask depots …` and `flask stock …`."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from core.db import Session
from core.errors import DomainError
from inventory.network import services as network_services
from inventory.network.queries import get_depot_by_code
from inventory.stock.models import Lot
from inventory.stock.queries import ledger_mismatches

depots_cli = AppGroup("depots", help="Depot administration.")
stock_cli = AppGroup("stock", help="The stock ledger.")


@stock_cli.command("reconcile")
def reconcile() -> None:
    """Check every lot: balance = sum of its movements, 0 <= reserved <= on hand. Exits 1 on any mismatch."""
    problems = ledger_mismatches()
    lots = Session.scalar(select(func.count(Lot.id)))
    for problem in problems:
        click.echo("MISMATCH " + " ".join(f"{key}={value}" for key, value in problem.items()))
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(f"Ledger reconciles: {lots} lots, every balance equals the sum of its movements.")


@depots_cli.command("assign-clerk")
@click.argument("depot_code")
@click.argument("username")
def assign_clerk(depot_code: str, username: str) -> None:
    """Let clerk USERNAME act at the depot DEPOT_CODE."""
    depot = get_depot_by_code(depot_code)
    if depot is None:
        raise click.ClickException(f"No depot {depot_code}.")
    try:
        network_services.assign_clerk(depot.id, username, actor=None)
    except DomainError as error:
        raise click.ClickException(" ".join(sum(error.fields.values(), [])) or error.message) from error
    click.echo(f"{username} can act at {depot_code}.")
