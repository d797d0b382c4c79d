"""The periods a report is asked for (issue 13): a month, a quarter, a half-year, a year of a given
year, or any days from–to. Pure: the caller gives `today` (the local day of its clock).

A period code names a part of the year: "m1".."m12", "q1".."q4", "h1", "h2", "year"; "custom" means
the days typed by the reader.
"""
from datetime import date, timedelta

MONTHS = tuple(f"m{n}" for n in range(1, 13))
QUARTERS = ("q1", "q2", "q3", "q4")
HALVES = ("h1", "h2")
YEAR = "year"
CUSTOM = "custom"
PERIOD_CODES = (YEAR,) + HALVES + QUARTERS + MONTHS + (CUSTOM,)
MIN_YEAR, MAX_YEAR = 1990, 2100


def _month_end(year, month):
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _months(year, first, last):
    return date(year, first, 1), _month_end(year, last)


def period_days(code, year):
    """(first day, last day) of the part of `year` named by `code`; ValueError for "custom" or an
    unknown code, or a year outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(year)
    if code == YEAR:
        return _months(year, 1, 12)
    if code in HALVES:
        first = 1 + 6 * HALVES.index(code)
        return _months(year, first, first + 5)
    if code in QUARTERS:
        first = 1 + 3 * QUARTERS.index(code)
        return _months(year, first, first + 2)
    if code in MONTHS:
        month = MONTHS.index(code) + 1
        return _months(year, month, month)
    raise ValueError(code)


def current_quarter(today):
    """(code, year) of the quarter holding `today`: the dashboard's default period."""
    return QUARTERS[(today.month - 1) // 3], today.year


def months_to_show(year, today):
    """How many months of `year` have begun by `today` (12 for a past year, 0 for a future one):
    the cumulative chart stops there rather than drawing a flat line into the future."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month
