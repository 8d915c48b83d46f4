"""`flask db …` and `flask users …`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core import migrate, services
from core.errors import DomainError
from core.models import Role

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
users_cli = AppGroup("users", help="Users and API tokens.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION ('base' empties it)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", default="", help="Full name shown in the pages.")
@click.password_option()
def create_user(username: str, role: str, display_name: str, password: str) -> None:
    """Create a user who signs in with USERNAME."""
    try:
        user = services.create_user(username, display_name, password, role, actor=None)
    except DomainError as error:
        raise click.ClickException(_describe(error)) from error
    click.echo(f"Created {user.role.value} {user.username}.")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="What the token is for.")
def create_token(username: str, name: str) -> None:
    """Issue a bearer token for USERNAME and print it (shown only once)."""
    user = services.get_user_by_username(username)
    if user is None:
        raise click.ClickException(f"No user '{username}'.")
    _token, raw = services.issue_token(user.id, name, actor=None)
    click.echo(raw)


def _describe(error: DomainError) -> str:
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.fields.items())
    return f"{error.message} {details}".strip()
