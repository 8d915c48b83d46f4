"""Role matrix rows for the stock API (see tests/test_role_matrix.py)."""
from core.models import Role

WRITERS = {Role.ADMIN, Role.CLERK}
EVERYONE = set(Role)
MISSING = 999999  # state transitions on an unknown id: allowed roles get 404, the others 403

STOCK_API = [
    ("stock_api.depot_stock", "GET", "/api/v1/depots/{depot}/stock", EVERYONE),
    ("stock_api.create_receipt", "POST", "/api/v1/receipts", WRITERS),
    ("stock_api.create_issue", "POST", "/api/v1/issues", WRITERS),
    ("stock_api.create_transfer", "POST", "/api/v1/transfers", WRITERS),
    ("stock_api.get_transfer", "GET", f"/api/v1/transfers/{MISSING}", EVERYONE),
    ("stock_api.approve_transfer", "POST", f"/api/v1/transfers/{MISSING}/approve", WRITERS),
    ("stock_api.ship_transfer", "POST", f"/api/v1/transfers/{MISSING}/ship", WRITERS),
    ("stock_api.receive_transfer", "POST", f"/api/v1/transfers/{MISSING}/receive", WRITERS),
    ("stock_api.cancel_transfer", "POST", f"/api/v1/transfers/{MISSING}/cancel", WRITERS),
    ("stock_api.resolve_discrepancy", "POST", f"/api/v1/discrepancies/{MISSING}/resolve", {Role.ADMIN}),
    ("stock_api.open_count", "POST", "/api/v1/counts", WRITERS),
    ("stock_api.get_count", "GET", f"/api/v1/counts/{MISSING}", EVERYONE),
    ("stock_api.record_counts", "POST", f"/api/v1/counts/{MISSING}/lines", WRITERS),
    ("stock_api.approve_count", "POST", f"/api/v1/counts/{MISSING}/approve", WRITERS),
    ("stock_api.request_scrap", "POST", "/api/v1/scraps", WRITERS),
    ("stock_api.approve_scrap", "POST", f"/api/v1/scraps/{MISSING}/approve", WRITERS),
    ("stock_api.reject_scrap", "POST", f"/api/v1/scraps/{MISSING}/reject", WRITERS),
    ("stock_api.reverse_movement", "POST", f"/api/v1/movements/{MISSING}/reverse", WRITERS),
    ("stock_api.list_movements", "GET", "/api/v1/movements?depot_id={depot}", EVERYONE),
    ("stock_api.list_shortfalls", "GET", "/api/v1/quotas/shortfalls", {Role.ADMIN, Role.DISPATCHER}),
]
