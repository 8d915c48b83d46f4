"""Alembic, driven from the app: the schema is created and changed only by migrations."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, inspect, select, table

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s"
    )
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def tables_with_rows(database_url: str) -> dict[str, int]:
    """Each table that holds rows, with its count (Alembic's own bookkeeping aside): what a downgrade may drop."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            names = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
            counts = {name: connection.scalar(select(func.count()).select_from(table(name))) for name in names}
    finally:
        engine.dispose()
    return {name: rows for name, rows in sorted(counts.items()) if rows}
