"""Who may use what: every page and endpoint, for each role and for anonymous visitors."""
from __future__ import annotations

import pytest

from core.models import Role
from core.services import issue_token
from inventory.network.services import assign_clerk
from tests.dispatch.matrix import DISPATCH_API, DISPATCH_PAGES
from tests.inventory.agreements.api_matrix import AGREEMENTS_API
from tests.inventory.rotation.api_matrix import FINANCE_API
from tests.inventory.rotation.pages_matrix import ROTATION_PAGES
from tests.inventory.stock.api_matrix import STOCK_API
from tests.inventory.stock.pages_matrix import STOCK_PAGES, STOCK_TARGETS, stock_targets

ADMIN = {Role.ADMIN}
EVERYONE = set(Role)

# endpoint, method, URL (with {depot}, {item}, {user}, {token} filled in), roles allowed
MATRIX = [
    ("core.logout", "POST", "/logout", EVERYONE),
    ("core.users", "GET", "/admin/users", ADMIN),
    ("core.new_user", "GET", "/admin/users/new", ADMIN),
    ("core.user", "GET", "/admin/users/{user}", ADMIN),
    ("core.revoke_token", "POST", "/admin/tokens/{token}/revoke", ADMIN),
    ("core.set_active", "POST", "/admin/users/{user}/active", ADMIN),
    ("core.my_tokens", "GET", "/account/tokens", EVERYONE),
    ("audit.audit_log", "GET", "/admin/audit", ADMIN),
    ("audit_api.list_audit_entries", "GET", "/api/v1/audit", ADMIN),
    ("core.revoke_my_token", "POST", "/account/tokens/{token}/revoke", EVERYONE),  # someone else's: 404 to all
    ("home.home", "GET", "/", EVERYONE),
    ("network.depots", "GET", "/depots", EVERYONE),
    ("network.new_depot", "GET", "/depots/new", ADMIN),
    ("network.depot", "GET", "/depots/{depot}", EVERYONE),
    ("network.edit_depot", "GET", "/depots/{depot}/edit", ADMIN),
    ("network.close_depot", "POST", "/depots/{depot}/close", ADMIN),
    ("network.assign_clerk", "POST", "/depots/{depot}/clerks", ADMIN),
    ("network.unassign_clerk", "POST", "/depots/{depot}/clerks/{user}/remove", ADMIN),
    ("network.items", "GET", "/items", EVERYONE),
    ("approvals.inbox", "GET", "/inbox", {Role.ADMIN, Role.CLERK}),
    ("network.new_item", "GET", "/items/new", ADMIN),
    ("network.edit_item", "GET", "/items/{item}/edit", ADMIN),
    ("network_api.list_depots", "GET", "/api/v1/depots", EVERYONE),
    ("network_api.create_depot", "POST", "/api/v1/depots", ADMIN),
    ("network_api.get_depot", "GET", "/api/v1/depots/{depot}", EVERYONE),
    ("network_api.update_depot", "PATCH", "/api/v1/depots/{depot}", ADMIN),
    ("network_api.list_items", "GET", "/api/v1/items", EVERYONE),
    ("network_api.create_item", "POST", "/api/v1/items", ADMIN),
    ("network_api.get_item", "GET", "/api/v1/items/{item}", EVERYONE),
    ("network_api.update_item", "PATCH", "/api/v1/items/{item}", ADMIN),
    ("network_api.list_regions", "GET", "/api/v1/regions", EVERYONE),
]
MATRIX += STOCK_API
MATRIX += FINANCE_API
MATRIX += AGREEMENTS_API
MATRIX += STOCK_PAGES
MATRIX += ROTATION_PAGES
MATRIX += DISPATCH_PAGES + DISPATCH_API
PUBLIC = {"core.login", "core.set_locale", "openapi.openapi_document", "static", "vendor.asset",
          "vendor.favicon"}


@pytest.fixture
def targets(request, make_depot, make_item, make_user):
    other = make_user(Role.CLERK, username="someone")
    token, _raw = issue_token(other.id, "matrix", actor=other)
    depot, item = make_depot().id, make_item().id
    url = getattr(request.node, "callspec", None) and request.node.callspec.params.get("url", "")
    needs_documents = url and any(f"{{{name}}}" in url for name in STOCK_TARGETS)
    documents = stock_targets(depot, item, make_user(Role.ADMIN), make_user(Role.ADMIN)) if needs_documents else {}
    return {"depot": depot, "item": item, "user": other.id, "token": token.id, **documents}


def request_as(app, role: Role | None, method: str, url: str, make_user, depot_id: int | None = None):
    """A request by a fresh user of the role; clerks are bound to the target depot, as a depot's clerk would be."""
    client = app.test_client()
    headers = {}
    if role is not None:
        user = make_user(role)
        if role == Role.CLERK and depot_id is not None:
            assign_clerk(depot_id, user.username, actor=None)
        if url.startswith("/api/"):
            _token, raw = issue_token(user.id, "matrix", actor=user)
            headers["Authorization"] = f"Bearer {raw}"
        else:
            client.post("/login", data={"username": user.username, "password": "correct horse battery"})
    body = {"json": {}} if url.startswith("/api/") and method != "GET" else {}
    return client.open(url, method=method, headers=headers, **body)


@pytest.mark.parametrize("endpoint, method, url, allowed", MATRIX, ids=[row[0] for row in MATRIX])
def test_each_role_is_let_in_or_refused(app, make_user, targets, endpoint, method, url, allowed):
    url = url.format(**targets)
    for role in Role:
        response = request_as(app, role, method, url, make_user, targets["depot"])
        refused = response.status_code == 403
        assert refused != (role in allowed), f"{role.value} on {method} {url}: {response.status_code}"
        assert response.status_code != 401 and "/login?next=" not in (response.location or "")
        assert response.status_code < 500, f"{role.value} on {method} {url}: {response.status_code}"
    anonymous = request_as(app, None, method, url, make_user)
    if url.startswith("/api/"):
        assert anonymous.status_code == 401 and anonymous.get_json()["error"]
    else:
        assert anonymous.status_code == 302 and anonymous.location.startswith("/login")


def test_every_view_declares_its_audience_and_is_in_the_matrix(app):
    covered = {row[0] for row in MATRIX} | PUBLIC
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint != "static":
            assert hasattr(view, "allowed_roles"), f"{rule.endpoint} declares no audience"
        assert rule.endpoint in covered, f"{rule.endpoint} is missing from the role matrix"
