"""Role matrix rows for rotation and the finance reports (see tests/test_role_matrix.py)."""
from core.models import Role

EVERYONE = set(Role)
WRITERS = {Role.ADMIN, Role.CLERK}
READERS = {Role.ADMIN, Role.FINANCE}
PERIOD = "date_from=2026-01-01&date_to=2026-12-31"
MISSING = 999999

FINANCE_API = [
    ("rotation_api.rotation_due", "GET", "/api/v1/rotation/due?depot_id={depot}", EVERYONE),
    ("rotation_api.create_rotation_plan", "POST", "/api/v1/rotation-plans", WRITERS),
    ("rotation_api.get_rotation_plan", "GET", f"/api/v1/rotation-plans/{MISSING}", EVERYONE),
    ("rotation_api.approve_rotation_plan", "POST", f"/api/v1/rotation-plans/{MISSING}/approve", WRITERS),
    ("rotation_api.execute_rotation_plan", "POST", f"/api/v1/rotation-plans/{MISSING}/execute", WRITERS),
    ("rotation_api.cancel_rotation_plan", "POST", f"/api/v1/rotation-plans/{MISSING}/cancel", WRITERS),
    ("reports_api.rotation_report", "GET", f"/api/v1/reports/rotation?{PERIOD}", READERS),
    ("reports_api.valuation_report", "GET", "/api/v1/reports/valuation?as_of=2026-06-30", READERS),
    ("reports_api.journal_report", "GET", f"/api/v1/reports/journal?{PERIOD}", READERS),
    ("reports_api.list_periods", "GET", "/api/v1/periods", READERS),
    ("reports_api.close_period", "POST", "/api/v1/periods/2100-12/close", READERS),
]
