"""Geometry of a trajectory chart: one instrument's totals over time, drawn as server-side SVG.

Pure code: dates and totals in, coordinates out; the template draws them. Severity bands are
shaded, session days are ticks along the time axis, and the baseline, response (50 % of the
baseline) and remission levels are horizontal lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

WIDTH = 640
HEIGHT = 260
LEFT = 44
RIGHT = 16
TOP = 12
BOTTOM = 36
# Shades from the lowest band to the highest (the top band darkest); SVG attributes, not CSS,
# so the strict Content-Security-Policy (no inline style) is respected.
BAND_SHADES = ("#eef7ee", "#f7f7e6", "#fbf0e0", "#fbe6dc", "#f8dcdc")


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    total: int
    when: datetime
    severity: str


@dataclass(frozen=True)
class Band:
    y: float
    height: float
    name: str
    fill: str
    label_y: float


@dataclass(frozen=True)
class Level:
    y: float
    label: str
    kind: str  # "baseline", "response" or "remission"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    points: tuple[Point, ...]
    polyline: str
    bands: tuple[Band, ...]
    levels: tuple[Level, ...]
    sessions: tuple[float, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]

    @property
    def plot_width(self) -> float:
        return round(self.right - self.left, 1)

    @property
    def session_top(self) -> float:
        return round(self.bottom - 10, 1)


@dataclass(frozen=True)
class BandSpec:
    name: str
    min_total: int
    max_total: int


def trajectory(
    *,
    scores: Sequence[tuple[datetime, int, str]],
    min_total: int,
    max_total: int,
    bands: Sequence[BandSpec] = (),
    baseline: int | None = None,
    response: tuple[float, str] | None = None,
    remission: tuple[str, int] | None = None,
    session_starts: Sequence[datetime] = (),
) -> Chart:
    """Lay out `scores` ((when, total, severity), any order) on a time axis.

    `response` is (level, label), e.g. (9.0, "response (50% of baseline)"); `remission` is
    (comparator, threshold) from the instrument's definition, e.g. ("<", 5).
    Session days outside the scores' time span are left out.
    """
    ordered = sorted(scores, key=lambda s: s[0])
    plot_right = WIDTH - RIGHT
    plot_bottom = HEIGHT - BOTTOM
    if ordered:
        first, last = ordered[0][0], ordered[-1][0]
    else:
        first = last = datetime.now(UTC)
    # Pad the time axis by a day either side so single points and edges stay visible.
    start, end = first - timedelta(days=1), last + timedelta(days=1)
    span = (end - start).total_seconds()
    value_span = max(max_total - min_total, 1)

    def x_of(when: datetime) -> float:
        return round(LEFT + (when - start).total_seconds() / span * (plot_right - LEFT), 1)

    def y_of(value: float) -> float:
        return round(plot_bottom - (value - min_total) / value_span * (plot_bottom - TOP), 1)

    points = tuple(
        Point(x_of(when), y_of(total), total, when, severity) for when, total, severity in ordered
    )
    shaded = []
    for index, band in enumerate(sorted(bands, key=lambda b: b.min_total)):
        # A band covers its whole-number range: from min - 0.5 to max + 0.5, clipped to the axis.
        low = max(band.min_total - 0.5, min_total)
        high = min(band.max_total + 0.5, max_total)
        shade = BAND_SHADES[min(index + len(BAND_SHADES) - len(bands), len(BAND_SHADES) - 1)]
        top_y, bottom_y = y_of(high), y_of(low)
        shaded.append(
            Band(
                top_y,
                round(bottom_y - top_y, 1),
                band.name,
                shade,
                round((top_y + bottom_y) / 2 + 4, 1),
            )
        )
    levels = []
    if baseline is not None:
        levels.append(Level(y_of(baseline), f"baseline {baseline}", "baseline"))
    if response is not None:
        level, label = response
        levels.append(Level(y_of(max(level, min_total)), label, "response"))
    if remission is not None:
        comparator, threshold = remission
        levels.append(Level(y_of(threshold), f"remission {comparator} {threshold}", "remission"))
    sessions = tuple(x_of(when) for when in sorted(session_starts) if start <= when <= end)
    x_ticks = _date_ticks(start.date(), end.date(), x_of, start)
    step = _value_step(value_span)
    y_ticks = tuple(
        Tick(y_of(value), str(value)) for value in range(min_total, max_total + 1, step)
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=plot_right,
        top=TOP,
        bottom=plot_bottom,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        bands=tuple(shaded),
        levels=tuple(levels),
        sessions=sessions,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
    )


def _value_step(value_span: int) -> int:
    for step in (1, 2, 5, 10, 20):
        if value_span / step <= 8:
            return step
    return 25


def _date_ticks(
    first: date, last: date, x_of: Callable[[datetime], float], start: datetime
) -> tuple[Tick, ...]:
    days = max((last - first).days, 1)
    every = next((n for n in (1, 2, 7, 14, 28, 56, 112) if days / n <= 6), 182)
    ticks = []
    day = first
    while day <= last:
        when = datetime.combine(day, start.timetz())
        if when >= start:
            ticks.append(Tick(x_of(when), day.strftime("%b %d")))
        day += timedelta(days=every)
    return tuple(ticks)
