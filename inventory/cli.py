"""`flask seed …` and `flask depots …`."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select
from tqdm import tqdm

from core.db import Session
from core.errors import DomainError
from inventory import services
from inventory.models import Depot
from seed import loader

seed_cli = AppGroup("seed", help="Region data, the item catalog and the demo network.")
depots_cli = AppGroup("depots", help="Depot administration.")


@seed_cli.command("demo")
@click.option("--scale", default="country", show_default=True,
              help="'country', or one province by code (510000) or name (四川).")
@click.option("--skip-if-loaded", is_flag=True, help="Do nothing when depots exist already.")
def seed_demo(scale: str, skip_if_loaded: bool) -> None:
    """Load regions, items, the demo depot network and demo users."""
    if skip_if_loaded and Session.scalar(select(Depot.id).limit(1)) is not None:
        click.echo("Demo network already loaded; nothing to do.")
        return
    with tqdm(total=7, desc="Loading demo network", unit="step") as bar:
        loader.load_regions(Session)
        bar.update()
        loader.load_items(Session)
        bar.update()
        try:
            chosen = loader.parse_scale(Session, scale)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--scale") from error
        counts = loader.load_network(Session, chosen, progress=lambda label, n: (bar.set_postfix_str(
            f"{label}: {n}"), bar.update()))
    loader.load_demo_users(Session, loader.clerk_depots_for(Session, chosen))
    click.echo("Depots added: " + ", ".join(f"{label} {n}" for label, n in counts.items()))
    click.echo(f"Demo logins (password {loader.DEMO_PASSWORD}): "
               + ", ".join(username for username, _role, _name in loader.DEMO_USERS))


@seed_cli.command("regions")
def seed_regions() -> None:
    """Load the province → prefecture → county tree (once)."""
    click.echo(f"{loader.load_regions(Session)} regions.")


@depots_cli.command("assign-clerk")
@click.argument("depot_code")
@click.argument("username")
def assign_clerk(depot_code: str, username: str) -> None:
    """Let clerk USERNAME act at the depot DEPOT_CODE."""
    depot_id = Session.scalar(select(Depot.id).where(Depot.code == depot_code))
    if depot_id is None:
        raise click.ClickException(f"No depot {depot_code}.")
    try:
        services.assign_clerk(depot_id, username)
    except DomainError as error:
        raise click.ClickException(" ".join(sum(error.fields.values(), [])) or error.message) from error
    click.echo(f"{username} can act at {depot_code}.")
