"""The incentive limit and the proportional split (domain/royalty_rules.py, NĐ 18/2014 Điều 8)."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bbt_workflow.domain.royalty_rules import RuleError, incentive_limit, over_limit, split_by_weights


def test_the_limit_is_30_percent_rounded_down():
    assert incentive_limit(514_800) == 154_440
    assert incentive_limit(351_001) == 105_300  # 105,300.3 → 105,300, never above 30%
    assert incentive_limit(0) == 0 and incentive_limit(-5) == 0
    assert incentive_limit(1_000, Decimal("12.5")) == 125


def test_over_limit_is_exact():
    assert not over_limit(30, 100, 30) and over_limit(31, 100, 30)
    assert not over_limit(50, 100, 50) and over_limit(Decimal("50.01"), 100, 50)


def test_split_by_weights_hand_values():
    assert split_by_weights(100_000, [308_880, 205_920]) == [60_000, 40_000]
    assert split_by_weights(10, [1, 1, 1]) == [4, 3, 3]
    with pytest.raises(RuleError):
        split_by_weights(10, [])
    with pytest.raises(RuleError):
        split_by_weights(10, [1, 0])


@given(st.integers(min_value=0, max_value=10 ** 12), st.lists(st.integers(min_value=1, max_value=10 ** 9),
                                                             min_size=1, max_size=8))
def test_split_by_weights_adds_up_and_stays_within_one_dong(amount, weights):
    parts = split_by_weights(amount, weights)
    assert sum(parts) == amount
    for part, weight in zip(parts, weights):
        assert abs(Decimal(part) - Decimal(amount) * weight / sum(weights)) < 1
