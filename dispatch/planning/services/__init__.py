"""Planning: `snapshot` reads the network, `solve` runs the optimizer, `save` writes the plan, `jobs` runs the
three as a background job, `runners` decides which worker runs it."""
from dispatch.planning.services.jobs import (  # noqa: F401
    fail_stale_jobs,
    get_job,
    list_jobs,
    plan_incident,
    rerun_job,
    run_job,
)
