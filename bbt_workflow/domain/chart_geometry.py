"""The geometry of the dashboard's charts (issue 13), pure: numbers in, coordinates out.

The templates draw SVG from these (templates/reports/_charts.html); nothing here knows HTML. Coordinates
are in the SVG's user units (its viewBox), rounded to one decimal so the markup is stable. The y axis
of SVG points down: a larger value has a smaller y.
"""
from dataclasses import dataclass
from decimal import Decimal
from math import ceil, floor, log10

MONTHS_IN_YEAR = 12


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    position: float  # x for the month axis, y for the value axis
    value: int


@dataclass(frozen=True)
class ProgressChart:
    """The cumulative published count per month of a year against the year's target line."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    monthly: tuple  # items published in each month shown (month 1 first)
    cumulative: tuple  # running sum of `monthly`
    points: tuple  # Point for 0 at the start of the year, then one per month shown, at the month's end
    target: int | None
    target_line: tuple | None  # (Point at 0 on 1 January, Point at the target on 31 December)
    value_ticks: tuple  # Tick(y, value), 0 first
    month_ticks: tuple  # Tick(x, month number) at each month's end

    @property
    def polyline(self):
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class Segment:
    key: str
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class BudgetBar:
    """Amounts spent, side by side on one bar, against the budget's mark."""

    width: int
    height: int
    segments: tuple  # Segment per part, left to right
    budget: int | None
    budget_x: float | None  # where the budget ends on the bar; None without a budget
    over_budget: bool


def _round(value):
    return float(Decimal(str(value)).quantize(Decimal("0.1")))


def nice_step(rough):
    """The smallest 1, 2 or 5 × 10^k at least `rough` (> 0): the step between an axis' ticks."""
    magnitude = 10 ** floor(log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= rough:
            return int(factor * magnitude) if factor * magnitude >= 1 else factor * magnitude
    raise AssertionError("unreachable")


def value_axis(largest, ticks=4):
    """(axis maximum, step): `largest` (≥ 0) rounded up to a whole number of nice steps, about `ticks`
    steps; an empty chart (largest 0) still gets an axis 0..ticks."""
    if largest <= 0:
        return ticks, 1
    step = max(1, nice_step(largest / ticks))
    return int(ceil(largest / step) * step), int(step)


def progress_chart(monthly_counts, months_shown, target, *, width=640, height=300,
                   margin=(16, 20, 44, 72)):
    """The chart of one year: `monthly_counts` has the 12 months' published counts (January first),
    `months_shown` how many of them have begun (the line stops there), `target` the year's plan or None.
    `margin` is (top, right, bottom, left) room for the axes' labels."""
    if len(monthly_counts) != MONTHS_IN_YEAR:
        raise ValueError("twelve months expected")
    if not 0 <= months_shown <= MONTHS_IN_YEAR:
        raise ValueError(months_shown)
    top, right_margin, bottom_margin, left = margin
    right, bottom = width - right_margin, height - bottom_margin
    monthly = tuple(int(n) for n in monthly_counts[:months_shown])
    cumulative, running = [], 0
    for n in monthly:
        running += n
        cumulative.append(running)
    axis_max, step = value_axis(max([running, target or 0]))

    def x(month):
        return _round(left + (right - left) * month / MONTHS_IN_YEAR)

    def y(value):
        return _round(bottom - (bottom - top) * value / axis_max)

    points = (Point(x(0), y(0)),) + tuple(Point(x(m), y(v)) for m, v in enumerate(cumulative, 1)) \
        if months_shown else ()
    target_line = (Point(x(0), y(0)), Point(x(MONTHS_IN_YEAR), y(target))) if target else None
    return ProgressChart(
        width=width, height=height, left=left, top=top, right=right, bottom=bottom,
        monthly=monthly, cumulative=tuple(cumulative), points=points, target=target, target_line=target_line,
        value_ticks=tuple(Tick(y(v), v) for v in range(0, axis_max + 1, step)),
        month_ticks=tuple(Tick(x(m), m) for m in range(1, MONTHS_IN_YEAR + 1)),
    )


def budget_bar(parts, budget, *, width=600, height=28):
    """`parts`: [(key, amount)] spent, drawn left to right; `budget` the year's budget or None. The bar's
    full width is the larger of the budget and the total spent, so an overspend shows past the mark."""
    spent = sum(amount for _, amount in parts)
    scale = max(budget or 0, spent)
    segments, x = [], 0.0
    for key, amount in parts:
        w = _round(width * amount / scale) if scale else 0.0
        segments.append(Segment(key=key, value=amount, x=_round(x), width=w))
        x += w
    budget_x = _round(width * budget / scale) if budget else None
    return BudgetBar(width=width, height=height, segments=tuple(segments), budget=budget, budget_x=budget_x,
                     over_budget=bool(budget) and spent > budget)
