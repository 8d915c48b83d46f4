"""Charts drawn by the server as SVG: no script, so they print, work on an isolated intranet and under the strict
content policy. Each chart sits beside a table of the same figures; every mark carries its figure in `data-value`
so a test (and a screen reader, through <title>) reads what the eye sees.

Two shapes serve the pages: bars across (one per province or level) and a line over time (book value by month).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from math import floor, log10

WIDTH = 640


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    text: str           # the figure as the table prints it
    y: float
    width: float


@dataclass
class BarChart:
    bars: list[Bar]
    label_width: int
    bar_height: int = 18
    gap: int = 8
    width: int = WIDTH
    right: int = 70     # room for the figure after the longest bar

    @property
    def height(self) -> int:
        return len(self.bars) * (self.bar_height + self.gap) + self.gap

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - self.right


def bar_chart(rows: list[tuple[str, Decimal | int, str]], scale_max: Decimal | int | None = None,
              label_width: int = 150) -> BarChart:
    """Bars across for (label, value, text) rows, in their order; lengths relative to `scale_max` (the largest
    value when not given: a share is drawn against 1, so a full bar means all of it)."""
    chart = BarChart([], label_width)
    top = max([value for _label, value, _text in rows] + [scale_max or 0]) or 1
    for index, (label, value, text) in enumerate(rows):
        length = round(chart.plot_width * min(float(value) / float(top), 1.0), 1)
        chart.bars.append(Bar(label, value, text, chart.gap + index * (chart.bar_height + chart.gap), length))
    return chart


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal | int
    text: str
    x: float
    y: float


@dataclass
class LineChart:
    points: list[Point] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = 260
    left: int = 96
    right: int = WIDTH - 20
    top: int = 14
    bottom: int = 260 - 36

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if index == 0 else 'L'}{point.x} {point.y}" for index, point in enumerate(self.points))


def line_chart(rows: list[tuple[str, Decimal | int, str]], tick_text) -> LineChart:
    """A line through (label, value, text) rows evenly spaced left to right, from zero up to a round maximum;
    `tick_text` prints an axis figure as the table would."""
    chart = LineChart()
    highest = max([float(value) for _label, value, _text in rows] + [0.0])
    step = nice_step(highest / 4)
    y_max = step * 4
    span = max(len(rows) - 1, 1)
    for index, (label, value, text) in enumerate(rows):
        x = round(chart.left + (chart.right - chart.left) * index / span, 1)
        chart.points.append(Point(label, value, text, x, _y(chart, float(value), y_max)))
    chart.y_ticks = [Tick(_y(chart, tick, y_max), tick_text(tick)) for tick in _ticks(step, y_max)]
    return chart


def _y(chart: LineChart, value: float, y_max: float) -> float:
    return round(chart.bottom - (chart.bottom - chart.top) * value / y_max, 1)


def _ticks(step: float, y_max: float) -> list[float]:
    count = round(y_max / step)
    return [step * index for index in range(count + 1)]


def nice_step(raw: float, whole: bool = False) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `raw` (and at least 1), so axis
    figures read easily; `whole` leaves out steps that are not whole numbers (units: 2.5 when counting to 10)."""
    if raw <= 1:
        return 1
    power = 10 ** floor(log10(raw))
    return next(power * factor for factor in (1, 2, 2.5, 5, 10) if power * factor >= raw
                and (not whole or float(power * factor).is_integer()))
