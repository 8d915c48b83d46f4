"""Planning jobs: queued by a request, run by a worker (a thread of the web process, or a process of the Redis
queue), never inside a web request.

A running job beats a heartbeat into its row. A job whose heartbeat stopped (its worker was killed, its host
went down) is marked failed when anyone next looks, and so is a job left queued by a web process that has
since restarted. A failed job can be run again; nothing of a plan is written until its one saving transaction.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from core import clock
from core.access import ensure_role
from core.audit import services as audit
from core.audit.models import AuditSource
from core.db import Session, transaction, unit_of_work
from core.errors import DomainError, NotFoundError
from core.models import Role, User
from dispatch.demand.queries import current_version, get_version
from dispatch.incidents.queries import get_incident
from dispatch.incidents.services import ensure_active
from dispatch.planning.models import JobRunner, JobStage, JobStatus, PlanningJob
from dispatch.planning.services.save import save_plan
from dispatch.planning.services.snapshot import take_snapshot
from dispatch.planning.services.solve import solve

log = logging.getLogger(__name__)
PLANNERS = (Role.ADMIN, Role.DISPATCHER)
STAGE_PROGRESS = {JobStage.SNAPSHOT: 5, JobStage.ALLOCATION: 15, JobStage.ROUTING: 70, JobStage.SAVING: 90}


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def plan_incident(incident_id: int, actor: User, version_id: int | None = None) -> PlanningJob:
    """Queue a planning job for the incident's current demand (or a given version) and hand it to a worker."""
    runner = current_app.extensions["planning_runner"]
    job = _queue(incident_id, actor, version_id, runner.kind)
    runner.submit(job.id)
    return job


@unit_of_work
def _queue(incident_id: int, actor: User, version_id: int | None, kind: JobRunner) -> PlanningJob:
    ensure_role(actor, *PLANNERS)
    incident = get_incident(incident_id)
    ensure_active(incident)
    version = get_version(version_id) if version_id else current_version(incident.id)
    if version is None or version.incident_id != incident.id or not version.lines:
        raise DomainError(_("Save the incident's demand before planning."),
                          {"demand_version_id": [_("This incident has no demand to plan for.")]})
    job = PlanningJob(incident_id=incident.id, demand_version_id=version.id, status=JobStatus.QUEUED,
                      runner=kind, worker=this_worker() if kind == JobRunner.THREAD else None,
                      requested_by_id=actor.id, options={})
    Session.add(job)
    Session.flush()
    return job


def rerun_job(job_id: int, actor: User) -> PlanningJob:
    """Plan again from a fresh snapshot, for the same demand version as a job that failed or finished."""
    job = get_job(job_id)
    return plan_incident(job.incident_id, actor, job.demand_version_id)


def get_job(job_id: int) -> PlanningJob:
    fail_stale_jobs()
    job = Session.get(PlanningJob, job_id, populate_existing=True)
    if job is None:
        raise NotFoundError(_("No planning job %(id)s.", id=job_id))
    return job


def list_jobs(incident_id: int, limit: int = 10) -> list[PlanningJob]:
    fail_stale_jobs()
    return list(Session.scalars(select(PlanningJob).where(PlanningJob.incident_id == incident_id)
                                .order_by(PlanningJob.id.desc()).limit(limit)))


@unit_of_work
def fail_stale_jobs() -> int:
    """Mark failed the running jobs whose heartbeat stopped, and the thread jobs whose process is gone."""
    now = clock.utcnow()
    stale = now - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    lost = Session.execute(update(PlanningJob).where(
        PlanningJob.status == JobStatus.RUNNING,
        or_(PlanningJob.heartbeat_at < stale, PlanningJob.heartbeat_at.is_(None) & (PlanningJob.started_at < stale)))
        .values(status=JobStatus.FAILED, error_code="worker_lost", finished_at=now)).rowcount
    orphans = [job.id for job in Session.scalars(select(PlanningJob).where(
        PlanningJob.status == JobStatus.QUEUED, PlanningJob.runner == JobRunner.THREAD)) if _holder_gone(job.worker)]
    if orphans:
        Session.execute(update(PlanningJob).where(PlanningJob.id.in_(orphans), PlanningJob.status == JobStatus.QUEUED)
                        .values(status=JobStatus.FAILED, error_code="process_restarted", finished_at=now))
    return lost + len(orphans)


def _holder_gone(worker: str | None) -> bool:
    """Whether the web process that queued a thread job has gone (only knowable on its own host)."""
    host, _sep, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# --- running a job ---------------------------------------------------------------------------------------------

def run_job(job_id: int) -> None:
    """Run one job to its end (in a worker, inside an app context). Claims it first, so it runs only once."""
    if not _claim(job_id):
        return
    with Heartbeat(current_app._get_current_object(), job_id):
        try:
            _run_stages(job_id)
        except Exception as error:  # any failure ends the job failed, with why
            Session.rollback()
            log.exception("planning job %s failed", job_id)
            _fail(job_id, getattr(error, "code", "internal"), str(error)[:2000])
    Session.remove()


def _run_stages(job_id: int) -> None:
    job = Session.get(PlanningJob, job_id)
    with audit.acting_as(job.requested_by, AuditSource.JOB):  # the plan is logged as made for who asked
        _solve_and_save(job)


def _solve_and_save(job: PlanningJob) -> None:
    job_id = job.id
    incident = get_incident(job.incident_id)
    version = get_version(job.demand_version_id)
    _stage(job_id, JobStage.SNAPSHOT)
    started = time.perf_counter()
    snapshot = take_snapshot(incident, version)
    snapshot.seconds = time.perf_counter() - started
    _hold_for_tests(JobStage.SNAPSHOT)
    draft = solve(snapshot, current_app.config["ROUTING_SECONDS"],
                  on_stage=lambda stage: _stage(job_id, JobStage(stage)))
    _stage(job_id, JobStage.SAVING)
    started = time.perf_counter()
    save_plan(job, snapshot, draft)
    _record(job_id, saving=time.perf_counter() - started)


@unit_of_work
def _claim(job_id: int) -> bool:
    now = clock.utcnow()
    claimed = Session.execute(update(PlanningJob).where(PlanningJob.id == job_id,
                                                        PlanningJob.status == JobStatus.QUEUED)
                              .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now,
                                      worker=this_worker(), stage=JobStage.SNAPSHOT, progress=1)).rowcount
    return claimed == 1


@unit_of_work
def _stage(job_id: int, stage: JobStage) -> None:
    Session.execute(update(PlanningJob).where(PlanningJob.id == job_id, PlanningJob.status == JobStatus.RUNNING)
                    .values(stage=stage, progress=STAGE_PROGRESS[stage], heartbeat_at=clock.utcnow()))


@unit_of_work
def _record(job_id: int, **seconds: float) -> None:
    job = Session.get(PlanningJob, job_id, populate_existing=True)
    job.stage_seconds = {**(job.stage_seconds or {}), **seconds}


@unit_of_work
def _fail(job_id: int, code: str, detail: str) -> None:
    Session.execute(update(PlanningJob).where(PlanningJob.id == job_id, PlanningJob.status == JobStatus.RUNNING)
                    .values(status=JobStatus.FAILED, error_code=code, error_detail=detail,
                            finished_at=clock.utcnow()))


def _hold_for_tests(stage: JobStage) -> None:
    """Keep a job inside a stage so that a test can kill its worker there (never in production)."""
    held = current_app.config.get("PLANNING_HOLD_SECONDS")
    if held and os.environ.get("RELIEF_ALLOW_TEST_HOLDS") == "1":
        time.sleep(float(held))


class Heartbeat:
    """While a job runs, a side thread stamps its row every few seconds (in its own session)."""

    def __init__(self, app, job_id: int):
        self.app, self.job_id = app, job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        interval = self.app.config["JOB_HEARTBEAT_SECONDS"]
        with self.app.app_context():
            while not self.stop.wait(interval):
                with transaction():
                    Session.execute(update(PlanningJob).where(PlanningJob.id == self.job_id,
                                                              PlanningJob.status == JobStatus.RUNNING)
                                    .values(heartbeat_at=clock.utcnow()))
            Session.remove()
