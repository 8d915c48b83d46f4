"""Find stock: the depots near a place that hold an item, nearest first, without expired or reserved stock."""
from __future__ import annotations

from core.models import Role
from inventory.network.models import DepotLevel


def test_depots_holding_an_item_are_listed_nearest_first(client, make_depot, make_item, make_user, api_token,
                                                          receive, expire):
    item = make_item()
    near = make_depot(DepotLevel.COUNTY, region_code="510107")
    city = make_depot(DepotLevel.MUNICIPAL, region_code="510100", latitude=30.9, longitude=104.3)
    far = make_depot(DepotLevel.PROVINCIAL, region_code="530000", latitude=25.04, longitude=102.71)  # Kunming
    receive(near, item, 40)
    receive(city, item, 500)
    receive(far, item, 900)
    expire(receive(near, item, 1000))
    headers = api_token(make_user(Role.DISPATCHER))
    body = client.get(f"/api/v1/stock/nearby?item_id={item.id}&region_code=510107&radius_km=300",
                      headers=headers).get_json()
    assert [(d["depot_code"], d["available"]) for d in body["depots"]] == [(near.code, 40), (city.code, 500)]
    assert body["depots"][0]["road_hours"] < body["depots"][1]["road_hours"]
    enough = client.get(f"/api/v1/stock/nearby?item_id={item.id}&region_code=510107&radius_km=2000&min_quantity=100",
                        headers=headers).get_json()
    assert [d["depot_code"] for d in enough["depots"]] == [city.code, far.code]
    missing = client.get(f"/api/v1/stock/nearby?item_id={item.id}&radius_km=300", headers=headers)
    assert missing.status_code == 400 and "region_code" in missing.get_json()["fields"]


def test_the_find_stock_page_answers_the_dispatchers_question(client, make_depot, make_item, make_user, login,
                                                              receive):
    item = make_item()
    depot = make_depot(DepotLevel.COUNTY, region_code="510107")
    receive(depot, item, 500)
    login(make_user(Role.DISPATCHER))
    html = client.get(f"/stock/nearby?item_id={item.id}&region_code=510107&radius_km=100&min_quantity=500"
                      ).get_data(as_text=True)
    assert depot.code in html and "500" in html
    bad = client.get(f"/stock/nearby?item_id={item.id}&region_code=999999&radius_km=100&min_quantity=1")
    assert bad.status_code == 200 and "Give a known region code" in bad.get_data(as_text=True)
