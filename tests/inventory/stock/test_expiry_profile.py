"""The depot stock page's expiry profile: the lots above it regrouped by time left, drawn as the table says."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from core import clock
from core.models import Role

pytestmark = pytest.mark.usefixtures("reconciled")


def test_the_expiry_profile_groups_the_lots_by_time_left_and_the_chart_draws_the_table(make_depot, make_item,
                                                                                        make_user, receive, expire,
                                                                                        login):
    depot, item = make_depot(), make_item()
    today = clock.today()
    receive(depot, item, 10, "SOON", expiry=today + timedelta(days=20), unit_cost=Decimal("2.50"))
    receive(depot, item, 4, "LATER", expiry=today + timedelta(days=500), unit_cost=Decimal("100"))
    receive(depot, item, 6, "ALSO-LATER", expiry=today + timedelta(days=800), unit_cost=Decimal("100"))
    stale = receive(depot, item, 3, "STALE", unit_cost=Decimal("1"))
    expire(stale)
    html = login(make_user(Role.CLERK, depots=[depot])).get(f"/depots/{depot.id}/stock").get_data(as_text=True)
    section = re.search(r'<section class="panel expiry".*?</section>', html, re.S).group(0)
    rows = re.findall(r'<tr data-label="([^"]*)" data-value="([^"]*)"><td>[^<]*</td>\s*<td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td>', section)
    assert [(label, value, lots, units) for label, value, lots, units in rows] == [
        ("Expired", "3.00", "1", "3"), ("Within 30 days", "25.00", "1", "10"), ("31 to 90 days", "0.00", "0", "0"),
        ("91 to 180 days", "0.00", "0", "0"), ("181 days to a year", "0.00", "0", "0"),
        ("Over a year", "1000.00", "2", "10"), ("Does not expire", "0.00", "0", "0")]
    bars = re.findall(r'<g class="bar" data-label="([^"]*)" data-value="([^"]*)"', section)
    assert bars == [(label, value) for label, value, _lots, _units in rows]
    widths = dict(re.findall(r'<g class="bar" data-label="([^"]*)".*?<rect class="fill"[^>]*width="([\d.]+)"',
                             section, re.S))
    assert float(widths["Over a year"]) > float(widths["Within 30 days"]) > float(widths["Expired"]) > 0
