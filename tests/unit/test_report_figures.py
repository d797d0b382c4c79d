"""The report arithmetic (domain/report_figures.py) against values computed by hand."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from bbt_workflow.domain.report_figures import (
    PeriodError, change_percent, check_period, duration_figures, median, p90, percent, round_one,
    same_period_last_year, shift_years, utc_bounds,
)


def test_percent_one_decimal_half_up_and_none_without_base():
    # The seed report: 2,563 of a 16,500 target = 15.533…% → 15.5.
    assert percent(2563, 16500) == 15.5
    # 1 / 8 = 12.5 exactly; 1 / 16 = 6.25 → 6.3 (half up, not to even); 1 / 40 = 2.5.
    assert percent(1, 8) == 12.5
    assert percent(1, 16) == 6.3
    assert percent(1, 40) == 2.5
    assert percent(0, 5) == 0.0
    assert percent(3, 0) is None
    assert percent(3, None) is None
    # 2,533,089,340 of 5,170,000,000 đồng = 48.996…% → 49.0.
    assert percent(2533089340, 5170000000) == 49.0


def test_change_percent_against_last_year():
    # 16,533 against 15,316: +1,217 / 15,316 = 7.946% → 7.9.
    assert change_percent(16533, 15316) == 7.9
    # 3 against 4: -25.0; 5 against 8: -37.5; 1 against 16: -93.75 → -93.8 (half away from zero).
    assert change_percent(3, 4) == -25.0
    assert change_percent(5, 8) == -37.5
    assert change_percent(1, 16) == -93.8
    assert change_percent(7, 0) is None


def test_round_one():
    assert round_one(Decimal("2.25")) == 2.3
    assert round_one(Decimal("2.24")) == 2.2
    assert round_one(0) == 0.0


def test_median_and_p90_by_linear_interpolation():
    ten = list(range(1, 11))
    assert median(ten) == Decimal("5.5")  # (5 + 6) / 2
    assert p90(ten) == Decimal("9.1")  # position 8.1: 9 + 0.1 × 1
    assert median([4]) == 4 and p90([4]) == 4
    # [2, 10, 30]: median 10; p90 at position 1.8 = 10 + 0.8 × 20 = 26.
    assert median([2, 10, 30]) == 10
    assert p90([2, 10, 30]) == 26
    assert median([]) is None
    assert duration_figures([2, 10, 30]) == {"median": 10.0, "p90": 26.0}
    assert duration_figures([]) == {"median": 0.0, "p90": 0.0}
    # [1.25, 1.35]: median 1.30, p90 = 1.25 + 0.9 × 0.1 = 1.34 → 1.3.
    assert duration_figures([1.25, 1.35]) == {"median": 1.3, "p90": 1.3}


def test_same_period_last_year_maps_29_february_to_28():
    assert same_period_last_year(date(2024, 1, 1), date(2024, 3, 31)) == (date(2023, 1, 1), date(2023, 3, 31))
    assert same_period_last_year(date(2024, 2, 1), date(2024, 2, 29)) == (date(2023, 2, 1), date(2023, 2, 28))
    assert shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert shift_years(date(2023, 3, 1), -1) == date(2022, 3, 1)


def test_period_validation():
    check_period(date(2024, 3, 1), date(2024, 3, 1))  # one day
    check_period(date(2020, 1, 1), date(2024, 12, 31))  # exactly five years
    with pytest.raises(PeriodError) as reversed_:
        check_period(date(2024, 3, 2), date(2024, 3, 1))
    assert reversed_.value.code == "period_reversed"
    with pytest.raises(PeriodError) as too_long:
        check_period(date(2020, 1, 1), date(2025, 1, 1))
    assert too_long.value.code == "period_too_long"


def test_local_days_become_utc_bounds():
    # Vietnam is UTC+7: 1 January 00:00 local is 31 December 17:00 UTC; the end is the next midnight.
    begin, until = utc_bounds(date(2024, 1, 1), date(2024, 3, 31))
    assert begin == datetime(2023, 12, 31, 17, 0, tzinfo=timezone.utc)
    assert until == datetime(2024, 3, 31, 17, 0, tzinfo=timezone.utc)
