"""The "Bằng chữ" line: whole đồng in Vietnamese words, the accounting convention."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bbt_workflow.domain.vietnamese_numbers import amount_in_words, format_vnd, number_in_words


@pytest.mark.parametrize("n, words", [
    (0, "Không đồng"),
    (1, "Một đồng"),
    (5, "Năm đồng"),
    (10, "Mười đồng"),
    (11, "Mười một đồng"),
    (14, "Mười bốn đồng"),
    (15, "Mười lăm đồng"),
    (20, "Hai mươi đồng"),
    (21, "Hai mươi mốt đồng"),
    (24, "Hai mươi tư đồng"),
    (25, "Hai mươi lăm đồng"),
    (55, "Năm mươi lăm đồng"),
    (91, "Chín mươi mốt đồng"),
    (100, "Một trăm đồng"),
    (101, "Một trăm lẻ một đồng"),
    (104, "Một trăm lẻ bốn đồng"),
    (105, "Một trăm lẻ năm đồng"),
    (110, "Một trăm mười đồng"),
    (115, "Một trăm mười lăm đồng"),
    (121, "Một trăm hai mươi mốt đồng"),
    (1_000, "Một nghìn đồng"),
    (1_005, "Một nghìn không trăm lẻ năm đồng"),
    (1_015, "Một nghìn không trăm mười lăm đồng"),
    (15_000, "Mười lăm nghìn đồng"),
    (105_000, "Một trăm lẻ năm nghìn đồng"),
    (1_000_000, "Một triệu đồng"),
    (1_000_005, "Một triệu không trăm lẻ năm đồng"),
    (2_050_000, "Hai triệu không trăm năm mươi nghìn đồng"),
    (1_895_400, "Một triệu tám trăm chín mươi lăm nghìn bốn trăm đồng"),  # E7 net
    (4_554_000, "Bốn triệu năm trăm năm mươi tư nghìn đồng"),  # E9 net
    (2_106_000, "Hai triệu một trăm lẻ sáu nghìn đồng"),
    (1_000_000_000, "Một tỷ đồng"),
    (1_000_000_005, "Một tỷ không trăm lẻ năm đồng"),
    (1_005_000_000, "Một tỷ không trăm lẻ năm triệu đồng"),
    (12_345_678_901, "Mười hai tỷ ba trăm bốn mươi lăm triệu sáu trăm bảy mươi tám nghìn chín trăm lẻ một đồng"),
    (1_000_000_000_000, "Một nghìn tỷ đồng"),
    (2_500_000_000_000, "Hai nghìn năm trăm tỷ đồng"),
    (-210_600, "Âm hai trăm mười nghìn sáu trăm đồng"),
    (-5, "Âm năm đồng"),
])
def test_amount_in_words(n, words):
    assert amount_in_words(n) == words


def test_integral_decimal_is_accepted_and_fractions_floats_bools_refused():
    assert amount_in_words(Decimal("351000")) == "Ba trăm năm mươi mốt nghìn đồng"
    assert amount_in_words(Decimal("351000.00")) == "Ba trăm năm mươi mốt nghìn đồng"
    with pytest.raises(ValueError):
        amount_in_words(Decimal("0.5"))
    with pytest.raises(TypeError):
        amount_in_words(1.0)
    with pytest.raises(TypeError):
        amount_in_words(True)


def test_format_vnd():
    assert format_vnd(0) == "0"
    assert format_vnd(999) == "999"
    assert format_vnd(1_000) == "1.000"
    assert format_vnd(1_895_400) == "1.895.400"
    assert format_vnd(-5_000) == "-5.000"
    assert format_vnd(Decimal("1234567")) == "1.234.567"


# An independent reader of the words, to check the writer on any number.
UNITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
         "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}


def _read_group(tokens):
    value = 0
    if "trăm" in tokens:
        assert tokens[1] == "trăm"
        value, tokens = UNITS[tokens[0]] * 100, tokens[2:]
    if not tokens:
        return value
    if tokens[0] == "lẻ":
        assert len(tokens) == 2 and tokens[1] not in ("mốt", "lăm", "tư", "không")
        return value + UNITS[tokens[1]]
    if tokens[0] == "mười":
        assert tokens[1:] in ([], ["một"], ["hai"], ["ba"], ["bốn"], ["lăm"], ["sáu"], ["bảy"], ["tám"], ["chín"])
        return value + 10 + (UNITS[tokens[1]] if len(tokens) > 1 else 0)
    if len(tokens) >= 2 and tokens[1] == "mươi":
        assert tokens[2:] in ([], ["mốt"], ["hai"], ["ba"], ["tư"], ["lăm"], ["sáu"], ["bảy"], ["tám"], ["chín"])
        return value + UNITS[tokens[0]] * 10 + (UNITS[tokens[2]] if len(tokens) > 2 else 0)
    assert len(tokens) == 1 and tokens[0] not in ("mốt", "lăm", "tư")
    return value + UNITS[tokens[0]]


def _read(tokens):
    if "tỷ" in tokens:
        last = len(tokens) - 1 - tokens[::-1].index("tỷ")
        return _read(tokens[:last]) * 10**9 + _read(tokens[last + 1:])
    total, group = 0, []
    for token in tokens:
        if token in ("triệu", "nghìn"):
            total += _read_group(group) * (10**6 if token == "triệu" else 10**3)
            group = []
        else:
            group.append(token)
    return total + (_read_group(group) if group else 0)


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_words_read_back_to_the_number(n):
    text = amount_in_words(n)
    assert text.endswith(" đồng") and text[0].isupper()
    words = number_in_words(n).split()
    if n < 0:
        assert words[0] == "âm"
        words = words[1:]
    assert (0 if words == ["không"] else _read(words)) == abs(n)
    assert "linh" not in words


@given(st.integers(min_value=0, max_value=10**15))
def test_format_vnd_reads_back(n):
    text = format_vnd(n)
    assert int(text.replace(".", "")) == n
    assert all(len(part) == 3 for part in text.split(".")[1:])
