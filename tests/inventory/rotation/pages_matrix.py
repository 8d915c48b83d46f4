"""Role matrix rows for the rotation pages and the finance report pages (see tests/test_role_matrix.py).

Plan URLs use an id that does not exist: the roles let in get 404 (never 403), the others 403.
"""
from core.models import Role

EVERYONE = set(Role)
ACTORS = {Role.ADMIN, Role.CLERK}
READERS = {Role.ADMIN, Role.FINANCE}
MISSING = 999999

ROTATION_PAGES = [
    ("rotation.due", "GET", "/rotation/due", EVERYONE),
    ("rotation.new_plan", "GET", "/depots/{depot}/rotation-plans/new", ACTORS),
    ("rotation.plan", "GET", f"/rotation-plans/{MISSING}", EVERYONE),
    ("rotation.approve", "POST", f"/rotation-plans/{MISSING}/approve", ACTORS),
    ("rotation.execute", "POST", f"/rotation-plans/{MISSING}/execute", ACTORS),
    ("rotation.cancel", "POST", f"/rotation-plans/{MISSING}/cancel", ACTORS),
    ("reports.rotation_report", "GET", "/reports/rotation?date_from=2026-01-01&date_to=2026-12-31", READERS),
    ("reports.valuation_report", "GET", "/reports/valuation?as_of=2026-06-30", READERS),
    ("reports.journal_report", "GET", "/reports/journal?date_from=2026-01-01&date_to=2026-12-31", READERS),
    ("reports.periods", "GET", "/reports/periods", READERS),
    # The last month there is: those let in are refused for a month not yet ended (422), the others 403.
    ("reports.close_period", "POST", "/reports/periods/2100-12/close", READERS),
]
