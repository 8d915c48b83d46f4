"""The follow-up dashboard of one incident: demand, planned, in transit and delivered per area and item; a chart of
what was dispatched and delivered over time against the demand, drawn here as SVG (no script: it prints, works
offline and under the strict content policy) beside a table of the same figures; the basic-living share delivered
within its due time; the overdue shipments."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil

from flask import Blueprint, current_app, render_template

from core import charts, clock
from core.auth import allow
from dispatch import labels
from dispatch.progress import queries
from dispatch.progress.queries import Progress, TimelinePoint

bp = Blueprint("progress", __name__, template_folder="templates")

# The chart's frame in SVG user units: the plot sits inside the margins, numbers on the left, times below.
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 76, 16, 14, 40
X_TICKS = 4


@bp.route("/incidents/<int:incident_id>/progress")
@allow()
def dashboard(incident_id: int):
    progress = queries.incident_progress(incident_id)
    return render_template("progress/dashboard.html", progress=progress, incident=progress.incident,
                           chart=chart_of(progress), labels=labels,
                           overdue_hours=current_app.config["SHIPMENT_OVERDUE_HOURS"],
                           default_due_hours=current_app.config["DEFAULT_DUE_HOURS"])


@dataclass
class Tick:
    at: float  # the coordinate along its axis
    label: str | int  # a time as the local clock reads it, or a number of units


@dataclass
class Marker:
    x: float
    y: float
    value: int
    point: TimelinePoint


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    y_max: int = 1
    demand_y: float | None = None
    dispatched_path: str = ""
    delivered_path: str = ""
    dispatched: list[Marker] = field(default_factory=list)
    delivered: list[Marker] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    due_lines: list[Tick] = field(default_factory=list)


def chart_of(progress: Progress) -> Chart:
    """Cumulative units dispatched and delivered as steps from the incident's start to now (or to the last
    basic-living due time, when that is later), under the demand as a level line."""
    points = progress.timeline.points
    start = min([progress.incident.started_at] + [point.at for point in points[:1]])
    end = max([progress.as_of] + [point.at for point in points[-1:]] + progress.basic_due_times[-1:])
    end = max(end, start + timedelta(hours=1))
    highest = max([progress.totals.demand, 1] + [point.dispatched for point in points[-1:]])
    step = nice_step(highest / 4)
    chart = Chart(y_max=step * ceil(highest / step))
    x, y = _time_scale(start, end, chart), _unit_scale(chart)
    chart.dispatched = [Marker(x(point.at), y(point.dispatched), point.dispatched, point) for point in points]
    chart.delivered = [Marker(x(point.at), y(point.delivered), point.delivered, point) for point in points]
    chart.dispatched_path = _steps(chart.dispatched, chart)
    chart.delivered_path = _steps(chart.delivered, chart)
    chart.demand_y = y(progress.totals.demand) if progress.totals.demand else None
    chart.y_ticks = [Tick(y(value), value) for value in range(0, chart.y_max + 1, step)]
    chart.x_ticks = [Tick(x(moment), _short_time(moment)) for moment in
                     (start + (end - start) * index / X_TICKS for index in range(X_TICKS + 1))]
    chart.due_lines = [Tick(x(due), _short_time(due)) for due in progress.basic_due_times]
    return chart


def nice_step(raw: float) -> int:
    """A round whole step for an axis of units."""
    return int(charts.nice_step(raw, whole=True))


def _time_scale(start: datetime, end: datetime, chart: Chart):
    span = (end - start).total_seconds()
    return lambda moment: round(chart.left + (chart.right - chart.left) * (moment - start).total_seconds() / span, 1)


def _unit_scale(chart: Chart):
    return lambda units: round(chart.bottom - (chart.bottom - chart.top) * units / chart.y_max, 1)


def _steps(markers: list[Marker], chart: Chart) -> str:
    """An SVG path that stays level until each point and then rises to it, continued to the right edge."""
    path = [f"M{chart.left} {chart.bottom}"]
    for marker in markers:
        path.append(f"H{marker.x} V{marker.y}")
    path.append(f"H{chart.right}")
    return " ".join(path)


def _short_time(moment: datetime) -> str:
    return moment.astimezone(clock.LOCAL_ZONE).strftime("%m-%d %H:%M")
