"""The item catalog: validation, pack units, editing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import Session
from core.errors import DomainError
from core.models import Role
from inventory.network.models import Item
from inventory.network.services import to_base_units
from tests.inventory.network.test_depots import error_beside

VALID_FORM = {"code": "JZ-BR-009", "name": "棉被", "name_en": "quilt", "category": "living", "base_unit": "piece",
              "unit_weight_kg": "3.0", "unit_volume_m3": "0.045", "shelf_life_days": "1825",
              "rotation_lead_days": "90", "reference_price": "180", "norm_per_person": "1",
              "pack_units-0-name": "bale", "pack_units-0-factor": "10"}


@pytest.fixture
def admin_client(make_user, login):
    return login(make_user(Role.ADMIN))


def item_count() -> int:
    return Session.scalar(select(func.count(Item.id)))


def test_admin_adds_an_item_with_a_pack_unit(admin_client):
    response = admin_client.post("/items/new", data=VALID_FORM)
    assert response.status_code == 302
    item = Session.scalar(select(Item).where(Item.code == "JZ-BR-009"))
    assert [(p.name, p.factor) for p in item.pack_units] == [("bale", 10)]
    assert "JZ-BR-009" in admin_client.get("/items?q=棉被").get_data(as_text=True)
    chinese = admin_client.get("/items?q=棉被", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<td>捆 = 10</td>" in chinese  # a pack unit the catalog knows is named in the reader's language


@pytest.mark.parametrize("field, value, message", [
    ("code", "", "This field is required."),
    ("unit_weight_kg", "0", "Must be more than 0."),
    ("unit_volume_m3", "abc", "Not a valid decimal value."),
    ("shelf_life_days", "0", "At least one day"),
    ("rotation_lead_days", "-1", "Cannot be negative."),
    ("rotation_lead_days", "2000", "Must be shorter than the shelf life."),
    ("reference_price", "-3", "Cannot be negative."),
    ("pack_units-0-factor", "1", "A pack holds at least 2 base units."),
    ("pack_units-0-factor", "", "Give both the name and the factor."),
])
def test_bad_item_input_is_shown_beside_the_field_and_nothing_is_written(admin_client, field, value, message):
    response = admin_client.post("/items/new", data={**VALID_FORM, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    field_id = field.replace("-0-", "-0-")
    assert message in error_beside(html, field_id)
    assert item_count() == 0


def test_a_pack_unit_named_like_the_base_unit_is_refused(admin_client):
    html = admin_client.post("/items/new", data={**VALID_FORM, "pack_units-0-name": "piece"}).get_data(as_text=True)
    assert "already the base unit" in error_beside(html, "pack_units")
    assert item_count() == 0


def test_an_item_without_shelf_life_never_expires(make_item):
    item = make_item(shelf_life_days=None, rotation_lead_days=0)
    assert item.shelf_life_days is None


def test_edit_keeps_and_changes_pack_units(admin_client, make_item):
    item = make_item()
    form = admin_client.get(f"/items/{item.id}/edit").get_data(as_text=True)
    assert 'value="bale"' in form
    admin_client.post(f"/items/{item.id}/edit", data={**VALID_FORM, "code": item.code,
                                                      "pack_units-0-name": "carton", "pack_units-0-factor": "24"})
    Session.expire_all()
    assert [(p.name, p.factor) for p in Session.get(Item, item.id).pack_units] == [("carton", 24)]


def test_quantities_in_packs_convert_to_base_units(make_item):
    item = make_item(pack_units=[{"name": "bale", "factor": 10}, {"name": "carton", "factor": 24}])
    assert to_base_units(item, 3, "bale") == 30
    assert to_base_units(item, 2, "carton") == 48
    assert to_base_units(item, 7, "piece") == 7
    with pytest.raises(DomainError) as refused:
        to_base_units(item, 1, "pallet")
    assert "unit" in refused.value.fields
