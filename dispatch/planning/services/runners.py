"""Who runs planning jobs: a thread pool inside the web process (the default), or RQ workers on Redis.

RQ rather than Celery: a job here is one function call with one argument, the job's id; RQ does exactly that
on plain Redis, its workers start with one command, and each job runs in a forked work horse, so a worker
that is killed loses only the job it held (the job's row then fails by its stopped heartbeat).
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from dispatch.planning.models import JobRunner

log = logging.getLogger(__name__)
QUEUE_NAME = "planning"
JOB_TIMEOUT_SECONDS = 30 * 60


class ThreadRunner:
    kind = JobRunner.THREAD

    def __init__(self, app: Flask, threads: int):
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="planning")

    def submit(self, job_id: int) -> None:
        self.pool.submit(self._run, job_id)

    def _run(self, job_id: int) -> None:
        from dispatch.planning.services.jobs import run_job

        with self.app.app_context():
            run_job(job_id)


class InlineRunner:
    """Runs a job at once in the calling thread (benchmarks, scripts): the same job code, no worker."""

    kind = JobRunner.THREAD

    def submit(self, job_id: int) -> None:
        from dispatch.planning.services.jobs import run_job

        run_job(job_id)


class QueueRunner:
    kind = JobRunner.QUEUE

    def __init__(self, redis_url: str):
        from redis import Redis
        from rq import Queue

        self.queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))

    def submit(self, job_id: int) -> None:
        self.queue.enqueue("dispatch.planning.services.runners.run_queued_job", job_id,
                           job_timeout=JOB_TIMEOUT_SECONDS, job_id=f"planning-{job_id}")


def run_queued_job(job_id: int) -> None:
    """What an RQ work horse runs: the job, inside an app built from the worker's environment."""
    from core import create_app
    from dispatch.planning.services.jobs import run_job

    with create_app().app_context():
        run_job(job_id)


def make_runner(app: Flask):
    redis_url = app.config.get("REDIS_URL")
    if redis_url:
        return QueueRunner(redis_url)
    return ThreadRunner(app, app.config["PLANNING_THREADS"])


def work(redis_url: str, burst: bool = False) -> None:
    """Run an RQ worker on the planning queue (`flask dispatch worker`)."""
    from redis import Redis
    from rq import Queue, Worker

    connection = Redis.from_url(redis_url)
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work(burst=burst)
