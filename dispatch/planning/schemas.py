"""JSON shapes of planning jobs."""
from marshmallow import Schema, fields

from core import clock
from dispatch.incidents.schemas import ID, local
from dispatch.labels import JOB_ERROR_LABELS, JOB_STAGE_LABELS


class PlanRequestSchema(Schema):
    demand_version_id = fields.Integer(load_default=None, allow_none=True, strict=True, validate=ID,
                                       metadata={"description": "Default: the incident's current demand"})


class JobSchema(Schema):
    id = fields.Integer()
    incident_id = fields.Integer()
    demand_version_id = fields.Integer()
    status = fields.Function(lambda job: job.status.value)
    stage = fields.Function(lambda job: job.stage.value if job.stage else None)
    stage_label = fields.Function(lambda job: str(JOB_STAGE_LABELS[job.stage]) if job.stage else None)
    progress = fields.Integer()
    runner = fields.Function(lambda job: job.runner.value)
    requested_at = fields.Function(lambda job: local(job.requested_at))
    started_at = fields.Function(lambda job: local(job.started_at))
    finished_at = fields.Function(lambda job: local(job.finished_at))
    elapsed_seconds = fields.Method("_elapsed")
    error_code = fields.String(allow_none=True)
    error = fields.Function(lambda job: str(JOB_ERROR_LABELS.get(job.error_code, JOB_ERROR_LABELS["internal"]))
                            if job.error_code else None)
    plan_id = fields.Integer(allow_none=True)
    stage_seconds = fields.Dict()

    def _elapsed(self, job) -> float | None:
        if job.started_at is None:
            return None
        return round(((job.finished_at or clock.utcnow()) - job.started_at).total_seconds(), 1)
