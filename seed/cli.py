"""`flask seed …`: the region tree, the item catalog and the demo network with its users, stock and agreements."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select
from tqdm import tqdm

from core.db import Session
from inventory.network.models import Depot
from seed import dispatch as dispatch_seed
from seed import loader
from seed import stock as demo_stock
from seed.agreements import load_agreements

seed_cli = AppGroup("seed", help="Region data, the item catalog and the demo network.")


@seed_cli.command("demo")
@click.option("--scale", default="country", show_default=True,
              help="'country', or one province by code (510000) or name (四川).")
@click.option("--skip-if-loaded", is_flag=True, help="Do nothing when depots exist already.")
@click.option("--stock/--no-stock", default=True, show_default=True, help="Fill the depots with demo lots.")
@click.option("--logins/--no-logins", default=True, show_default=True,
              help="Print the demo logins at the end (scripts/demo prints them itself, on every start).")
def seed_demo(scale: str, skip_if_loaded: bool, stock: bool, logins: bool) -> None:
    """Load regions, items, the demo depot network, demo users and demo stock."""
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
    _load_dispatch_reference()
    click.echo(f"Demo fleet: {dispatch_seed.load_demo_fleet(Session)} vehicles")
    click.echo(f"Capacity agreements added: {load_agreements(Session)}")
    if stock:
        depots = Session.scalar(select(func.count(Depot.id)))
        with tqdm(total=depots, desc="Loading demo stock", unit="depot") as bar:
            lots = demo_stock.load_stock(Session, progress=bar.update)
        click.echo(f"Lots added: {lots}")
    if logins:
        click.echo(f"Demo logins (password {loader.DEMO_PASSWORD}): "
                   + ", ".join(username for username, _role, _name in loader.DEMO_USERS))


@seed_cli.command("reference")
def seed_reference() -> None:
    """Load the reference data a real deployment needs: regions, items, demand norms, deadlines, modes (once)."""
    loader.load_regions(Session)
    loader.load_items(Session)
    _load_dispatch_reference()


def _load_dispatch_reference() -> None:
    click.echo(f"Demand norms added: {dispatch_seed.load_norms(Session)}")
    dispatch_seed.load_deadlines_and_modes(Session)


@seed_cli.command("regions")
def seed_regions() -> None:
    """Load the province → prefecture → county tree (once)."""
    click.echo(f"{loader.load_regions(Session)} regions.")
