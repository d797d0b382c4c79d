"""The arithmetic of the report figures (issue 13, API.md "Reports summary"), pure Python.

Percents have one decimal, rounded half up (half away from zero for a negative change: -7.85 → -7.9),
and are None where the base is zero or there is no target. Periods are local (Asia/Ho_Chi_Minh)
days, both ends inclusive; `utc_bounds` turns one into a half-open UTC interval [start, end).
"""
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_PERIOD_YEARS = 5
ONE_DECIMAL = Decimal("0.1")


class PeriodError(ValueError):
    """A period the reports refuse: `code` is "period_reversed" or "period_too_long"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def round_one(value):
    """A number (int, Decimal, float) to one decimal, half up, as a float for JSON."""
    return float(Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def percent(part, base):
    """part / base × 100, one decimal half up; None when base is None or zero."""
    if base is None or base == 0 or part is None:
        return None
    return float((Decimal(part) * 100 / Decimal(base)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def change_percent(current, previous):
    """The change from last year's figure in percent (15,316 → 16,533: 7.9); None if last year was zero."""
    if previous is None or previous == 0:
        return None
    return percent(Decimal(current) - Decimal(previous), previous)


def shift_years(day, years):
    """The same day `years` later (or earlier); 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → a year without it
        return day.replace(year=day.year + years, day=28)


def same_period_last_year(start, end):
    """(start, end) one year earlier, each day shifted as `shift_years(day, -1)`."""
    return shift_years(start, -1), shift_years(end, -1)


def check_period(start, end):
    """Refuse `start` after `end`, and a period over five years: it may end at latest the day before
    the same day five years on (1 Jan 2020 – 31 Dec 2024 is allowed, to 1 Jan 2025 is not)."""
    if start > end:
        raise PeriodError("period_reversed")
    if end >= shift_years(start, MAX_PERIOD_YEARS):
        raise PeriodError("period_too_long")


def utc_bounds(start, end):
    """Local days start..end (inclusive) as UTC instants [from, until): computed once per query."""
    begin = datetime.combine(start, time(0), tzinfo=VIETNAM).astimezone(timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=VIETNAM).astimezone(timezone.utc)
    return begin, until


def year_start(day):
    return date(day.year, 1, 1)


def quantile(sorted_values, q):
    """The q-quantile (0 ≤ q ≤ 1) of ascending numbers by LINEAR interpolation between closest ranks,
    the definition of PostgreSQL's percentile_cont and numpy's default: position (n - 1) × q, and the
    value between the two neighbours in proportion. None for no values.
    Example: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q = 0.9 → position 8.1 → 9 + 0.1 × (10 - 9) = 9.1."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * Decimal(str(q))
    lower = int(position)
    fraction = position - lower
    low = Decimal(str(sorted_values[lower]))
    if lower + 1 >= len(sorted_values) or fraction == 0:
        return low
    high = Decimal(str(sorted_values[lower + 1]))
    return low + (high - low) * fraction


def median(sorted_values):
    """The 0.5 quantile (the mean of the two middle values for an even count)."""
    return quantile(sorted_values, Decimal("0.5"))


def p90(sorted_values):
    """The 0.9 quantile, linear interpolation (see `quantile`)."""
    return quantile(sorted_values, Decimal("0.9"))


def duration_figures(sorted_hours):
    """{"median", "p90"} of durations in hours, one decimal half up; 0.0 for both when there are none."""
    if not sorted_hours:
        return {"median": 0.0, "p90": 0.0}
    return {"median": round_one(median(sorted_hours)), "p90": round_one(p90(sorted_hours))}
