"""Royalty (nhuận bút) and fee (thù lao) arithmetic, exactly as ROYALTIES.md sets it out.

Pure functions on `Decimal` and whole đồng (int); no Flask, no database. The
rates themselves are data with effective dates (the royalties area stores them);
these functions only apply what they are given, so the grading form, the sheet
and the tests all compute with the same code.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
HUNDRED = Decimal(100)
# One coefficient unit is 10% of the base salary (NĐ 18/2014, Điều 7.2).
UNIT_VALUE_PERCENT = Decimal(10)
# Pay within 60 days of publication (NĐ 18/2014, Điều 4).
PAYMENT_DEADLINE_DAYS = 60

FEE_PERCENT = "percent"  # a percent of the item's royalty total
FEE_COEFFICIENT = "coefficient"  # a coefficient × the unit value
FEE_KINDS = (FEE_PERCENT, FEE_COEFFICIENT)


class RuleError(ValueError):
    """A grading or rule that breaks the regulation; `field` names what is wrong."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def round_half_up(value):
    """Whole đồng, halves away from zero (the accountants' rounding)."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def decimal_text(value):
    """A coefficient, factor or share as people write it: Decimal("1.50") → "1.5", 10 → "10"; None stays None."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def local_date(moment):
    """The calendar day of a moment in Vietnam: rates follow the publication day there."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("naive datetime: give a timezone-aware moment")
        return moment.astimezone(VIETNAM).date()
    if isinstance(moment, date):
        return moment
    raise TypeError(f"not a date or datetime: {moment!r}")


def unit_value(base_salary):
    """Value of one coefficient unit: 10% of the base salary, in whole đồng."""
    return round_half_up(Decimal(base_salary) * UNIT_VALUE_PERCENT / HUNDRED)


def item_amount(coefficient, unit_value_vnd, site_factor=Decimal(1), factors=()):
    """round_half_up(coefficient × unit value × site factor × Π adjustment factors)."""
    product = Decimal(coefficient) * Decimal(unit_value_vnd) * Decimal(site_factor)
    for factor in factors:
        product *= Decimal(factor)
    return round_half_up(product)


def split_by_shares(amount, shares):
    """Split whole đồng by percentage shares (summing to 100) with the largest-remainder
    method: the parts add up exactly to `amount`. Ties go to the earlier share.
    A negative amount (an adjustment) is split like its absolute value."""
    shares = [Decimal(s) for s in shares]
    if not shares:
        raise RuleError("payees", "at least one payee is needed")
    if any(s <= 0 for s in shares):
        raise RuleError("payees", "every share must be above 0")
    if sum(shares) != HUNDRED:
        raise RuleError("payees", "shares must add up to 100")
    sign = -1 if amount < 0 else 1
    total = abs(int(amount))
    raw = [Decimal(total) * s / HUNDRED for s in shares]
    floors = [int(r.to_integral_value(rounding=ROUND_FLOOR)) for r in raw]
    left = total - sum(floors)
    by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [sign * part for part in floors]


def withholding_tax(gross, *, threshold, rate_percent, staff=False, committed=False):
    """Personal income tax withheld on one payment (TT 111/2013, Điều 25.1.i).

    Nothing for staff with a labour contract of 3 months or more (taxed through
    payroll) nor for a payee who filed a commitment (08/CK-TNCN) for the year.
    """
    if staff or committed or gross < threshold:
        return 0
    return round_half_up(Decimal(gross) * Decimal(rate_percent) / HUNDRED)


def fee_amount(kind, value, *, royalty_total, unit_value_vnd):
    """A fee (thù lao) line: a percent of the item's royalty total, or a coefficient × unit value."""
    if kind == FEE_PERCENT:
        return round_half_up(Decimal(royalty_total) * Decimal(value) / HUNDRED)
    if kind == FEE_COEFFICIENT:
        return round_half_up(Decimal(value) * Decimal(unit_value_vnd))
    raise RuleError("kind", f"unknown fee kind {kind!r}")


@dataclass(frozen=True)
class Range:
    """A coefficient or multiplier range, inclusive."""

    low: Decimal
    high: Decimal

    def __contains__(self, value):
        return self.low <= Decimal(value) <= self.high


def check_coefficient(coefficient, genre_range, national_cap=None):
    """The grader's coefficient must be within the genre's range and the national cap."""
    coefficient = Decimal(coefficient)
    if coefficient <= 0:
        raise RuleError("coefficient", "the coefficient must be above 0")
    if coefficient not in genre_range:
        raise RuleError("coefficient", f"the coefficient must be between {genre_range.low} and {genre_range.high}")
    if national_cap is not None and coefficient > Decimal(national_cap):
        raise RuleError("coefficient", f"the coefficient exceeds the national cap {national_cap}")
    return coefficient


def check_rate_table(genres, national_caps):
    """A rate table whose maximum exceeds the national cap in force is refused.

    genres: iterable of (code, Range, default, cap_group); national_caps: {cap_group: max}.
    Returns the list of (code, message) problems; empty when the table is valid.
    """
    problems = []
    for code, genre_range, default, cap_group in genres:
        if genre_range.low <= 0 or genre_range.low > genre_range.high:
            problems.append((code, "the range must be positive with min ≤ max"))
            continue
        if default is not None and Decimal(default) not in genre_range:
            problems.append((code, "the default must be within the range"))
        cap = national_caps.get(cap_group)
        if cap is None:
            problems.append((code, f"no national cap for the group {cap_group!r}"))
        elif genre_range.high > Decimal(cap):
            problems.append((code, f"the maximum {genre_range.high} exceeds the national cap {cap}"))
    return problems


def in_force(rows, on, *, start="effective_from", end="effective_to"):
    """The row in force on a day: the latest start on or before it, not yet ended.

    rows: objects or dicts with a start date and an optional end date (inclusive).
    Returns None when nothing is in force.
    """
    def get(row, name):
        return row.get(name) if isinstance(row, dict) else getattr(row, name, None)

    best = None
    for row in rows:
        begins, ends = get(row, start), get(row, end)
        if begins is None or begins > on or (ends is not None and ends < on):
            continue
        if best is None or begins > get(best, start):
            best = row
    return best


# A sheet paid this long after the end of its month is flagged (not refused): late, but it happens.
LATE_PAYMENT_DAYS = 90
PAYMENT_BEFORE_PUBLICATION = "payment_before_publication"
PAYMENT_LATE = "payment_late"


def payment_date_problem(payment_date, newest_published_on, period_end):
    """What is wrong with a sheet's payment date: PAYMENT_BEFORE_PUBLICATION (refused: the tax rule
    follows the payment date, and nothing is paid before it is published), PAYMENT_LATE (a warning:
    more than LATE_PAYMENT_DAYS after the end of the month) or None.

    newest_published_on: the Vietnam calendar day the newest item on the sheet was published
    (None for a sheet with no line)."""
    if newest_published_on is not None and payment_date < newest_published_on:
        return PAYMENT_BEFORE_PUBLICATION
    if (payment_date - period_end).days > LATE_PAYMENT_DAYS:
        return PAYMENT_LATE
    return None


# Incentive royalties (nhuận bút khuyến khích) are at most 30% of the royalties (NĐ 18/2014, Điều 8,
# the yearly fund); fees (thù lao) at most 50%. An item's incentives are held to 30% of its own
# royalty, so the year's incentives can never pass 30% of the year's royalties either.
INCENTIVE_LIMIT_PERCENT = Decimal(30)
FEE_LIMIT_PERCENT = Decimal(50)


def incentive_limit(royalty_total, limit_percent=INCENTIVE_LIMIT_PERCENT):
    """The most an item may be awarded in incentives, whole đồng rounded down (never above the limit)."""
    if royalty_total <= 0:
        return 0
    return int((Decimal(royalty_total) * Decimal(limit_percent) / HUNDRED).to_integral_value(rounding=ROUND_FLOOR))


def over_limit(part, whole, limit_percent):
    """Is `part` above `limit_percent` of `whole` (the fund check's warnings)? Exact, no rounding."""
    return Decimal(part) * HUNDRED > Decimal(whole) * Decimal(limit_percent)


def split_by_weights(amount, weights):
    """Split whole đồng in proportion to positive whole weights (each payee's royalty on an item) with
    the largest-remainder method: the parts add up exactly to `amount`; ties go to the earlier weight."""
    weights = [int(w) for w in weights]
    if not weights or any(w <= 0 for w in weights):
        raise RuleError("payees", "every weight must be above 0")
    whole = sum(weights)
    floors = [amount * w // whole for w in weights]
    remainders = [amount * w % whole for w in weights]
    left = amount - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    return floors
