"""Demo stock: lots in every depot of the loaded network, each with the receipt that brought it in.

Quantities follow the level (central depots hold tens of thousands of each core
item, township points dozens) and the item's per-person norm; production dates
are spread over the shelf life so that some lots are due for rotation and some
have expired. Every lot gets one receipt movement, so the ledger reconciles.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session as OrmSession

from core.db import utcnow
from core.models import Role, User
from inventory.network.models import Depot, DepotLevel, Item, OperatorType, Quota
from inventory.stock.models import (
    Document,
    DocumentKind,
    DocumentSequence,
    FundingSource,
    Lot,
    Movement,
    MovementKind,
    Ownership,
)

UNITS_BY_LEVEL = {DepotLevel.CENTRAL: 20_000, DepotLevel.PROVINCIAL: 5_000, DepotLevel.MUNICIPAL: 1_000,
                  DepotLevel.COUNTY: 200, DepotLevel.TOWNSHIP: 30}
ITEMS_BY_LEVEL = {DepotLevel.CENTRAL: 34, DepotLevel.PROVINCIAL: 25, DepotLevel.MUNICIPAL: 20,
                  DepotLevel.COUNTY: 15, DepotLevel.TOWNSHIP: 8}
LOTS_BY_LEVEL = {DepotLevel.CENTRAL: 3, DepotLevel.PROVINCIAL: 3, DepotLevel.MUNICIPAL: 2,
                 DepotLevel.COUNTY: 2, DepotLevel.TOWNSHIP: 1}
FUNDING_BY_LEVEL = {DepotLevel.CENTRAL: FundingSource.CENTRAL, DepotLevel.PROVINCIAL: FundingSource.PROVINCIAL,
                    DepotLevel.MUNICIPAL: FundingSource.MUNICIPAL, DepotLevel.COUNTY: FundingSource.COUNTY,
                    DepotLevel.TOWNSHIP: FundingSource.TOWNSHIP}
DONORS = ["中国红十字会总会", "中华慈善总会", "深圳壹基金公益基金会", "中国扶贫基金会"]
HOLDERS = ["际华集团股份有限公司", "中国供销集团", "本地物资储运企业"]
EQUIPMENT_SHARE = Decimal("0.01")  # boats, pumps, generators: a few per depot
OPENING_REASON = "期初库存（演示） opening stock (demo)"  # bilingual, like the demo users' names


@dataclass
class StockPlan:
    lots: list[dict]
    quotas: list[dict]


def _units(level: DepotLevel, item: Item) -> int:
    norm = item.norm_per_person if item.norm_per_person is not None else EQUIPMENT_SHARE
    return max(1, int(UNITS_BY_LEVEL[level] * min(Decimal(5), max(Decimal("0.01"), norm))))


def _production_date(rng: random.Random, item: Item, today: date) -> date:
    """Spread over the shelf life and a little past it, so some lots are due and some expired."""
    life = item.shelf_life_days or 8 * 365
    return today - timedelta(days=rng.randint(20, life + 60))


def plan_depot(depot: Depot, items: list[Item], today: date, lots_factor: int = 1) -> StockPlan:
    """Lots and quotas for one depot; `lots_factor` multiplies the lots per item (benchmarks load millions)."""
    rng = random.Random(depot.code)
    chosen = items[:ITEMS_BY_LEVEL[depot.level]]
    lots, quotas = [], []
    for item in chosen:
        target = _units(depot.level, item)
        quotas.append({"depot_id": depot.id, "item_id": item.id, "target": target, "minimum": int(target * 0.6)})
        share = rng.uniform(0.45, 1.25) * target
        count = LOTS_BY_LEVEL[depot.level] * lots_factor
        for n in range(count):
            lots.append(_lot(depot, item, n, max(1, int(share / count)), rng, today))
    return StockPlan(lots, quotas)


def _lot(depot: Depot, item: Item, n: int, quantity: int, rng: random.Random, today: date) -> dict:
    produced = _production_date(rng, item, today)
    expiry = produced + timedelta(days=item.shelf_life_days) if item.shelf_life_days else None
    funding = FUNDING_BY_LEVEL[depot.level]
    donor = None
    if depot.level in (DepotLevel.COUNTY, DepotLevel.TOWNSHIP) and rng.random() < 0.05:
        funding, donor = FundingSource.DONATION, rng.choice(DONORS)
    agreement = depot.operator_type == OperatorType.ENTERPRISE
    return {"depot_id": depot.id, "item_id": item.id, "batch_no": f"{produced:%Y%m}-{item.code}-{n + 1}",
            "production_date": produced, "expiry_date": expiry,
            "unit_cost": (item.reference_price * Decimal(str(round(rng.uniform(0.9, 1.1), 2)))).quantize(
                Decimal("0.01")),
            "funding_source": funding, "ownership": Ownership.AGREEMENT if agreement else Ownership.GOVERNMENT,
            "holder": rng.choice(HOLDERS) if agreement else None, "donor": donor,
            "donation_restriction": "限用于受灾群众生活救助" if donor else None,
            "on_hand": quantity, "reserved": 0, "created_at": utcnow()}


def _received_at(lot: dict, today: date) -> datetime:
    arrival = min(lot["production_date"] + timedelta(days=20), today - timedelta(days=1))
    return datetime.combine(arrival, time(9, 0), tzinfo=timezone.utc)


def load_stock(session: OrmSession, progress=None, batch_size: int = 500, lots_factor: int = 1) -> int:
    """Fill every depot that has no lots yet; returns how many lots were added."""
    today = date.today()
    # the most needed items first: a township point keeps only the first few
    items = sorted(session.scalars(select(Item)), key=lambda i: (i.norm_per_person is None,
                                                                -(i.norm_per_person or 0), i.code))
    actor_id = _loader_user(session)
    stocked = set(session.scalars(select(Lot.depot_id).distinct()))
    depots = [d for d in session.scalars(select(Depot).order_by(Depot.id)) if d.id not in stocked]
    added = 0
    for start in range(0, len(depots), batch_size):
        chunk = depots[start:start + batch_size]
        added += _load_chunk(session, chunk, items, today, actor_id, lots_factor)
        if progress is not None:
            progress(len(chunk))
    return added


def _load_chunk(session: OrmSession, depots: list[Depot], items: list[Item], today: date, actor_id: int,
                lots_factor: int) -> int:
    plans = [plan_depot(depot, items, today, lots_factor) for depot in depots]
    lots = [lot for plan in plans for lot in plan.lots]
    session.execute(insert(Lot), lots)
    session.execute(insert(Quota), [q for plan in plans for q in plan.quotas])
    ids = _lot_ids(session, depots)
    documents = _documents(session, lots, today, actor_id)
    session.execute(insert(Movement), [
        {"lot_id": ids[(lot["depot_id"], lot["item_id"], lot["batch_no"])], "depot_id": lot["depot_id"],
         "item_id": lot["item_id"], "kind": MovementKind.RECEIPT, "quantity": lot["on_hand"],
         "unit_cost": lot["unit_cost"], "occurred_at": _received_at(lot, today), "recorded_at": utcnow(),
         "actor_id": actor_id, "reason": OPENING_REASON,
         "document_id": documents[(lot["depot_id"], _received_at(lot, today).year)]} for lot in lots])
    session.commit()
    return len(lots)


def _lot_ids(session: OrmSession, depots: list[Depot]) -> dict:
    rows = session.execute(select(Lot.depot_id, Lot.item_id, Lot.batch_no, Lot.id)
                           .where(Lot.depot_id.in_([d.id for d in depots])))
    return {(r.depot_id, r.item_id, r.batch_no): r.id for r in rows}


def _documents(session: OrmSession, lots: list[dict], today: date, actor_id: int) -> dict:
    """One opening-stock receipt per depot and year, numbered 1 of its year."""
    first_arrival: dict[tuple[int, int], datetime] = defaultdict(lambda: datetime.max.replace(tzinfo=timezone.utc))
    for lot in lots:
        arrived = _received_at(lot, today)
        key = (lot["depot_id"], arrived.year)
        first_arrival[key] = min(first_arrival[key], arrived)
    rows = [{"depot_id": depot_id, "kind": DocumentKind.RECEIPT, "year": year, "sequence": 1,
             "number": f"RK-{year}-000001", "created_by_id": actor_id, "created_at": utcnow(),
             "occurred_at": arrived, "reason": OPENING_REASON, "counterparty": None}
            for (depot_id, year), arrived in first_arrival.items()]
    session.execute(insert(Document), rows)
    session.execute(insert(DocumentSequence), [{"depot_id": r["depot_id"], "kind": DocumentKind.RECEIPT,
                                                "year": r["year"], "last_number": 1} for r in rows])
    found = session.execute(select(Document.depot_id, Document.year, Document.id).where(
        Document.depot_id.in_({r["depot_id"] for r in rows}), Document.kind == DocumentKind.RECEIPT,
        Document.sequence == 1))
    return {(r.depot_id, r.year): r.id for r in found}


def _loader_user(session: OrmSession) -> int:
    """The demo admin records the opening stock."""
    admin = session.scalar(select(User.id).where(User.role == Role.ADMIN).order_by(User.id))
    if admin is None:
        raise RuntimeError("Create the demo users before loading stock.")
    return admin
