"""`flask db …` and `flask users …`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core import backup, migrate, services
from core.errors import DomainError
from core.models import Role

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
users_cli = AppGroup("users", help="Users and API tokens.")
backup_cli = AppGroup("backup", help="Portable backups of the whole database (JSON lines, SQLite and PostgreSQL).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Downgrade even though the database holds data (it may be lost).")
def db_downgrade(revision: str, yes: bool) -> None:
    """Downgrade the database to REVISION ('base' empties it). Refuses a database that holds data unless --yes."""
    url = current_app.config["DATABASE_URL"]
    held = migrate.tables_with_rows(url)
    if held and not yes:
        tables = ", ".join(f"{name} ({rows})" for name, rows in held.items())
        raise click.ClickException(f"The database holds data: {tables}. A downgrade may drop columns or tables "
                                   "with it; take a backup (flask backup create) and run again with --yes.")
    migrate.downgrade(url, revision)
    click.echo(f"Database at {revision}.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", default="", help="Full name shown in the pages.")
@click.option("--service-account", is_flag=True,
              help="Another system using the API: no password, never signs in, its tokens come from `users token`.")
@click.option("--password", help="A person's password (asked for when not given).")
def create_user(username: str, role: str, display_name: str, service_account: bool, password: str | None) -> None:
    """Create a person who signs in with USERNAME, or a service account."""
    if service_account and password is not None:
        raise click.ClickException("A service account has no password: it works only with tokens.")
    if password is None and not service_account:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(username, display_name, password, role, actor=None,
                                    service_account=service_account)
    except DomainError as error:
        raise click.ClickException(_describe(error)) from error
    kind = "service account" if user.service_account else user.role.value
    click.echo(f"Created {kind} {user.username}" + (f" ({user.role.value})." if user.service_account else "."))


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="What the token is for.")
def create_token(username: str, name: str) -> None:
    """Issue a bearer token for the service account USERNAME and print it (shown only once). A person makes their
    own tokens on their My API tokens page."""
    user = services.get_user_by_username(username)
    if user is None:
        raise click.ClickException(f"No user '{username}'.")
    try:
        _token, raw = services.issue_token(user.id, name, actor=None)
    except DomainError as error:  # a person: only they make their own tokens
        raise click.ClickException(f"{_describe(error)} Create a service account (flask users create NAME --role ROLE "
                                   "--service-account) for another system.") from error
    click.echo(raw)


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(file: Path) -> None:
    """Write every table to FILE (FILE.gz: compressed) from one consistent snapshot."""
    try:
        summary = backup.create_backup(current_app.config["DATABASE_URL"], file, backup.checksummed())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    _echo_summary(f"Backed up to {file}", summary)


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(file: Path) -> None:
    """Load FILE into this empty database (refuses one that holds rows); the checksum must come out the same."""
    try:
        summary = backup.restore_backup(current_app.config["DATABASE_URL"], file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    _echo_summary(f"Restored from {file}", summary)


def _echo_summary(done: str, summary: backup.Summary) -> None:
    click.echo(f"{done}: {sum(summary.rows.values())} rows in {len(summary.rows)} tables.")
    click.echo(f"Checksum of {', '.join(backup.checksummed())}: {summary.checksum}")


def _describe(error: DomainError) -> str:
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.fields.items())
    return f"{error.message} {details}".strip()
