"""Numbers as people type them: "1,5" (Vietnamese) and "1.5" (English) are the same number.

The one parser for coefficients, factors, shares and rates typed into a page or sent to the API.
Pure Python: no Flask, no database.
"""
import re
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_decimal(value):
    """Decimal("1.5") from 1.5, "1.5", "1,5", " 1,50 "; "1.234,5" and "1,234.5" are 1234.5
    (the last separator is the decimal one). A Decimal or int passes through.
    Raises ValueError for anything else (empty, words, NaN, infinity)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("not a number")
    if isinstance(value, (Decimal, int)):
        number = Decimal(value)
    else:
        text = _SPACES.sub("", str(value))
        if "," in text and "." in text:
            decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
            thousands = "." if decimal_mark == "," else ","
            text = text.replace(thousands, "").replace(decimal_mark, ".")
        elif text.count(",") == 1:
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ValueError(f"not a number: {value!r}")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover (the pattern rules it out)
            raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite():
        raise ValueError("not a finite number")
    return number
