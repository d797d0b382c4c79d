"""The dashboard charts' geometry and the report periods (issue 13): pure functions, no app."""
from datetime import date

import pytest

from bbt_workflow.domain.chart_geometry import Point, Segment, budget_bar, nice_step, progress_chart, value_axis
from bbt_workflow.domain.report_periods import current_quarter, months_to_show, period_days


@pytest.mark.parametrize("rough,step", [(0.3, 0.5), (1, 1), (1.2, 2), (3, 5), (7, 10), (26, 50), (4125, 5000),
                                        (100, 100)])
def test_nice_steps_are_one_two_or_five_times_a_power_of_ten(rough, step):
    assert nice_step(rough) == step


@pytest.mark.parametrize("largest,axis", [(0, (4, 1)), (1, (1, 1)), (7, (8, 2)), (37, (40, 10)),
                                          (16500, (20000, 5000)), (3000, (3000, 1000))])
def test_the_value_axis_ends_on_a_whole_step(largest, axis):
    assert value_axis(largest) == axis


def test_progress_chart_points_are_the_running_sum_at_each_months_end():
    # Plot area: x 50..610 (560 wide, 12 months: 46.67 a month), y 10..250 (240 high); axis 0..40 (target 37).
    monthly = [1, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    chart = progress_chart(monthly, 4, 37, width=630, height=280, margin=(10, 20, 30, 50))
    assert (chart.left, chart.top, chart.right, chart.bottom) == (50, 10, 610, 250)
    assert chart.monthly == (1, 3, 2, 1) and chart.cumulative == (1, 4, 6, 7)
    # y of v = 250 - 240 × v / 40 = 250 - 6 v; x of month m = 50 + 560 m / 12.
    assert chart.points == (Point(50.0, 250.0), Point(96.7, 244.0), Point(143.3, 226.0), Point(190.0, 214.0),
                            Point(236.7, 208.0))
    assert chart.polyline.split() == ["50.0,250.0", "96.7,244.0", "143.3,226.0", "190.0,214.0", "236.7,208.0"]
    # The target line: 0 on 1 January to 37 on 31 December.
    assert chart.target_line == (Point(50.0, 250.0), Point(610.0, 28.0))
    assert [(t.position, t.value) for t in chart.value_ticks] == [(250.0, 0), (190.0, 10), (130.0, 20),
                                                                  (70.0, 30), (10.0, 40)]
    assert [t.value for t in chart.month_ticks] == list(range(1, 13))
    assert chart.month_ticks[-1].position == 610.0


def test_progress_chart_axis_covers_counts_above_the_target_and_no_target():
    chart = progress_chart([30] * 12, 12, None)
    assert chart.target_line is None
    assert chart.cumulative[-1] == 360
    # 360 / 4 ticks → step 100 → axis 0..400; default plot area x 72..620, y 16..256: y(360) = 256 - 240 × 0.9.
    assert [t.value for t in chart.value_ticks] == [0, 100, 200, 300, 400]
    assert chart.points[-1] == Point(620.0, 40.0)


def test_a_future_year_draws_no_line_and_bad_input_is_refused():
    chart = progress_chart([0] * 12, 0, 3000)
    assert chart.points == () and chart.cumulative == ()
    assert chart.value_ticks[-1].value == 3000
    with pytest.raises(ValueError):
        progress_chart([0] * 11, 3, None)
    with pytest.raises(ValueError):
        progress_chart([0] * 12, 13, None)


def test_budget_bar_parts_side_by_side_against_the_budget_mark():
    bar = budget_bar([("royalties", 300), ("fees", 100)], 1000, width=500)
    assert bar.segments == (Segment("royalties", 300, 0.0, 150.0), Segment("fees", 100, 150.0, 50.0))
    assert bar.budget_x == 500.0 and not bar.over_budget


def test_budget_bar_over_budget_and_without_budget():
    over = budget_bar([("royalties", 900), ("fees", 300)], 1000, width=600)
    assert [s.width for s in over.segments] == [450.0, 150.0]
    assert over.budget_x == 500.0 and over.over_budget
    none = budget_bar([("royalties", 0), ("fees", 0)], None, width=600)
    assert [s.width for s in none.segments] == [0.0, 0.0] and none.budget_x is None and not none.over_budget


@pytest.mark.parametrize("code,year,days", [
    ("year", 2024, (date(2024, 1, 1), date(2024, 12, 31))),
    ("h1", 2024, (date(2024, 1, 1), date(2024, 6, 30))),
    ("h2", 2023, (date(2023, 7, 1), date(2023, 12, 31))),
    ("q1", 2024, (date(2024, 1, 1), date(2024, 3, 31))),
    ("q4", 2024, (date(2024, 10, 1), date(2024, 12, 31))),
    ("m2", 2024, (date(2024, 2, 1), date(2024, 2, 29))),
    ("m2", 2023, (date(2023, 2, 1), date(2023, 2, 28))),
    ("m12", 2023, (date(2023, 12, 1), date(2023, 12, 31))),
])
def test_period_days(code, year, days):
    assert period_days(code, year) == days


@pytest.mark.parametrize("code,year", [("custom", 2024), ("q5", 2024), ("m13", 2024), ("", 2024), ("year", 1800)])
def test_period_days_refuses_what_is_not_a_part_of_a_year(code, year):
    with pytest.raises(ValueError):
        period_days(code, year)


def test_current_quarter_and_months_to_show():
    assert current_quarter(date(2026, 12, 2)) == ("q4", 2026)
    assert current_quarter(date(2026, 1, 1)) == ("q1", 2026)
    assert current_quarter(date(2026, 6, 30)) == ("q2", 2026)
    today = date(2026, 5, 10)
    assert [months_to_show(y, today) for y in (2025, 2026, 2027)] == [12, 5, 0]
