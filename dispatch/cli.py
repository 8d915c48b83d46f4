"""`flask dispatch …`: the planning worker on the Redis queue, and the stale-job sweep."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

dispatch_cli = AppGroup("dispatch", help="Incidents and planning.")


@dispatch_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests and one-off runs).")
def worker(burst: bool) -> None:
    """Run a planning worker on the Redis queue named by REDIS_URL (start one per core, on as many hosts)."""
    from dispatch.planning.services.runners import work

    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        raise click.ClickException("Set REDIS_URL: without it, plans run on the web process's own threads.")
    work(redis_url, burst=burst)


@dispatch_cli.command("fail-stale-jobs")
def fail_stale() -> None:
    """Mark failed the planning jobs whose worker stopped (pages do it too, whenever they show a job)."""
    from dispatch.planning.services import fail_stale_jobs

    click.echo(f"{fail_stale_jobs()} jobs marked failed.")
