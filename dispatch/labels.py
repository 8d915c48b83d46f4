"""What the dispatch pages call each enum value and each reason (translated when shown)."""
from flask_babel import lazy_gettext as _l

from dispatch.fleet.models import Mode
from dispatch.incidents.models import Authority, IncidentStatus, IncidentType, ResponseLevel
from dispatch.planning.models import JobStage, JobStatus
from dispatch.plans.models import PlanStatus
from dispatch.settlement.models import RateBasis, SettlementStatus
from dispatch.shipments.models import RejectReason, ShipmentStatus

INCIDENT_TYPE_LABELS = {
    IncidentType.EARTHQUAKE: _l("Earthquake"),
    IncidentType.FLOOD: _l("Flood"),
    IncidentType.TYPHOON: _l("Typhoon"),
    IncidentType.LANDSLIDE: _l("Landslide"),
    IncidentType.FIRE: _l("Fire or forest fire"),
    IncidentType.COLD_WAVE: _l("Cold wave"),
    IncidentType.DROUGHT: _l("Drought"),
    IncidentType.OTHER: _l("Other"),
}
INCIDENT_STATUS_LABELS = {IncidentStatus.ACTIVE: _l("ongoing"), IncidentStatus.CLOSED: _l("closed")}
AUTHORITY_LABELS = {
    Authority.NATIONAL: _l("National"),
    Authority.PROVINCIAL: _l("Provincial"),
    Authority.MUNICIPAL: _l("Municipal"),
    Authority.COUNTY: _l("County"),
}
RESPONSE_LEVEL_LABELS = {ResponseLevel.I: _l("Level I"), ResponseLevel.II: _l("Level II"),
                         ResponseLevel.III: _l("Level III"), ResponseLevel.IV: _l("Level IV")}
MODE_LABELS = {Mode.ROAD: _l("road"), Mode.RAIL: _l("rail"), Mode.AIR: _l("air")}
JOB_STATUS_LABELS = {JobStatus.QUEUED: _l("queued"), JobStatus.RUNNING: _l("running"),
                     JobStatus.SUCCEEDED: _l("finished"), JobStatus.FAILED: _l("failed")}
JOB_STAGE_LABELS = {JobStage.SNAPSHOT: _l("Taking a snapshot of stock and fleet"),
                    JobStage.ALLOCATION: _l("Allocating sources to areas"),
                    JobStage.ROUTING: _l("Routing the vehicles"), JobStage.SAVING: _l("Saving the plan")}
PLAN_STATUS_LABELS = {PlanStatus.PROPOSED: _l("proposed"), PlanStatus.APPROVED: _l("approved"),
                      PlanStatus.SUPERSEDED: _l("superseded"), PlanStatus.CANCELLED: _l("cancelled")}
# Why demand stays unmet: the optimizer's reasons, and routing's.
UNMET_REASON_LABELS = {
    "no_stock_in_reach": _l("No stock left within reach"),
    "not_allowed_at_level": _l("Stock is held by levels the responses have not opened"),
    "too_late": _l("Stock left in reach arrives only after the lateness window"),
    "agreement_too_slow": _l("Capacity agreements produce it too late"),
    "no_vehicle_big_enough": _l("The depot has no vehicle that can carry it: requisition one there"),
    "window_cannot_be_met": _l("No vehicle can get it there in time"),
    "fleet_exhausted": _l("The depot's vehicles are all in use: requisition more"),
}
# Why a job failed.
JOB_ERROR_LABELS = {
    "no_demand": _l("The demand version has no lines."),
    "worker_lost": _l("The worker running the job stopped (it was killed or its host went down)."),
    "process_restarted": _l("The process holding the job restarted before the job finished."),
    "stock_changed": _l("Stock changed while the plan was saved; plan again from a fresh snapshot."),
    "internal": _l("The planner failed unexpectedly."),
}
# The plan's key figures.
KPI_LABELS = {
    "fill_rate": _l("Fill rate"),
    "on_time_share": _l("Share delivered within its due time"),
    "worst_area_fill_rate": _l("Worst-served area's fill rate"),
    "latest_arrival_hours": _l("Latest arrival (hours after the snapshot)"),
    "cost": _l("Transport cost (CNY)"),
    "tonne_km": _l("Tonne-kilometres"),
}
SHIPMENT_STATUS_LABELS = {
    ShipmentStatus.PLANNED: _l("planned"),
    ShipmentStatus.LOADING: _l("loading"),
    ShipmentStatus.IN_TRANSIT: _l("in transit"),
    ShipmentStatus.DELIVERED: _l("delivered"),
    ShipmentStatus.CANCELLED: _l("cancelled"),
    ShipmentStatus.RETURNED: _l("turned back"),
}
REJECT_REASON_LABELS = {
    RejectReason.DAMAGED: _l("damaged"),
    RejectReason.MISSING: _l("missing on arrival"),
    RejectReason.EXPIRED: _l("expired or about to"),
    RejectReason.WRONG_ITEM: _l("wrong item"),
    RejectReason.NOT_NEEDED: _l("not needed here"),
}
RATE_BASIS_LABELS = {RateBasis.PER_KM: _l("per trip and kilometre"), RateBasis.PER_TKM: _l("per tonne-kilometre")}
SETTLEMENT_STATUS_LABELS = {SettlementStatus.DUE: _l("due"), SettlementStatus.PAID: _l("paid")}
# The network map: a depot's usable stock of the chosen item against its quota.
STOCK_STATE_LABELS = {
    "below_minimum": _l("Below the minimum"),
    "below_target": _l("Below the target"),
    "at_quota": _l("At or above the target"),
    "no_quota": _l("No quota for this item"),
}
