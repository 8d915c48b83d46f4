"""Planning jobs: a request to plan, its progress through the stages, and the plan it saved or why it failed."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime, utcnow
from core.models import User, str_enum
from dispatch.demand.models import DemandVersion
from dispatch.incidents.models import Incident


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobStage(StrEnum):
    SNAPSHOT = "snapshot"
    ALLOCATION = "allocation"
    ROUTING = "routing"
    SAVING = "saving"


class JobRunner(StrEnum):
    THREAD = "thread"  # a worker thread inside the web process
    QUEUE = "queue"    # a worker process of the Redis queue


class PlanningJob(Base):
    __tablename__ = "planning_jobs"
    __audit__ = None  # not audited: a job's progress; the plan it makes is audited
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        Index("ix_planning_jobs_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    demand_version_id: Mapped[int] = mapped_column(ForeignKey("demand_versions.id"))
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus), default=JobStatus.QUEUED)
    stage: Mapped[JobStage | None] = mapped_column(str_enum(JobStage))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    runner: Mapped[JobRunner] = mapped_column(str_enum(JobRunner))
    worker: Mapped[str | None] = mapped_column(String(120))  # host:pid of the process that holds or runs it
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_detail: Mapped[str | None] = mapped_column(Text)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    stage_seconds: Mapped[dict] = mapped_column(JSON, default=dict)

    incident: Mapped[Incident] = relationship()
    demand_version: Mapped[DemandVersion] = relationship()
    requested_by: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
