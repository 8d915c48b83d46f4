"""Finance reports equal the ledger: totals recomputed here straight from the movements."""
from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core import clock
from core.db import Session
from core.models import Role
from inventory.reports.queries import journal, rotation_report, valuation
from inventory.rotation.services import (
    RotationIn,
    RotationLineRequest,
    RotationOut,
    approve_rotation_plan,
    draft_rotation_plan,
    execute_rotation,
)
from inventory.stock.models import Movement, MovementKind
from inventory.stock.services.issues import Issue, IssueLine, issue_stock
from inventory.stock.services.receipts import Receipt, ReceiptLine, receive_stock
from inventory.stock.services.scraps import ScrapRequestLine, approve_scrap, request_scrap

TODAY = clock.today()
JANUARY, FEBRUARY = TODAY - timedelta(days=90), TODAY - timedelta(days=45)


def at(day) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=timezone.utc)


@pytest.fixture
def history(make_depot, make_item, make_user, api_token):
    """Receipts three months ago, issues six weeks ago, a scrap and a rotation this week."""
    depot = make_depot()
    quilt = make_item(shelf_life_days=1825, rotation_lead_days=90)
    water = make_item(category="food_water", shelf_life_days=730, rotation_lead_days=60)
    clerk, admin, finance = make_user(Role.CLERK, depots=[depot]), make_user(Role.ADMIN), make_user(Role.FINANCE)
    receive_stock(Receipt(depot.id, [
        ReceiptLine(quilt.id, 100, "Q1", Decimal("180.00"), "central", expiry_date=TODAY + timedelta(days=30)),
        ReceiptLine(water.id, 500, "W1", Decimal("1.50"), "provincial", expiry_date=TODAY + timedelta(days=600)),
    ], occurred_at=at(JANUARY)), clerk)
    issue_stock(Issue(depot.id, [IssueLine(water.id, 120)], "安置点", occurred_at=at(FEBRUARY)), clerk)
    quilts = Session.scalar(select(Movement.lot_id).where(Movement.item_id == quilt.id))
    scrap = request_scrap(depot.id, [ScrapRequestLine(quilts, 5)], "水浸", clerk)
    approve_scrap(scrap.id, admin)
    plan = draft_rotation_plan(depot.id, [RotationLineRequest(
        quilts, 60, "sell", "purchase", counterparty="拍卖行", expected_unit_proceeds=Decimal("70"),
        replacement_quantity=60, replacement_unit_cost=Decimal("185"))], clerk)
    approve_rotation_plan(plan.id, admin)
    execute_rotation(plan.id, clerk, outs=[RotationOut(plan.lines[0].id, 60, Decimal("4300.00"))],
                              ins=[RotationIn(plan.lines[0].id, 40, "Q2", Decimal("185.00"),
                                              production_date=TODAY)])
    return {"finance": api_token(finance), "plan": plan.document.number}


def ledger() -> list[Movement]:
    return list(Session.scalars(select(Movement)))


def value_until(day) -> Decimal:
    return sum((m.quantity * m.unit_cost for m in ledger() if m.occurred_at <= clock.end_of_day(day)), Decimal(0))


def test_valuation_at_past_dates_equals_the_ledger(history):
    for day in (JANUARY - timedelta(days=1), JANUARY, FEBRUARY, TODAY):
        assert valuation(day).total_value == value_until(day)
    assert valuation(JANUARY).total_value == Decimal("18750.00")  # 100 × 180 + 500 × 1.50
    by_funding = {row.funding_source: row.value for row in valuation(FEBRUARY).rows}
    assert by_funding == {"central": Decimal("18000.00"), "provincial": Decimal("570.00")}


def test_journal_lists_every_movement_of_the_period_with_its_document(history):
    rows, totals = journal(JANUARY, TODAY)
    assert totals["movements"] == len(ledger()) == len(rows)
    assert totals["net_value"] == value_until(TODAY)
    assert {row["kind"] for row in rows} >= {"receipt", "issue", "scrap", "rotation_out", "rotation_in"}
    february, _ = journal(FEBRUARY, FEBRUARY)
    assert [(row["kind"], row["quantity"], row["document"][:2]) for row in february] == [("issue", -120, "CK")]


def test_journal_times_are_local_like_the_days_that_chose_them(client, history, make_user, login):
    """An issue at 10:00 UTC belongs to its local day and is shown at its local time, with the offset in the data."""
    local = at(FEBRUARY).astimezone(clock.LOCAL_ZONE)
    february, _ = journal(FEBRUARY, FEBRUARY)
    assert february[0]["occurred_at"] == at(FEBRUARY)
    answer = client.get(f"/api/v1/reports/journal?date_from={FEBRUARY}&date_to={FEBRUARY}", headers=history["finance"])
    assert answer.get_json()["items"][0]["occurred_at"] == local.isoformat(timespec="seconds")
    page = login(make_user(Role.FINANCE)).get(f"/reports/journal?date_from={FEBRUARY}&date_to={FEBRUARY}")
    text = page.get_data(as_text=True)
    offset = local.isoformat()[-6:]  # e.g. +08:00
    assert f"<td>{local:%Y-%m-%d %H:%M}</td>" in text and f"Local times (UTC{offset})" in text


def test_rotation_report_equals_the_rotation_movements(history):
    report = rotation_report(TODAY - timedelta(days=7), TODAY)
    moves = [m for m in ledger() if m.rotation_plan_id]
    out = [m for m in moves if m.kind == MovementKind.ROTATION_OUT]
    came = [m for m in moves if m.kind == MovementKind.ROTATION_IN]
    total = report.total
    assert total.book_value_out == -sum(m.quantity * m.unit_cost for m in out) == Decimal("10800.00")
    assert total.proceeds == sum(m.proceeds for m in out) == Decimal("4300.00")
    assert total.replacement_cost == sum(m.quantity * m.unit_cost for m in came) == Decimal("7400.00")
    assert total.net_cost == Decimal("3100.00") and total.disposal_loss == Decimal("6500.00")
    assert report.scrapped_value == Decimal("900.00")
    assert [plan.plan for plan in report.plans] == [history["plan"]]
    assert rotation_report(JANUARY, FEBRUARY).plans == []


def test_expired_value_counts_stock_on_hand_when_its_lot_expired(history):
    report = rotation_report(TODAY, TODAY + timedelta(days=60))
    assert report.expired_value == Decimal("35") * Decimal("180.00")  # the quilts left after scrap and rotation


def test_exports_carry_the_page_figures(client, history):
    query = f"date_from={JANUARY}&date_to={TODAY}"
    page = client.get(f"/api/v1/reports/rotation?{query}", headers=history["finance"]).get_json()
    sheet = client.get(f"/api/v1/reports/rotation?{query}&format=xlsx", headers=history["finance"])
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Plan", "Depot", "Quantity out", "Book value out (CNY)")
    total = next(row for row in rows if row[0] == "Total")
    assert Decimal(str(total[3])) == Decimal(page["total"]["book_value_out"])
    assert Decimal(str(total[7])) == Decimal(page["total"]["net_cost"])
    valuation = client.get(f"/api/v1/reports/valuation?as_of={TODAY}", headers=history["finance"]).get_json()
    csv_text = client.get(f"/api/v1/reports/valuation?as_of={TODAY}&format=csv",
                          headers=history["finance"]).data.decode("utf-8-sig")
    assert csv_text.splitlines()[-1].endswith(valuation["total_value"])
    journal = client.get(f"/api/v1/reports/journal?{query}&format=xlsx", headers=history["finance"])
    journal_rows = list(load_workbook(io.BytesIO(journal.data)).active.iter_rows(values_only=True))
    assert len(journal_rows) == len(ledger()) + 2  # header and total


def test_exports_speak_the_readers_language_and_keep_the_figures(client, history, make_user, api_token):
    """Headers and words (kinds, levels, funding) follow the user's language; figures and the JSON stay as they are."""
    reader = make_user(Role.FINANCE)
    reader.locale = "zh_CN"
    Session.commit()
    chinese, query = api_token(reader), f"date_from={JANUARY}&date_to={TODAY}"
    english = client.get(f"/api/v1/reports/rotation?{query}", headers=history["finance"]).get_json()
    sheet = client.get(f"/api/v1/reports/rotation?{query}&format=xlsx", headers=chinese)
    workbook = load_workbook(io.BytesIO(sheet.data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert workbook.active.title == "轮换成本"
    assert rows[0] == ("轮换计划", "储备库", "出库数量", "出库账面价值（元）", "变现收入（元）", "入库数量",
                       "补库成本（元）", "净成本（元）", "处置损失（元）")
    total = next(row for row in rows if row[0] == "合计")
    assert isinstance(total[3], (int, float)) and isinstance(total[7], (int, float))  # number cells, not text
    assert Decimal(str(total[3])) == Decimal(english["total"]["book_value_out"]) == Decimal("10800")
    assert Decimal(str(total[7])) == Decimal(english["total"]["net_cost"])
    assert rows[-1] == total  # the plans' sheet ends with its totals; the write-offs have their own sheet
    write_offs = list(workbook["本期核销"].iter_rows(values_only=True))
    assert [row[0] for row in write_offs] == ["核销项目", "报废（账面价值）", "在库过期", "核销合计"]
    assert Decimal(str(write_offs[-1][1])) == Decimal(english["write_offs"])

    valuation = client.get(f"/api/v1/reports/valuation?as_of={TODAY}", headers=chinese).get_json()
    assert {row["funding_source"] for row in valuation["rows"]} == {"central", "provincial"}  # JSON keeps codes
    csv_text = client.get(f"/api/v1/reports/valuation?as_of={TODAY}&format=csv", headers=chinese).data
    lines = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig"))))
    assert lines[0] == ["级别", "类别", "资金来源", "数量", "金额（元）"]
    assert {line[2] for line in lines[1:-1]} == {"中央财政", "省级财政"}
    assert lines[-1][0] == "合计" and lines[-1][-1] == valuation["total_value"]  # plain digits, no grouping
    assert Decimal(lines[-1][-1]) == sum(Decimal(line[4]) for line in lines[1:-1])

    # A user who chose nothing gets the browser's language.
    browser = {**history["finance"], "Accept-Language": "zh-CN,zh;q=0.9"}
    journal = client.get(f"/api/v1/reports/journal?{query}&format=xlsx", headers=browser)
    journal_rows = list(load_workbook(io.BytesIO(journal.data)).active.iter_rows(values_only=True))
    assert journal_rows[0][:8] == ("单据号", "发生时间", "记账时间", "储备库", "物资", "物资名称", "批次", "类型")
    assert {row[7] for row in journal_rows[1:-1]} >= {"入库", "出库", "报废", "轮换出库", "轮换入库"}
    assert journal_rows[-1][0] == "合计" and Decimal(str(journal_rows[-1][10])) == value_until(TODAY)
    kinds = client.get(f"/api/v1/reports/journal?{query}", headers=browser).get_json()["items"]
    assert {row["kind"] for row in kinds} >= {"receipt", "issue", "scrap", "rotation_out", "rotation_in"}


def test_reports_refuse_bad_periods_and_other_roles(client, history, make_user, api_token):
    bad = client.get(f"/api/v1/reports/journal?date_from={TODAY}&date_to={JANUARY}", headers=history["finance"])
    assert bad.status_code == 400 and "date_to" in bad.get_json()["fields"]
    dispatcher = api_token(make_user(Role.DISPATCHER))
    assert client.get(f"/api/v1/reports/valuation?as_of={TODAY}", headers=dispatcher).status_code == 403


def test_plans_of_two_depots_with_the_same_number_stay_apart(make_depot, make_item, make_user, receive):
    item = make_item(shelf_life_days=730, rotation_lead_days=60)
    admin = make_user(Role.ADMIN)
    for depot in (make_depot(), make_depot()):
        clerk = make_user(Role.CLERK, depots=[depot])
        lot = receive(depot, item, 10, expiry=TODAY + timedelta(days=20))
        plan = draft_rotation_plan(depot.id, [RotationLineRequest(
            lot.id, 10, "donate", "reduction", counterparty="学校", reduction_reason="需求下降")], clerk)
        approve_rotation_plan(plan.id, admin)
        execute_rotation(plan.id, clerk, outs=[RotationOut(plan.lines[0].id, 10)])
    report = rotation_report(TODAY, TODAY)
    assert [plan.plan[-6:] for plan in report.plans] == ["000001", "000001"]
    assert len({plan.depot for plan in report.plans}) == 2
    assert all(plan.quantity_out == 10 for plan in report.plans)
