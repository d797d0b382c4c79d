"""The worked examples E1–E10 of ROYALTIES.md, reproduced exactly with domain.royalty_rules,
and property tests of the split and the tax."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bbt_workflow.domain.royalty_rules import (
    FEE_COEFFICIENT,
    FEE_PERCENT,
    Range,
    RuleError,
    check_coefficient,
    check_rate_table,
    fee_amount,
    in_force,
    item_amount,
    local_date,
    round_half_up,
    split_by_shares,
    unit_value,
    withholding_tax,
)

# The data rows of ROYALTIES.md ("Base salary", "Personal income tax withheld on a payment").
BASE_SALARIES = [
    {"effective_from": date(2019, 7, 1), "amount": 1_490_000},
    {"effective_from": date(2023, 7, 1), "amount": 1_800_000},
    {"effective_from": date(2024, 7, 1), "amount": 2_340_000},
    {"effective_from": date(2026, 7, 1), "amount": 2_530_000},
]
TAX_RULES = [
    {"effective_from": date(2014, 6, 1), "threshold": 2_000_000, "rate": D("10")},
    {"effective_from": date(2026, 7, 1), "threshold": 5_000_000, "rate": D("10")},
]
PORTAL, COMPONENT = D("1.0"), D("0.2")
ICT = timezone(timedelta(hours=7))


def unit_on(published):
    """The unit value in force on the publication day in Vietnam."""
    return unit_value(in_force(BASE_SALARIES, local_date(published))["amount"])


def tax_on(payment_date, gross, **kw):
    rule = in_force(TAX_RULES, payment_date)
    return withholding_tax(gross, threshold=rule["threshold"], rate_percent=rule["rate"], **kw)


def test_unit_values_of_the_base_salary_table():
    assert [unit_value(row["amount"]) for row in BASE_SALARIES] == [149_000, 180_000, 234_000, 253_000]


def test_e1_tin_anh():
    assert unit_on(date(2025, 3, 10)) == 234_000
    assert item_amount(D("1.5"), unit_on(date(2025, 3, 10)), PORTAL) == 351_000


def test_e2_two_authors_60_40():
    amount = item_amount(D("2.2"), unit_on(date(2025, 3, 12)), PORTAL)
    assert amount == 514_800
    assert split_by_shares(amount, [D("60"), D("40")]) == [308_880, 205_920]


def test_e3_translation():
    assert item_amount(D("2.5"), unit_on(date(2025, 3, 15)), PORTAL, [D("0.5")]) == 292_500


def test_e4_component_site():
    assert item_amount(D("1.0"), unit_on(date(2025, 3, 5)), COMPONENT) == 46_800


def test_e5_time_zone_boundary():
    before = datetime(2024, 6, 30, 10, 0, tzinfo=ICT)
    after = datetime(2024, 6, 30, 18, 0, tzinfo=timezone.utc)  # = 2024-07-01 01:00 +07
    assert local_date(before) == date(2024, 6, 30)
    assert local_date(after) == date(2024, 7, 1)
    assert item_amount(D("1.0"), unit_on(before), PORTAL) == 180_000
    assert item_amount(D("1.0"), unit_on(after), PORTAL) == 234_000
    # The UTC calendar day would have given the old rate: the day must be taken in Vietnam.
    assert unit_value(in_force(BASE_SALARIES, after.date())["amount"]) == 180_000
    # The last moment of 30 June in Vietnam still pays the old rate.
    assert unit_on(datetime(2024, 6, 30, 16, 59, 59, tzinfo=timezone.utc)) == 180_000
    assert unit_on(datetime(2024, 6, 30, 17, 0, 0, tzinfo=timezone.utc)) == 234_000
    with pytest.raises(ValueError):
        local_date(datetime(2024, 6, 30, 18, 0))  # naive: refused, never guessed


def test_e6_largest_remainder():
    shares = [D("33.34"), D("33.33"), D("33.33")]
    raw = [D(514_800) * s / 100 for s in shares]
    assert raw == [D("171634.32"), D("171582.84"), D("171582.84")]
    parts = split_by_shares(514_800, shares)
    assert parts == [171_634, 171_583, 171_583]
    assert sum(parts) == 514_800


def test_e7_threshold_2014_rule():
    paid = date(2025, 4, 5)
    gross = 6 * item_amount(D("1.5"), unit_on(date(2025, 3, 10)), PORTAL)
    assert gross == 2_106_000
    tax = tax_on(paid, gross)
    assert tax == 210_600
    assert gross - tax == 1_895_400
    assert tax_on(paid, gross, committed=True) == 0
    assert tax_on(paid, gross, staff=True) == 0


def test_e8_below_threshold():
    gross = 5 * item_amount(D("1.5"), unit_on(date(2025, 3, 10)), PORTAL)
    assert gross == 1_755_000
    assert tax_on(date(2025, 4, 5), gross) == 0


def test_e9_threshold_2026_rule():
    paid = date(2026, 9, 5)
    one = item_amount(D("1.0"), unit_on(date(2026, 8, 14)), PORTAL)
    assert one == 253_000
    gross = 20 * one
    assert gross == 5_060_000
    assert tax_on(paid, gross) == 506_000
    assert gross - tax_on(paid, gross) == 4_554_000
    sixteen = 16 * one
    assert sixteen == 4_048_000
    assert tax_on(paid, sixteen) == 0
    # Under the 2014 rule the same sixteen items would have been taxed: the payment date decides.
    assert tax_on(date(2026, 6, 30), sixteen) == 404_800


def test_threshold_is_inclusive():
    assert tax_on(date(2025, 4, 5), 2_000_000) == 200_000
    assert tax_on(date(2025, 4, 5), 1_999_999) == 0
    assert tax_on(date(2026, 9, 5), 5_000_000) == 500_000
    assert tax_on(date(2026, 9, 5), 4_999_999) == 0


def test_e10_editor_fee():
    royalty = item_amount(D("1.5"), unit_on(date(2025, 3, 10)), PORTAL)
    assert fee_amount(FEE_PERCENT, D("10"), royalty_total=royalty, unit_value_vnd=234_000) == 35_100
    assert fee_amount(FEE_COEFFICIENT, D("0.3"), royalty_total=royalty, unit_value_vnd=234_000) == 70_200
    with pytest.raises(RuleError):
        fee_amount("other", D("1"), royalty_total=royalty, unit_value_vnd=234_000)


def test_round_half_up_is_away_from_zero():
    assert round_half_up(D("0.5")) == 1
    assert round_half_up(D("2.5")) == 3
    assert round_half_up(D("2.4999")) == 2
    assert round_half_up(D("-2.5")) == -3
    assert item_amount(D("1.25"), 2) == 3  # 2.5 → 3, not banker's 2


def test_in_force_respects_start_and_end():
    rows = [
        {"effective_from": date(2020, 1, 1), "effective_to": date(2020, 12, 31), "v": "a"},
        {"effective_from": date(2021, 1, 1), "effective_to": None, "v": "b"},
    ]
    assert in_force(rows, date(2019, 12, 31)) is None
    assert in_force(rows, date(2020, 12, 31))["v"] == "a"
    assert in_force(rows, date(2021, 1, 1))["v"] == "b"
    assert in_force(rows[:1], date(2021, 1, 1)) is None


def test_split_refuses_bad_shares():
    for shares in ([], [D("50"), D("49.99")], [D("100"), D("0")], [D("101"), D("-1")]):
        with pytest.raises(RuleError):
            split_by_shares(1000, shares)


def test_coefficient_bounds():
    assert check_coefficient(D("2.2"), Range(D("2.0"), D("2.5")), D("30")) == D("2.2")
    for bad in (D("1.9"), D("2.6"), D("0")):
        with pytest.raises(RuleError):
            check_coefficient(bad, Range(D("2.0"), D("2.5")), D("30"))
    with pytest.raises(RuleError):
        check_coefficient(D("12"), Range(D("1"), D("40")), D("10"))
    problems = check_rate_table(
        [("ok", Range(D("1"), D("2")), D("1.5"), "tin"), ("too_high", Range(D("1"), D("11")), None, "tin")],
        {"tin": D("10")},
    )
    assert [code for code, _ in problems] == ["too_high"]


# --- properties -------------------------------------------------------------------------------

@st.composite
def shares_to_100(draw, max_payees=8):
    """Percent shares with two decimals, each above 0, summing to exactly 100."""
    n = draw(st.integers(min_value=1, max_value=max_payees))
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=9_999), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 10_000]
    return [D(b - a) / 100 for a, b in zip(bounds, bounds[1:])]


coefficients = st.decimals(min_value=D("0.1"), max_value=D("50"), places=2)
factors = st.decimals(min_value=D("0.2"), max_value=D("2"), places=2)
unit_values = st.sampled_from([149_000, 180_000, 234_000, 253_000]) | st.integers(min_value=1, max_value=10**7)


@given(coefficients, unit_values, st.sampled_from([D("1"), D("0.2")]), st.lists(factors, max_size=3),
       shares_to_100())
def test_split_parts_sum_to_the_item_amount(coefficient, unit, site_factor, adjustments, shares):
    amount = item_amount(coefficient, unit, site_factor, adjustments)
    assert amount >= 0
    parts = split_by_shares(amount, shares)
    assert len(parts) == len(shares)
    assert sum(parts) == amount
    for part, share in zip(parts, shares):
        raw = D(amount) * share / 100
        assert part >= 0
        assert raw - 1 < part < raw + 1  # each part is its exact share rounded down or up


@given(st.integers(min_value=-10**12, max_value=10**12), shares_to_100())
def test_split_of_any_amount_including_adjustments(amount, shares):
    parts = split_by_shares(amount, shares)
    assert sum(parts) == amount
    if amount >= 0:
        assert all(p >= 0 for p in parts)
    else:
        assert all(p <= 0 for p in parts)
        assert [-p for p in parts] == split_by_shares(-amount, shares)


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=3), coefficients, unit_values, shares_to_100(3)),
                min_size=1, max_size=30),
       st.sampled_from(TAX_RULES), st.booleans(), st.booleans())
def test_gross_minus_tax_is_net_for_every_payee(items, rule, staff, committed):
    gross = {}
    for first_payee, coefficient, unit, shares in items:
        amount = item_amount(coefficient, unit)
        for offset, part in enumerate(split_by_shares(amount, shares)):
            payee = (first_payee + offset) % 4
            gross[payee] = gross.get(payee, 0) + part
    assume(gross)
    assert sum(gross.values()) == sum(item_amount(c, u) for _, c, u, _ in items)
    for payee_gross in gross.values():
        tax = withholding_tax(payee_gross, threshold=rule["threshold"], rate_percent=rule["rate"],
                              staff=staff, committed=committed)
        net = payee_gross - tax
        assert 0 <= tax <= payee_gross
        assert net >= 0 and net + tax == payee_gross
        if staff or committed or payee_gross < rule["threshold"]:
            assert tax == 0
        else:
            assert tax == round_half_up(D(payee_gross) * rule["rate"] / 100)
