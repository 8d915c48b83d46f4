"""Planning on the demo network through the API: incident, areas, demand, a plan job on the thread pool and on the
Redis queue; a killed queue worker; jobs whose worker went away."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import clock
from core.db import Session
from core.models import User
from core.services import issue_token
from dispatch.demand.queries import current_version, get_version
from dispatch.incidents.queries import get_incident
from dispatch.planning.models import JobStatus, PlanningJob
from dispatch.planning.services.snapshot import take_snapshot
from dispatch.plans.models import Plan, PlanLine
from tests.demo import an_hour_ago

ROOT = Path(__file__).resolve().parents[2]
AREAS = [("513221", 6000, 2000), ("513222", 3000, 1200), ("513223", 1500, 600), ("510181", 1200, 400)]


def redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        from redis import Redis

        Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


needs_redis = pytest.mark.skipif(redis_url() is None, reason="no Redis server (TEST_REDIS_URL)")


def dispatcher_token(app) -> dict:
    with app.app_context():
        user = Session.scalar(select(User).where(User.username == "dispatcher"))
        _token, raw = issue_token(user.id, "tests", actor=user)
        Session.remove()
    return {"Authorization": f"Bearer {raw}"}


def an_incident(client, headers, areas=AREAS) -> int:
    """An earthquake in Aba prefecture: a provincial Level II and a county Level I response, four areas, demand."""
    incident = client.post("/api/v1/incidents", json={"kind": "earthquake", "title": "汶川县 6.1 级地震",
                                                      "started_at": an_hour_ago()}, headers=headers)
    assert incident.status_code == 201, incident.get_json()
    incident_id = incident.get_json()["id"]
    for response in ({"authority": "provincial", "region_code": "510000", "level": "II"},
                     {"authority": "county", "region_code": "513221", "level": "I"}):
        assert client.post(f"/api/v1/incidents/{incident_id}/responses", json=response,
                           headers=headers).status_code == 201
    for code, affected, displaced in areas:
        assert client.post(f"/api/v1/incidents/{incident_id}/areas", json={
            "region_code": code, "affected_population": affected, "displaced_population": displaced,
            "priority": 4}, headers=headers).status_code == 201
    demand = client.put(f"/api/v1/incidents/{incident_id}/demand", json={"estimate": {}}, headers=headers)
    assert demand.status_code == 201, demand.get_json()
    return incident_id


def wait_for(client, job_id: int, headers, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def check_plan(app, client, headers, plan_id: int) -> None:
    """The plan keeps to its snapshot, accounts for every unit of demand, explains every gap, and shows the routed
    arrivals, never earlier than the allocation's."""
    plan = client.get(f"/api/v1/plans/{plan_id}", headers=headers).get_json()
    with app.app_context():
        stored = Session.get(Plan, plan_id)
        snapshot = take_snapshot(get_incident(stored.incident_id), get_version(stored.demand_version_id))
        version = get_version(stored.demand_version_id)
        demanded = {(line.area_id, line.item_id): line.quantity for line in version.lines}
        Session.remove()
    taken = defaultdict(int)
    for line in plan["lines"]:
        source = f"d{line['depot_id']}" if line["source_kind"] == "depot" else f"a{line['agreement_id']}"
        taken[(source, f"i{line['item_id']}")] += line["quantity"]
        assert line["arrival_hours"] >= line["eta_hours"] - 0.01, line
        assert 0 <= line["on_time_quantity"] <= line["quantity"]
    assert all(quantity <= snapshot.available[key] for key, quantity in taken.items())
    served = defaultdict(int)
    for line in plan["lines"]:
        served[(line["area_id"], line["item_id"])] += line["quantity"]
    for gap in plan["unmet"]:
        assert gap["reason"] and gap["quantity"] > 0
        served[(gap["area_id"], gap["item_id"])] += gap["quantity"]
    assert dict(served) == demanded
    assert plan["lines"] and plan["routes"] and plan["kpis"]["fill_rate"] > 0
    assert {"fill_rate", "on_time_share", "cost"} <= set(plan["baseline_kpis"])
    levels = {opening["level"] for opening in plan["open_levels"]}
    assert levels == {"provincial", "municipal", "county", "township"}


def test_an_incident_on_the_demo_network_is_planned_on_the_thread_pool(demo_app):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    incident_id = an_incident(client, headers)
    accepted = client.post(f"/api/v1/incidents/{incident_id}/plans", json={}, headers=headers)
    assert accepted.status_code == 202 and accepted.headers["Location"].endswith(f"/jobs/{accepted.get_json()['id']}")
    job = wait_for(client, accepted.get_json()["id"], headers)
    assert job["status"] == "succeeded", job
    assert job["runner"] == "thread" and set(job["stage_seconds"]) >= {"snapshot", "allocation", "routing", "saving"}
    check_plan(demo_app, client, headers, job["plan_id"])
    page = client.get(f"/plans/{job['plan_id']}", headers=headers)
    assert page.status_code == 302  # pages need a session, not a token


def start_worker(app, **env) -> subprocess.Popen:
    environment = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "REDIS_URL": redis_url(),
                   "SECRET_KEY": "test-secret", "ROUTING_SECONDS": "2", "JOB_HEARTBEAT_SECONDS": "1",
                   "FLASK_APP": "wsgi", **env}
    return subprocess.Popen([sys.executable, "-m", "flask", "dispatch", "worker"], cwd=ROOT, env=environment,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def stop(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and every process it forked (RQ's work horse runs in a session of its own)."""
    for pid in [*descendants(worker.pid), worker.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    worker.wait(timeout=10)


def descendants(pid: int) -> list[int]:
    children = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


@pytest.fixture
def queue_app(demo_app):
    from redis import Redis

    Redis.from_url(redis_url()).flushdb()
    demo_app.config.update(REDIS_URL=redis_url(), JOB_STALE_SECONDS=3)
    from dispatch.planning.services.runners import make_runner

    demo_app.extensions["planning_runner"] = make_runner(demo_app)
    yield demo_app
    Redis.from_url(redis_url()).flushdb()


@needs_redis
def test_the_same_incident_is_planned_by_a_worker_of_the_redis_queue(queue_app):
    client = queue_app.test_client()
    headers = dispatcher_token(queue_app)
    incident_id = an_incident(client, headers)
    worker = start_worker(queue_app)
    try:
        job = client.post(f"/api/v1/incidents/{incident_id}/plans", json={}, headers=headers).get_json()
        assert job["runner"] == "queue"
        job = wait_for(client, job["id"], headers)
    finally:
        stop(worker)
    assert job["status"] == "succeeded", job
    check_plan(queue_app, client, headers, job["plan_id"])


@needs_redis
def test_a_worker_killed_in_the_middle_of_a_job_leaves_it_failed_and_nothing_half_saved(queue_app):
    client = queue_app.test_client()
    headers = dispatcher_token(queue_app)
    incident_id = an_incident(client, headers)
    worker = start_worker(queue_app, RELIEF_ALLOW_TEST_HOLDS="1", PLANNING_HOLD_SECONDS="60")
    try:
        job = client.post(f"/api/v1/incidents/{incident_id}/plans", json={}, headers=headers).get_json()
        deadline = time.monotonic() + 60
        while client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()["status"] != "running":
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.3)
    finally:
        stop(worker)  # the worker and its work horse, while the job is held inside its snapshot stage
    failed = wait_for(client, job["id"], headers, seconds=30)
    assert failed["status"] == "failed" and failed["error_code"] == "worker_lost" and failed["error"]
    with queue_app.app_context():
        assert Session.scalar(select(func.count(Plan.id))) == 0
        assert Session.scalar(select(func.count(PlanLine.id))) == 0
        Session.remove()
    worker = start_worker(queue_app)
    try:
        page = _signed_in(queue_app)
        rerun = page.post(f"/jobs/{job['id']}/rerun")
        again = int(rerun.location.rsplit("/", 1)[1])
        assert wait_for(client, again, headers)["status"] == "succeeded"
    finally:
        stop(worker)


def _signed_in(app):
    client = app.test_client()
    assert client.post("/login", data={"username": "dispatcher", "password": "demo1234"}).status_code == 302
    return client


def test_jobs_whose_worker_went_away_end_failed_and_can_run_again(demo_app):
    client = demo_app.test_client()
    headers = dispatcher_token(demo_app)
    incident_id = an_incident(client, headers)
    with demo_app.app_context():
        user = Session.scalar(select(User).where(User.username == "dispatcher"))
        version_id = current_version(incident_id).id
        stale = PlanningJob(incident_id=incident_id, demand_version_id=version_id, status=JobStatus.RUNNING,
                            runner="queue", requested_by_id=user.id, options={},
                            started_at=clock.utcnow() - timedelta(minutes=10),
                            heartbeat_at=clock.utcnow() - timedelta(minutes=9))
        orphan = PlanningJob(incident_id=incident_id, demand_version_id=version_id, status=JobStatus.QUEUED,
                             runner="thread", worker=f"{os.uname().nodename}:{_dead_pid()}", requested_by_id=user.id,
                             options={})
        Session.add_all([stale, orphan])
        Session.commit()
        ids = stale.id, orphan.id
        Session.remove()
    assert client.get(f"/api/v1/jobs/{ids[0]}", headers=headers).get_json()["error_code"] == "worker_lost"
    assert client.get(f"/api/v1/jobs/{ids[1]}", headers=headers).get_json()["error_code"] == "process_restarted"
    page = _signed_in(demo_app)
    assert "Run again" in page.get(f"/jobs/{ids[0]}").get_data(as_text=True)
    again = int(page.post(f"/jobs/{ids[0]}/rerun").location.rsplit("/", 1)[1])
    assert wait_for(client, again, headers)["status"] == "succeeded"


def _dead_pid() -> int:
    """The pid of a process that has already exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
