"""Role matrix rows for dispatch (see tests/test_role_matrix.py).

URLs name an incident, job or plan that does not exist: the roles let in get 404 (never 403), the others 403.
"""
from core.models import Role

EVERYONE = set(Role)
PLANNERS = {Role.ADMIN, Role.DISPATCHER}
LOADERS = PLANNERS | {Role.CLERK}  # a depot's clerks load and dispatch its shipments
SETTLEMENT_READERS = {Role.ADMIN, Role.FINANCE, Role.DISPATCHER}
PAYERS = {Role.ADMIN, Role.FINANCE}
MISSING = 999999
INCIDENT = f"/incidents/{MISSING}"

DISPATCH_PAGES = [
    ("incidents.incidents", "GET", "/incidents", EVERYONE),
    ("incidents.new_incident", "GET", "/incidents/new", PLANNERS),
    ("incidents.incident", "GET", INCIDENT, EVERYONE),
    ("incidents.edit_incident", "GET", f"{INCIDENT}/edit", PLANNERS),
    ("incidents.set_status", "POST", f"{INCIDENT}/status", PLANNERS),
    ("incidents.record_response", "POST", f"{INCIDENT}/responses", PLANNERS),
    ("incidents.request_support", "POST", f"{INCIDENT}/support-requests", PLANNERS),
    ("incidents.add_area", "POST", f"{INCIDENT}/areas", PLANNERS),
    ("incidents.edit_area", "GET", f"{INCIDENT}/areas/{MISSING}/edit", PLANNERS),
    ("demand.edit", "GET", f"{INCIDENT}/demand", EVERYONE),
    ("demand.norms", "GET", f"{INCIDENT}/norms", EVERYONE),
    ("fleet.requisitioned", "GET", f"{INCIDENT}/vehicles", EVERYONE),
    ("fleet.release", "POST", f"{INCIDENT}/vehicles/{MISSING}/release", PLANNERS),
    ("fleet.find_depot", "GET", "/fleet", EVERYONE),
    ("fleet.depot_fleet", "GET", "/fleet/depots/{depot}", EVERYONE),
    ("fleet.modes", "GET", "/fleet/modes", PLANNERS),
    ("planning.plan", "POST", f"{INCIDENT}/plan", PLANNERS),
    ("planning.job", "GET", f"/jobs/{MISSING}", EVERYONE),
    ("planning.rerun", "POST", f"/jobs/{MISSING}/rerun", PLANNERS),
    ("plans.plans", "GET", "/plans", EVERYONE),
    ("plans.plan", "GET", f"/plans/{MISSING}", EVERYONE),
    ("plans.compare", "GET", f"/plans/compare?a={MISSING}&b={MISSING}", EVERYONE),
    ("plans.export", "GET", f"/plans/{MISSING}/export.xlsx", EVERYONE),
    ("plans.approve", "POST", f"/plans/{MISSING}/approve", PLANNERS),
    ("plans.cancel", "POST", f"/plans/{MISSING}/cancel", PLANNERS),
    ("shipments.shipments", "GET", "/shipments", EVERYONE),
    ("shipments.shipment", "GET", f"/shipments/{MISSING}", EVERYONE),
    ("shipments.waybill", "GET", f"/shipments/{MISSING}/waybill", EVERYONE),
    ("shipments.by_document", "GET", f"/shipments/by-document/{MISSING}", EVERYONE),
    ("shipments.start_loading", "POST", f"/shipments/{MISSING}/loading", LOADERS),
    ("shipments.dispatch", "POST", f"/shipments/{MISSING}/dispatch", LOADERS),
    ("shipments.receive", "POST", f"/shipments/{MISSING}/receive", LOADERS),
    ("shipments.turn_back", "POST", f"/shipments/{MISSING}/return", PLANNERS),
    ("shipments.cancel", "POST", f"/shipments/{MISSING}/cancel", PLANNERS),
    ("progress.dashboard", "GET", f"{INCIDENT}/progress", EVERYONE),
    ("settlement.settlement_report", "GET", "/reports/settlement", SETTLEMENT_READERS),
    ("settlement.pay", "POST", "/reports/settlement/payments", PAYERS),
    ("availability.nearby", "GET", "/stock/nearby", EVERYONE),
    ("maps.overview", "GET", "/map", EVERYONE),
]
A = f"/api/v1/incidents/{MISSING}"
DISPATCH_API = [
    ("incidents_api.list_incidents", "GET", "/api/v1/incidents", EVERYONE),
    ("incidents_api.create_incident", "POST", "/api/v1/incidents", PLANNERS),
    ("incidents_api.get_incident", "GET", A, EVERYONE),
    ("incidents_api.update_incident", "PATCH", A, PLANNERS),
    ("incidents_api.record_response", "POST", f"{A}/responses", PLANNERS),
    ("incidents_api.request_support", "POST", f"{A}/support-requests", PLANNERS),
    ("incidents_api.add_area", "POST", f"{A}/areas", PLANNERS),
    ("incidents_api.update_area", "PATCH", f"{A}/areas/{MISSING}", PLANNERS),
    ("incidents_api.incident_map", "GET", f"{A}/map", EVERYONE),
    ("demand_api.get_demand", "GET", f"{A}/demand", EVERYONE),
    ("demand_api.put_demand", "PUT", f"{A}/demand", PLANNERS),
    ("planning_api.request_plan", "POST", f"{A}/plans", PLANNERS),
    ("planning_api.get_job", "GET", f"/api/v1/jobs/{MISSING}", EVERYONE),
    ("plans_api.get_plan", "GET", f"/api/v1/plans/{MISSING}", EVERYONE),
    ("plans_api.plan_map", "GET", f"/api/v1/plans/{MISSING}/map", EVERYONE),
    ("plans_api.approve", "POST", f"/api/v1/plans/{MISSING}/approve", PLANNERS),
    ("plans_api.cancel", "POST", f"/api/v1/plans/{MISSING}/cancel", PLANNERS),
    ("shipments_api.list_shipments", "GET", "/api/v1/shipments", EVERYONE),
    ("shipments_api.get_shipment", "GET", f"/api/v1/shipments/{MISSING}", EVERYONE),
    ("shipments_api.start_loading", "POST", f"/api/v1/shipments/{MISSING}/loading", LOADERS),
    ("shipments_api.dispatch", "POST", f"/api/v1/shipments/{MISSING}/dispatch", LOADERS),
    ("shipments_api.receive", "POST", f"/api/v1/shipments/{MISSING}/receive", LOADERS),
    ("shipments_api.turn_back", "POST", f"/api/v1/shipments/{MISSING}/return", PLANNERS),
    ("shipments_api.cancel", "POST", f"/api/v1/shipments/{MISSING}/cancel", PLANNERS),
    ("progress_api.get_progress", "GET", f"{A}/progress", EVERYONE),
    ("settlement_api.settlement_report", "GET", "/api/v1/reports/settlement", SETTLEMENT_READERS),
    ("settlement_api.pay", "POST", "/api/v1/settlement/payments", PAYERS),
    ("availability_api.stock_nearby", "GET", "/api/v1/stock/nearby?item_id={item}&region_code=510107", EVERYONE),
    ("maps_api.depots", "GET", "/api/v1/map/depots", EVERYONE),
    ("maps_api.incidents", "GET", "/api/v1/map/incidents", EVERYONE),
    ("maps_api.shipments", "GET", "/api/v1/map/shipments", EVERYONE),
]
