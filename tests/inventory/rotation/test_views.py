"""Rotation pages and finance report pages, through the HTML forms against a real database."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core import clock
from core.db import Session
from core.models import Role
from inventory.reports.queries import ReportFilters, journal, valuation
from inventory.rotation.models import RotationPlan, RotationPlanStatus
from inventory.rotation.services import (
    RotationIn,
    RotationLineRequest,
    RotationOut,
    approve_rotation_plan,
    draft_rotation_plan,
    execute_rotation,
)
from inventory.stock.models import Lot

pytestmark = pytest.mark.usefixtures("reconciled")
TODAY = clock.today()


@pytest.fixture
def setting(make_depot, make_item, make_user, receive, expire):
    """One depot with a due lot, an expired lot and a fine lot; another depot with a due lot of its own."""
    depot, other = make_depot(), make_depot()
    item = make_item(shelf_life_days=730, rotation_lead_days=60)
    clerk = make_user(Role.CLERK, depots=[depot])
    due = receive(depot, item, 10, "DUE-A", expiry=TODAY + timedelta(days=30), unit_cost=Decimal(100))
    stale = receive(depot, item, 4, "STALE-A", unit_cost=Decimal(20))
    expire(stale, days_ago=3)
    fine = receive(depot, item, 10, "FINE-A", expiry=TODAY + timedelta(days=300))
    elsewhere = receive(other, item, 5, "DUE-B", expiry=TODAY + timedelta(days=10))
    return {"depot": depot, "other": other, "item": item, "clerk": clerk, "admin": make_user(Role.ADMIN),
            "finance": make_user(Role.FINANCE), "due": due, "stale": stale, "fine": fine, "elsewhere": elsewhere}


def text(response) -> str:
    return response.get_data(as_text=True)


def sale_form(lot_id, quantity="10", **change) -> dict:
    data = {"note": "年度轮换", "lines-0-lot_id": str(lot_id), "lines-0-quantity": quantity, "lines-0-action": "sell",
            "lines-0-counterparty": "某超市", "lines-0-expected_unit_proceeds": "60",
            "lines-0-replacement": "purchase", "lines-0-replacement_quantity": "10",
            "lines-0-replacement_unit_cost": "110", "lines-0-supplier": "际华集团"}
    data.update({f"lines-0-{name}": value for name, value in change.items()})
    return data


def draft(setting, quantity=10) -> RotationPlan:
    line = RotationLineRequest(setting["due"].id, quantity, "sell", "purchase", counterparty="某超市",
                               expected_unit_proceeds=Decimal(60), replacement_quantity=10,
                               replacement_unit_cost=Decimal(110), supplier="际华集团")
    return draft_rotation_plan(setting["depot"].id, [line], setting["clerk"])


def execute_half(client, plan):
    """Out 4 of the 10 for 240, and 6 of the 10 replacements in."""
    return client.post(f"/rotation-plans/{plan.id}/execute", follow_redirects=True, data={
        "lines-0-line_id": str(plan.lines[0].id), "lines-0-out_quantity": "4", "lines-0-proceeds": "240",
        "lines-0-in_quantity": "6", "lines-0-batch_no": "NEW-1", "lines-0-production_date": TODAY.isoformat(),
        "lines-0-unit_cost": "110"})


def test_the_due_list_shows_due_and_expired_lots_not_fine_ones(setting, login):
    page = text(login(setting["admin"]).get("/rotation/due"))
    assert "DUE-A" in page and "STALE-A" in page and "DUE-B" in page and "FINE-A" not in page
    assert re.search(r'class="state-expired">\s*<td><a[^>]*><span class="nowrap">' + setting["depot"].code, page)
    assert page.index("STALE-A") < page.index("DUE-B") < page.index("DUE-A")  # most urgent first
    assert 'id="total-lots">3<' in page and 'id="total-expired">1<' in page
    assert 'id="total-value">1,130.00<' in page  # 10 × 100 + 4 × 20 + 5 × 10
    assert page.count("Plan rotation</a>") == 3


def test_a_clerk_sees_only_their_depots_lots(setting, login):
    client = login(setting["clerk"])
    page = text(client.get("/rotation/due"))
    assert "DUE-A" in page and "STALE-A" in page and "DUE-B" not in page
    assert 'id="total-lots">2<' in page
    assert "DUE-B" not in text(client.get(f"/rotation/due?depot={setting['other'].code}"))


def test_the_due_list_filters_and_says_when_a_depot_code_is_unknown(setting, login):
    client = login(setting["finance"])
    page = text(client.get("/rotation/due?within_days=15"))
    assert "DUE-B" in page and "STALE-A" in page and "DUE-A" not in page and "Plan rotation" not in page
    page = text(client.get(f"/rotation/due?depot={setting['other'].code.lower()}"))
    assert "DUE-B" in page and "DUE-A" not in page
    page = text(client.get("/rotation/due?depot=NOPE-1"))
    assert "No depot with code NOPE-1." in page and "DUE-A" not in page
    assert "DUE-A" not in text(client.get("/rotation/due?category=medical"))


def test_a_clerk_drafts_a_plan_through_the_form(setting, login):
    client = login(setting["clerk"])
    form = text(client.get(f"/depots/{setting['depot'].id}/rotation-plans/new?lot_id={setting['due'].id}"))
    assert "DUE-A" in form and "STALE-A" in form and "FINE-A" not in form and "DUE-B" not in form
    assert f'<option selected value="{setting["due"].id}">' in form
    response = client.post(f"/depots/{setting['depot'].id}/rotation-plans/new", data=sale_form(setting["due"].id))
    assert response.status_code == 302
    plan = Session.scalar(select(RotationPlan))
    assert response.location.endswith(f"/rotation-plans/{plan.id}")
    page = text(client.get(response.location))
    assert plan.document.number in page and "LH-" in page and "draft" in page and "某超市" in page


def test_a_line_error_appears_beside_its_field_and_the_input_is_kept(setting, login):
    client = login(setting["clerk"])
    url = f"/depots/{setting['depot'].id}/rotation-plans/new"
    response = client.post(url, data=sale_form(setting["due"].id, quantity="11", counterparty="拍卖行"))
    page = text(response)
    assert response.status_code == 422 and Session.scalar(select(RotationPlan)) is None
    assert re.search(r'id="lines-0-quantity"[^>]*value="11".*?<span class="error" id="lines-0-quantity-error">'
                     r'Between 1 and the 10 free in this batch.', page, re.DOTALL)
    assert 'value="拍卖行"' in page
    data = sale_form(setting["due"].id, quantity="99", action="transfer", destination_code="NOPE-9")
    data.update({"lines-1-lot_id": str(setting["stale"].id), "lines-1-quantity": "4", "lines-1-action": "donate",
                 "lines-1-replacement": "reduction", "lines-1-reduction_reason": "改储"})
    page = text(client.post(url, data=data))  # every line's messages at once, beside their fields
    assert page.count('id="lines-0-destination_code-error">No depot with code NOPE-9.') == 1
    assert 'id="lines-0-quantity-error">Between 1 and the 10 free' in page
    assert 'id="lines-1-counterparty-error">Name the buyer or receiving unit.' in page
    response = client.post(url, data=sale_form(setting["due"].id, replacement="reduction"))
    assert 'id="lines-0-reduction_reason-error">Give a reason.' in text(response)


def test_a_second_line_error_lands_on_its_own_row(setting, login):
    client = login(setting["clerk"])
    data = sale_form(setting["due"].id, quantity="2")
    data.update({"lines-2-lot_id": str(setting["stale"].id), "lines-2-quantity": "4", "lines-2-action": "scrap",
                 "lines-2-replacement": "reduction"})
    page = text(client.post(f"/depots/{setting['depot'].id}/rotation-plans/new", data=data))
    assert 'id="lines-2-reduction_reason-error">Give a reason.' in page
    assert not re.search(r'id="lines-[01]-[a-z_]+-error"', page)


def test_approval_needs_a_second_person_and_execution_may_be_partial(setting, login, client):
    plan = draft(setting)
    login(setting["clerk"])
    page = text(client.post(f"/rotation-plans/{plan.id}/approve", follow_redirects=True))
    assert "You drafted this rotation plan; another person must approve it." in page
    assert Session.get(RotationPlan, plan.id).status == RotationPlanStatus.DRAFT
    client.post("/logout")
    login(setting["admin"])
    page = text(client.post(f"/rotation-plans/{plan.id}/approve", follow_redirects=True))
    assert "approved" in page and "Record execution" in page
    page = text(execute_half(client, plan))
    assert 'id="plan-status">partially executed<' in page
    assert re.search(r'class="num executed">4<.*?class="num actual">240.00<.*?class="num received">6<', page, re.DOTALL)
    assert Session.scalar(select(Lot.on_hand).where(Lot.batch_no == "NEW-1")) == 6


def test_execution_errors_appear_beside_the_line(setting, login, make_user):
    plan = draft(setting)
    approve_rotation_plan(plan.id, setting["admin"])
    client = login(setting["clerk"])
    response = client.post(f"/rotation-plans/{plan.id}/execute", data={
        "lines-0-line_id": str(plan.lines[0].id), "lines-0-out_quantity": "11", "lines-0-proceeds": "5"})
    page = text(response)
    assert response.status_code == 422 and "Between 1 and the 10 still to leave." in page
    assert re.search(r'has-error"><input[^>]*name="lines-0-out_quantity"[^>]*value="11"', page)
    response = client.post(f"/rotation-plans/{plan.id}/execute", data={
        "lines-0-line_id": str(plan.lines[0].id), "lines-0-in_quantity": "3"})
    page = text(response)  # the unit cost comes filled in from the plan; the new batch number is missing
    assert response.status_code == 422 and page.count("This field is required.") == 1
    assert re.search(r'has-error"><input[^>]*name="lines-0-batch_no"', page)


def test_others_see_a_plan_read_only_and_a_foreign_clerk_is_refused(setting, login, client, make_user):
    plan = draft(setting)
    number = plan.document.number
    login(setting["finance"])
    page = text(client.get(f"/rotation-plans/{plan.id}"))
    assert number in page and "Approve</button>" not in page and "Read only" in page
    assert client.post(f"/rotation-plans/{plan.id}/approve").status_code == 403
    client.post("/logout")
    login(make_user(Role.CLERK, depots=[setting["other"]]))
    assert client.get(f"/rotation-plans/{plan.id}").status_code == 403
    assert client.post(f"/rotation-plans/{plan.id}/approve").status_code == 403
    assert client.get(f"/depots/{setting['depot'].id}/rotation-plans/new").status_code == 403


def test_cancelling_from_the_plan_page(setting, login):
    plan = draft(setting)
    client = login(setting["clerk"])
    page = text(client.post(f"/rotation-plans/{plan.id}/cancel", follow_redirects=True))
    assert 'id="plan-status">cancelled<' in page


def test_the_rotation_report_shows_the_plan_and_its_csv_has_the_same_total(setting, login, client):
    plan = draft(setting)
    approve_rotation_plan(plan.id, setting["admin"])
    execute_rotation(plan.id, setting["clerk"], [RotationOut(plan.lines[0].id, 4, Decimal(250))],
                              [RotationIn(plan.lines[0].id, 6, "NEW-1", Decimal(110),
                                                   production_date=TODAY)])
    login(setting["finance"])
    page = text(client.get(f"/reports/rotation?date_from={TODAY - timedelta(days=7)}&date_to={TODAY}"))
    assert plan.document.number in page and f'href="/rotation-plans/{plan.id}"' in page
    # out 4 × 100 = 400 at book value for 250; in 6 × 110 = 660: net cost 410, disposal loss 150
    assert re.search(r'id="rotation-total">.*?>4<.*?>400.00<.*?id="total-proceeds">250.00<.*?>6<.*?>660.00<'
                     r'.*?id="total-net-cost">410.00<.*?>150.00<', page, re.DOTALL)
    csv_url = re.search(r'href="([^"]*/api/v1/reports/rotation[^"]*format=csv[^"]*)"', page).group(1)
    assert re.search(r'href="[^"]*/api/v1/reports/rotation[^"]*format=xlsx', page)
    download = client.get(csv_url.replace("&amp;", "&"))
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    total = next(row for row in rows if row[0] == "Total")
    assert (total[2], total[4], total[7]) == ("4", "250.00", "410.00")


def test_finance_opens_the_reports_but_not_the_draft_form(setting, login):
    client = login(setting["finance"])
    for url in ("/reports/rotation", "/reports/valuation", "/reports/journal", "/rotation/due"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/depots/{setting['depot'].id}/rotation-plans/new").status_code == 403
    assert client.get("/reports/journal?date_from=bad&date_to=2020-01-01").status_code == 200


def test_dispatchers_and_clerks_get_no_reports(setting, login, make_user):
    client = login(make_user(Role.DISPATCHER))
    assert client.get("/reports/valuation").status_code == 403


def test_the_valuation_page_total_equals_the_report(setting, login):
    client = login(setting["finance"])
    expected = valuation(TODAY).total_value
    page = text(client.get(f"/reports/valuation?as_of={TODAY}"))
    assert f'id="total-value">{expected:,.2f}<' in page
    filtered = valuation(TODAY, ReportFilters(level="county", region_code="510000"))
    page = text(client.get(f"/reports/valuation?as_of={TODAY}&level=county&province=510000"))
    assert f'id="total-value">{filtered.total_value:,.2f}<' in page
    assert "format=xlsx" in page and "as_of=" in page and "region_code=510000" in page


def test_the_journal_page_lists_movements_with_totals(setting, login):
    client = login(setting["finance"])
    rows, totals = journal(TODAY - timedelta(days=1), TODAY)
    page = text(client.get(f"/reports/journal?date_from={TODAY - timedelta(days=1)}&date_to={TODAY}"))
    assert f'id="total-movements">{totals["movements"]}<' in page
    assert f'id="total-value">{totals["net_value"]:,.2f}<' in page
    assert rows[0]["document"] in page and "DUE-A" in page


def test_a_missing_plan_is_404_for_those_who_may_act(setting, login, client):
    login(setting["clerk"])
    assert client.get("/rotation-plans/999999").status_code == 404
    for verb in ("approve", "execute", "cancel"):
        assert client.post(f"/rotation-plans/999999/{verb}").status_code == 404


def test_the_rotation_pages_and_reports_speak_chinese(setting, login, client):
    chinese = {"Accept-Language": "zh-CN,zh;q=0.9"}
    plan = draft(setting)
    approve_rotation_plan(plan.id, setting["admin"])
    login(setting["clerk"])
    due = text(client.get("/rotation/due", headers=chinese))
    assert "待轮换批次" in due and re.search(r">过期 \d+ 天<", due) and "安排轮换</a>" in due
    assert 'id="total-lots">2<' in due and 'id="total-value">1,080.00<' in due
    execute = {"lines-0-line_id": str(plan.lines[0].id), "lines-0-out_quantity": "11", "lines-0-proceeds": "5"}
    refused = text(client.post(f"/rotation-plans/{plan.id}/execute", data=execute, headers=chinese))
    assert "应在 1 至待出库数量 10 之间。" in refused  # the service's message, beside the line
    page = text(client.post(f"/rotation-plans/{plan.id}/execute", follow_redirects=True, headers=chinese,
                            data={**execute, "lines-0-out_quantity": "4", "lines-0-proceeds": "1240"}))
    assert f"已登记；计划 {plan.document.number} 当前状态：部分执行。" in page
    assert 'id="plan-status">部分执行<' in page and 'class="num actual">1,240.00<' in page
    client.post("/logout")
    login(setting["finance"])
    period = f"date_from={TODAY - timedelta(days=7)}&date_to={TODAY}"
    report = text(client.get(f"/reports/rotation?{period}", headers=chinese))
    assert "轮换成本" in report and "合计" in report and 'id="total-proceeds">1,240.00<' in report
    assert "下载 XLSX" in report
    journal = text(client.get(f"/reports/journal?{period}", headers=chinese))
    # the kind filter's option values are codes; the table shows words
    assert "出入库流水账" in journal and "轮换出库" in journal and ">rotation_out<" not in journal


@pytest.mark.parametrize(("locale", "out_reason", "in_reason"), [
    ("zh_CN", "轮换：出售，交某超市", "轮换：际华集团 补充新品"),
    ("en", "rotation: Sell, to 某超市", "rotation: replacement from 际华集团"),
])
def test_rotation_movements_give_their_reason_in_the_executing_clerks_language(
        setting, login, locale, out_reason, in_reason):
    plan = draft(setting)
    approve_rotation_plan(plan.id, setting["admin"])
    setting["clerk"].locale = locale
    Session.commit()
    client = login(setting["clerk"])
    execute_half(client, plan)
    page = text(client.get(f"/depots/{setting['depot'].id}/movements"))
    assert out_reason in page and in_reason in page
    assert ("rotation:" in page) == (locale == "en")
