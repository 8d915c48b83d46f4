"""The demo loader: regions, items and the five-level network at province and country scale."""
from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select

from core.db import Session
from core.models import User, depot_clerks
from inventory.network.models import Depot, DepotLevel, Item, Region
from optimizer.travel import great_circle_km
from seed import loader

SICHUAN = "51"


def regions_csv() -> list[dict]:
    with open(loader.DATA / "regions.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_counts(prefix: str | None) -> dict[str, int]:
    rows = [r for r in regions_csv() if prefix is None or r["code"].startswith(prefix)]
    return {"central": 20,
            "provincial": sum(r["level"] == "province" for r in rows),
            "municipal": sum(r["level"] == "prefecture" and r["name"] not in loader.GROUPING_NAMES for r in rows),
            "county": sum(r["level"] == "county" for r in rows)}


def depots_per_level() -> Counter:
    return Counter(dict(Session.execute(select(Depot.level, func.count()).group_by(Depot.level)).all()))


def test_region_tree_is_complete_and_linked(app):
    counts = Counter(dict(Session.execute(select(Region.level, func.count()).group_by(Region.level)).all()))
    assert (counts["province"], counts["prefecture"], counts["county"]) == (31, 344, 2851)
    wuhou = Session.scalar(select(Region).where(Region.code == "510107"))
    assert [r.name for r in wuhou.chain()] == ["四川省", "成都市", "武侯区"]
    assert Session.scalar(select(func.count()).where(Region.latitude.is_(None))) == 0


def test_province_scale_loads_one_depot_per_region_at_each_level(app, runner):
    result = runner.invoke(args=["seed", "demo", "--scale", "四川"])
    assert result.exit_code == 0, result.output
    counts = depots_per_level()
    expected = expected_counts(SICHUAN)
    assert expected["county"] == 183 and expected["municipal"] == 21
    for level in ("central", "provincial", "municipal", "county"):
        assert counts[level] == expected[level], level
    assert 0 < counts["township"] < 3 * expected["county"]
    assert "Demo logins (password demo1234): admin, clerk, dispatcher, finance" in result.output


def test_the_logins_can_be_left_to_the_demo_scripts_banner(app, runner):
    result = runner.invoke(args=["seed", "demo", "--scale", "460000", "--no-stock", "--no-logins"])
    assert result.exit_code == 0, result.output
    assert "Depots added" in result.output and "Demo logins" not in result.output


def test_township_points_are_generated_near_their_county_seat(app):
    loader.load_network(Session, loader.Scale(SICHUAN))
    townships = Session.scalars(select(Depot).where(Depot.level == DepotLevel.TOWNSHIP)).all()
    assert townships
    for township in townships:
        assert township.generated and "演示生成" in township.name
        seat = township.region
        assert 7.5 < great_circle_km(seat.latitude, seat.longitude, township.latitude, township.longitude) < 25.5


def test_country_scale_loads_the_national_network_once(app):
    first = loader.load_network(Session, loader.Scale(None))
    expected = expected_counts(None)
    assert {level: first[level] for level in expected} == expected == {
        "central": 20, "provincial": 31, "municipal": 334, "county": 2851}
    again = loader.load_network(Session, loader.Scale(None))
    assert sum(again.values()) == 0


def test_items_are_seeded_with_real_figures(app):
    loader.load_items(Session)
    items = {i.code: i for i in Session.scalars(select(Item))}
    assert len(items) >= 30
    tent = items["JZ-ZP-001"]
    assert tent.name == "12平方米单帐篷" and tent.norm_per_person == Decimal("0.2")
    water = items["SP-YS-001"]
    assert [(p.name, p.factor) for p in water.pack_units] == [("carton", 24)] and water.shelf_life_days == 730
    assert items["FX-CF-001"].shelf_life_days is None  # an assault boat does not expire


def test_demo_users_can_sign_in_and_the_clerk_keeps_two_depots(app, runner, client):
    runner.invoke(args=["seed", "demo", "--scale", "510000"])
    clerk = Session.scalar(select(User).where(User.username == "clerk"))
    bound = Session.scalars(select(Depot.code).join(depot_clerks).where(depot_clerks.c.user_id == clerk.id)).all()
    assert sorted(code[0] for code in bound) == ["P", "X"]
    response = client.post("/login", data={"username": "admin", "password": loader.DEMO_PASSWORD})
    assert response.status_code == 302


def test_unknown_scale_is_a_clear_error(app, runner):
    result = runner.invoke(args=["seed", "demo", "--scale", "Atlantis"])
    assert result.exit_code != 0 and "No province 'Atlantis'" in result.output
