"""Asking for a plan and watching its job: the stage, the time spent, a progress bar, the plan or why it failed."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from core.auth import allow
from core.errors import DomainError
from core.models import Role
from dispatch import labels
from dispatch.incidents.forms import ActionForm
from dispatch.planning import services
from dispatch.planning.schemas import JobSchema

bp = Blueprint("planning", __name__, template_folder="templates")
PLANNERS = (Role.ADMIN, Role.DISPATCHER)


@bp.route("/incidents/<int:incident_id>/plan", methods=["POST"])
@allow(*PLANNERS)
def plan(incident_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("incidents.incident", incident_id=incident_id))
    try:
        job = services.plan_incident(incident_id, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("incidents.incident", incident_id=incident_id))
    return redirect(url_for("planning.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@allow()
def job(job_id: int):
    found = services.get_job(job_id)
    return render_template("planning/job.html", job=found, state=JobSchema().dump(found), labels=labels,
                           action_form=ActionForm(), may_plan=current_user.role in PLANNERS)


@bp.route("/jobs/<int:job_id>/rerun", methods=["POST"])
@allow(*PLANNERS)
def rerun(job_id: int):
    if not ActionForm().validate_on_submit():
        return redirect(url_for("planning.job", job_id=job_id))
    try:
        again = services.rerun_job(job_id, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("planning.job", job_id=job_id))
    return redirect(url_for("planning.job", job_id=again.id))
