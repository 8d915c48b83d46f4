"""Demo capacity reserve agreements (产能储备): textile mills for quilts and coats, tent makers, water and food plants.

The enterprises are made up (plausible names in real places); rates, lead times and prices
are in the range such agreements use. Dates are set against today so that the list always
shows agreements in force, a few running out within 60 days, two suspended, one expired
and one not yet in force.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session as OrmSession

from core import clock
from inventory.agreements.models import AgreementStatus, CapacityAgreement
from inventory.network.models import Item, Region

# region code, enterprise, item code, base units per day, lead time (h), maximum quantity, unit price (CNY)
AGREEMENTS = [
    ("320600", "南通华纺家用纺织品有限公司", "JZ-BR-001", 8000, 48, 200000, "168.00"),
    ("320600", "南通金丝家纺股份有限公司", "JZ-BR-002", 6000, 48, 120000, "112.00"),
    ("330600", "绍兴柯桥恒泰纺织有限公司", "JZ-BR-001", 5000, 36, 150000, "172.00"),
    ("511300", "南充丝纺被服有限公司", "JZ-BR-001", 3000, 48, 60000, "175.00"),
    ("510100", "成都蜀锦应急被服有限公司", "JZ-FZ-001", 2500, 36, 50000, "210.00"),
    ("420100", "武汉汉江服装集团有限公司", "JZ-FZ-001", 4000, 36, 80000, "205.00"),
    ("370200", "青岛海纳户外用品有限公司", "JZ-ZP-001", 600, 36, 12000, "2150.00"),
    ("130600", "保定中兴帐篷制造有限公司", "JZ-ZP-002", 400, 48, 8000, "3450.00"),
    ("371300", "临沂沂蒙帐篷篷布有限公司", "JZ-ZP-001", 500, 36, 10000, "2200.00"),
    ("321000", "扬州江都帐篷制品厂", "JZ-ZP-003", 80, 60, 1500, "11500.00"),
    ("410100", "郑州中原方便食品有限公司", "SP-FB-001", 150000, 12, 3000000, "3.80"),
    ("410700", "新乡豫北压缩饼干厂", "SP-BG-001", 120000, 12, 2000000, "4.70"),
    ("440100", "广州珠江饮用水有限公司", "SP-YS-001", 400000, 12, 8000000, "1.30"),
    ("330100", "杭州千岛山泉饮品有限公司", "SP-YS-001", 300000, 12, 6000000, "1.35"),
    ("510100", "成都天府矿泉水有限公司", "SP-YS-001", 200000, 12, 4000000, "1.40"),
    ("530100", "昆明滇池饮用水有限公司", "SP-YS-001", 120000, 18, 2400000, "1.45"),
    ("430100", "长沙湘江食品有限公司", "SP-FB-001", 100000, 12, 2000000, "3.90"),
    ("230100", "哈尔滨北国食品有限公司", "SP-BG-001", 80000, 36, 1500000, "4.80"),
    ("610100", "西安秦川食品有限公司", "SP-FB-001", 90000, 12, 1800000, "3.90"),
    ("650100", "乌鲁木齐天山被服厂", "JZ-FZ-001", 1500, 48, 30000, "230.00"),
    ("150100", "呼和浩特草原毛纺有限公司", "JZ-BR-002", 3000, 36, 60000, "118.00"),
    ("220100", "长春北方棉被厂", "JZ-BR-001", 2500, 48, 50000, "178.00"),
    ("210100", "沈阳辽河被服有限公司", "JZ-BR-003", 2000, 48, 40000, "145.00"),
    ("341100", "滁州皖东家具制造有限公司", "JZ-JJ-001", 1500, 48, 30000, "245.00"),
    ("441900", "东莞莞城户外用品有限公司", "JZ-BR-004", 5000, 48, 100000, "190.00"),
    ("350100", "福州闽江塑料编织有限公司", "FX-BZ-001", 500000, 24, 5000000, "1.10"),
    ("360100", "南昌赣江救生器材有限公司", "FX-JS-001", 3000, 48, 60000, "115.00"),
    ("450100", "南宁邕江饮品有限公司", "SP-YS-001", 150000, 12, 3000000, "1.40"),
    ("520100", "贵阳黔南食品有限公司", "SP-BG-001", 60000, 12, 1200000, "4.90"),
    ("620100", "兰州陇原被服有限公司", "JZ-BR-001", 2000, 36, 40000, "182.00"),
    ("130100", "石家庄冀中帐篷有限公司", "JZ-ZP-001", 300, 36, 6000, "2250.00"),
    ("140100", "太原晋阳棉纺有限公司", "JZ-FZ-001", 2000, 36, 40000, "215.00"),
    ("500000", "重庆渝江食品有限公司", "SP-FB-001", 120000, 12, 2400000, "3.90"),
    ("120000", "天津滨海消毒用品有限公司", "YL-XD-001", 50000, 24, 1000000, "7.50"),
    ("310000", "上海浦江医用防护用品有限公司", "YL-KZ-001", 20000, 24, 400000, "23.00"),
    ("110000", "北京京北应急装备有限公司", "JZ-JT-001", 3000, 48, 50000, "285.00"),
    ("460100", "海口琼州饮用水有限公司", "SP-YS-001", 80000, 12, 1600000, "1.50"),
    ("640100", "银川塞上毛纺有限公司", "JZ-BR-002", 1500, 36, 30000, "120.00"),
    ("630100", "西宁高原帐篷有限公司", "JZ-ZP-002", 200, 48, 4000, "3500.00"),
    ("540100", "拉萨雪域被服有限公司", "JZ-FZ-001", 600, 60, 10000, "240.00"),
]
CONTACTS = ["张建国", "王丽华", "李志强", "刘芳", "陈海燕", "杨军", "赵敏", "黄伟", "周晓东", "吴静"]
EXPIRING = {3, 13, 23, 33}  # run out within 60 days: due for renewal
SUSPENDED = {7, 27}
EXPIRED = {17}
PENDING = {37}  # signed, not yet in force
TERM_DAYS = 3 * 365


def load_agreements(session: OrmSession, today: date | None = None) -> int:
    """Add the demo agreements unless there are agreements already; returns how many were added.

    Needs the region tree and the item catalog; an entry whose item or region is missing is skipped.
    """
    if session.scalar(select(func.count(CapacityAgreement.id))):
        return 0
    today = today or clock.today()
    rng = random.Random(2026)
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_({a[0] for a in AGREEMENTS})))}
    items = dict(session.execute(select(Item.code, Item.id)).all())
    added = 0
    for n, (region_code, name, item_code, daily, lead, maximum, price) in enumerate(AGREEMENTS):
        region = regions.get(region_code)
        if region is None or item_code not in items:
            continue
        valid_from, valid_to = _validity(n, rng, today)
        session.add(CapacityAgreement(
            enterprise_name=name, contact_person=rng.choice(CONTACTS), phone=f"1380000{rng.randint(0, 9999):04d}",
            region_id=region.id, latitude=_jitter(rng, region.latitude), longitude=_jitter(rng, region.longitude),
            item_id=items[item_code], daily_capacity=daily, lead_time_hours=lead, max_quantity=maximum,
            unit_price=Decimal(price), valid_from=valid_from, valid_to=valid_to,
            status=AgreementStatus.SUSPENDED if n in SUSPENDED else AgreementStatus.ACTIVE,
            notes="停产检修，暂停启动" if n in SUSPENDED else None))
        added += 1
    session.commit()
    return added


def _validity(n: int, rng: random.Random, today: date) -> tuple[date, date]:
    if n in EXPIRING:
        valid_to = today + timedelta(days=rng.randint(10, 55))
        return valid_to - timedelta(days=TERM_DAYS), valid_to
    if n in EXPIRED:
        valid_to = today - timedelta(days=rng.randint(10, 40))
        return valid_to - timedelta(days=TERM_DAYS), valid_to
    if n in PENDING:
        valid_from = today + timedelta(days=rng.randint(10, 30))
        return valid_from, valid_from + timedelta(days=TERM_DAYS)
    valid_from = today - timedelta(days=rng.randint(30, 700))
    return valid_from, valid_from + timedelta(days=TERM_DAYS)


def _jitter(rng: random.Random, value: float | None) -> float | None:
    return None if value is None else round(value + rng.uniform(-0.08, 0.08), 6)
