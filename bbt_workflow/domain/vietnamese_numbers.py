"""Whole đồng in Vietnamese words ("Bằng chữ") and with dot thousands, as accountants write them.

The convention (the one accounting software and invoices in Vietnam use):

- numbers are read in groups of three digits with the scale words nghìn, triệu, tỷ;
  above a tỷ the count of tỷ is read as a number itself (1.000.000.000.000 = "một nghìn tỷ");
- a group that is all zeros is left out (1.000.000 = "một triệu", not "một triệu không nghìn ...");
- every group after the first is read in full, with "không trăm" when its hundreds digit is 0
  and "lẻ" (not "linh") when its tens digit is 0 and its units digit is not:
  1.000.005 = "một triệu không trăm lẻ năm", 105 = "một trăm lẻ năm",
  2.050.000 = "hai triệu không trăm năm mươi nghìn";
- the first group is read as it is said: 5 = "năm", 15 = "mười lăm", 5.005 = "năm nghìn không trăm lẻ năm";
- tens: 10 = "mười", 20 = "hai mươi"; units after a ten: 1 is "mốt" after "mươi" (21 = "hai mươi mốt")
  but "một" after "mười" and "lẻ" (11 = "mười một", 101 = "một trăm lẻ một"); 5 is "lăm" after
  "mười"/"mươi" (15 = "mười lăm", 25 = "hai mươi lăm") but "năm" after "lẻ" (105 = "một trăm lẻ năm");
  4 is "tư" after "mươi" (24 = "hai mươi tư") and "bốn" elsewhere (14 = "mười bốn", 104 = "một trăm lẻ bốn");
- a negative amount starts with "Âm"; the first letter is capitalised and the text ends with " đồng".

Pure Python: no Flask, no database.
"""
from decimal import Decimal

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu")  # within one tỷ; above, the number of tỷ is read recursively
BILLION = 1_000_000_000


def _whole(n):
    """An int from an int or an integral Decimal; anything else is refused (money is whole đồng)."""
    if isinstance(n, bool):
        raise TypeError("a whole number of đồng is needed, not a bool")
    if isinstance(n, int):
        return n
    if isinstance(n, Decimal):
        if n != n.to_integral_value():
            raise ValueError(f"not a whole number of đồng: {n}")
        return int(n)
    raise TypeError(f"a whole number of đồng is needed, not {type(n).__name__}")


def _group(n, full):
    """Words for 0 < n < 1000. `full`: read as a non-leading group (with "không trăm", "lẻ")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words += ["lẻ", DIGITS[units]]
        elif units:
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens > 1 else "một")
    elif units == 4:
        words.append("tư" if tens > 1 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_billion(n, leading):
    """Words for 0 < n < 10⁹; `leading`: these digits begin the number."""
    groups = []
    for scale in SCALES:
        n, group = divmod(n, 1000)
        groups.append((group, scale))
    words = []
    for group, scale in reversed(groups):
        if not group:
            continue
        words += _group(group, full=bool(words) or not leading)
        if scale:
            words.append(scale)
    return words


def _words(n):
    """Words for n > 0."""
    billions, rest = divmod(n, BILLION)
    words = []
    if billions:
        words += _words(billions) + ["tỷ"]
    if rest:
        words += _below_billion(rest, leading=not billions)
    return words


def number_in_words(n):
    """A whole number in lowercase Vietnamese words: 1895400 → "một triệu tám trăm chín mươi lăm nghìn bốn trăm"."""
    n = _whole(n)
    if n == 0:
        return "không"
    words = _words(abs(n))
    if n < 0:
        words.insert(0, "âm")
    return " ".join(words)


def amount_in_words(n):
    """The "Bằng chữ" line of an amount in whole đồng: 1895400 →
    "Một triệu tám trăm chín mươi lăm nghìn bốn trăm đồng"; 0 → "Không đồng"; -5 → "Âm năm đồng"."""
    text = number_in_words(n) + " đồng"
    return text[0].upper() + text[1:]


def format_vnd(n):
    """Whole đồng with dot thousands, whatever the UI language: 1895400 → "1.895.400", -5000 → "-5.000".

    (templating.format_number follows the request's locale through Flask-Babel; a royalty
    sheet's figures are written the Vietnamese way in every language and outside a request.)
    """
    n = _whole(n)
    return f"{n:,}".replace(",", ".")
