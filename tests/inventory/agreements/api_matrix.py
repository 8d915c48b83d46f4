"""Role matrix rows for capacity agreements and reserve coverage, API and pages (see tests/test_role_matrix.py)."""
from core.models import Role

READERS = {Role.ADMIN, Role.DISPATCHER, Role.FINANCE}
ADMIN = {Role.ADMIN}
ACTIVATORS = {Role.ADMIN, Role.DISPATCHER}
MISSING = 999999  # an unknown agreement: allowed roles get 404, the others 403

AGREEMENTS_API = [
    ("agreements_api.list_agreements", "GET", "/api/v1/capacity-agreements", READERS),
    ("agreements_api.create_agreement", "POST", "/api/v1/capacity-agreements", ADMIN),
    ("agreements_api.get_agreement", "GET", f"/api/v1/capacity-agreements/{MISSING}", READERS),
    ("agreements_api.update_agreement", "PATCH", f"/api/v1/capacity-agreements/{MISSING}", ADMIN),
    ("agreements_api.capacity", "GET", "/api/v1/capacity-agreements/capacity?hours=24,48,72", READERS),
    ("agreements_api.get_coverage", "GET", "/api/v1/coverage?by=province", READERS),
    ("agreements.agreements", "GET", "/agreements", READERS),
    ("agreements.new_agreement", "GET", "/agreements/new", ADMIN),
    ("agreements.edit_agreement", "GET", f"/agreements/{MISSING}/edit", ADMIN),
    ("agreements.suspend_agreement", "POST", f"/agreements/{MISSING}/suspend", ADMIN),
    ("agreements.reactivate_agreement", "POST", f"/agreements/{MISSING}/reactivate", ADMIN),
    ("agreements.coverage", "GET", "/coverage?by=level", READERS),
    ("agreements.agreement", "GET", f"/agreements/{MISSING}", READERS),
    ("agreements.activate", "POST", f"/agreements/{MISSING}/activations", ACTIVATORS),
    ("agreements.receive_output", "POST", f"/agreements/{MISSING}/outputs", ACTIVATORS),
    ("agreements_api.list_activations", "GET", f"/api/v1/capacity-agreements/{MISSING}/activations", READERS),
    ("agreements_api.activate", "POST", f"/api/v1/capacity-agreements/{MISSING}/activations", ACTIVATORS),
    ("agreements_api.receive_output", "POST", f"/api/v1/activations/{MISSING}/outputs", ACTIVATORS),
]
