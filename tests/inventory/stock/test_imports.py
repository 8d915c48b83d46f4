"""Bulk receipt import: every row checked first, all or nothing."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.db import Session
from core.models import Role
from inventory.stock.models import Lot, Movement
from inventory.stock.services.imports import COLUMNS, import_receipts

pytestmark = pytest.mark.usefixtures("reconciled")


def csv_file(*rows: str) -> bytes:
    return ("item_code,quantity,unit,batch_no,expiry_date,unit_cost,funding_source,donor\n"
            + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def setting(make_depot, make_item, make_user):
    depot = make_depot()
    return depot, make_item(code="JZ-BR-001"), make_user(Role.CLERK, depots=[depot])


def test_a_good_csv_becomes_one_receipt(setting):
    depot, item, clerk = setting
    report = import_receipts(depot.id, "march.csv", csv_file(
        "JZ-BR-001,3,bale,B-1,2031-01-01,180,central,",
        "JZ-BR-001,7,,B-2,2031-06-01,175.5,donation,壹基金"), clerk)
    assert report.problems == [] and report.rows == 2 and report.document.number.startswith("RK-")
    lots = {lot.batch_no: lot for lot in Session.scalars(select(Lot))}
    assert (lots["B-1"].on_hand, lots["B-2"].on_hand, lots["B-2"].donor) == (30, 7, "壹基金")


def test_every_bad_row_is_reported_and_nothing_is_written(setting):
    depot, item, clerk = setting
    report = import_receipts(depot.id, "bad.csv", csv_file(
        "JZ-BR-001,3,,B-1,2031-01-01,180,central,",
        "NOPE,2,,B-2,2031-01-01,10,central,",
        "JZ-BR-001,two,,B-3,01/02/2031,10,grant,",
        "JZ-BR-001,1,,B-4,2031-01-01,10,donation,"), clerk)
    found = {(p.row, p.field) for p in report.problems}
    assert {(3, "item_code"), (4, "quantity"), (4, "expiry_date"), (4, "funding_source")} <= found
    assert Session.scalar(select(func.count(Movement.id))) == 0


def test_a_rule_broken_deeper_is_reported_on_its_row(setting):
    depot, item, clerk = setting
    report = import_receipts(depot.id, "r.csv", csv_file(
        "JZ-BR-001,3,,B-1,2031-01-01,180,central,",
        "JZ-BR-001,1,,B-4,2031-01-01,10,donation,"), clerk)
    assert [(p.row, p.field) for p in report.problems] == [(3, "donor")]
    assert Session.scalar(select(func.count(Lot.id))) == 0


def test_xlsx_is_read_with_real_dates(setting):
    depot, item, clerk = setting
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append(["JZ-BR-001", 4, "", "X-1", None, date(2032, 3, 1), 180, "provincial", "", "", "", ""])
    content = io.BytesIO()
    workbook.save(content)
    report = import_receipts(depot.id, "stock.xlsx", content.getvalue(), clerk)
    assert report.problems == []
    assert Session.scalar(select(Lot.expiry_date)) == date(2032, 3, 1)


@pytest.mark.parametrize("name, content, message", [
    ("notes.txt", b"x", "Upload a .csv or .xlsx file."),
    ("x.csv", b"item,qty\n1,2\n", "Missing columns"),
    ("x.xlsx", b"not a workbook", "not a readable XLSX"),
])
def test_unreadable_files_are_refused_with_a_reason(setting, name, content, message):
    depot, _item, clerk = setting
    report = import_receipts(depot.id, name, content, clerk)
    assert message in report.problems[0].message and report.document is None
