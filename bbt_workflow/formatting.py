"""The one set of locale-aware formats for what people read, and parsers for what they type.

Vietnamese: 1,5 · 0,40–0,65 · 16.533 · 15,5% · 02/12/2026 · 02/12/2026 08:30.
English: 1.5 · 0.40–0.65 · 16,533 · 15.5% · dates still dd/mm/yyyy (the board works in Vietnam).
Templates use them as filters (templating.py); services and views pass numbers to _l() already
formatted with them, so a message reads like the page around it.
"""
import re
from datetime import date, datetime, time
from datetime import timezone as dt_timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import get_decimal_symbol
from flask_babel import get_locale, get_timezone, gettext
from flask_babel import lazy_gettext as _l

from .domain.decimal_input import parse_decimal

DATE_PLACEHOLDER = "dd/mm/yyyy"
DATETIME_PLACEHOLDER = "dd/mm/yyyy hh:mm"
# What the text inputs accept (browser-side hint only; the server parses).
DATE_PATTERN = r"\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*"
MONTH_PLACEHOLDER = "mm/yyyy"
MONTH_PATTERN = r"\s*(\d{1,2}/\d{4}|\d{4}-\d{1,2})\s*"
DATETIME_PATTERN = r"\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})([ T]+\d{1,2}:\d{2})?\s*"

_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def format_number(value, places=None):
    """A number in the reader's language: 16.533 / 16,533; Decimal("1.5") → 1,5 / 1.5.
    `places` fixes the decimals (0,40); without it a Decimal shows the digits it has (not rounded)."""
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and -1000 < value < 1000 and not places:
        return str(int(value))  # no separator to place in any language (tables format many small counts)
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value.strip()):
            return value
        value = Decimal(value.strip())
    elif isinstance(value, float):
        value = Decimal(str(value))
    if places is not None:
        return _babel_decimal(value, format="#,##0." + "0" * places if places else "#,##0", locale=get_locale())
    return _babel_decimal(value, locale=get_locale(), decimal_quantization=False)


def input_number(value):
    """What a number input shows: the reader's decimal mark and no thousands separator (1,5 / 1.5;
    2340000 either way: "2.340.000" would read back as 2.34), so sending it back unchanged gives the
    same number. Trailing zeros go (0.50 → 0,5). A text that is not a plain number (what someone
    typed) is kept as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value.strip()):
            return value
        value = value.strip()
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    text = format(number.normalize(), "f")
    return text.replace(".", get_decimal_symbol(get_locale()))


class LocalNumber:
    """A number for a lazy message: _l("... %(low)s", low=LocalNumber(x)) shows it in the format of
    whoever reads the message, when it is read (services raise messages before any page exists)."""

    def __init__(self, value, places=None):
        self.value, self.places = value, places

    def __str__(self):
        return format_number(self.value, self.places)

    def __repr__(self):
        return f"LocalNumber({self.value!r})"


def format_range(low, high, places=None):
    """"0,40–0,65"; a single value when both ends are equal."""
    if low is not None and high is not None and Decimal(str(low)) == Decimal(str(high)):
        return format_number(low, places)
    return f"{format_number(low, places)}–{format_number(high, places)}"


def format_percent(value):
    """A share given in percent (15.5 → 15,5% / 15.5%)."""
    if value is None or value == "":
        return ""
    return format_number(value) + "%"


def format_date(value):
    """dd/mm/yyyy in every language; a datetime is shown as its day in Asia/Ho_Chi_Minh."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return _in_app_zone(value).strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


def format_datetime(value, zone=None):
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh. zone: app_zone(), when the caller formats many (a queue page)."""
    if value is None:
        return ""
    return _in_app_zone(value, zone).strftime("%d/%m/%Y %H:%M")


def _in_app_zone(instant, zone=None):
    """An instant in the app's zone (BABEL_DEFAULT_TIMEZONE, through Flask-Babel); a naive one is UTC, as Babel
    reads it. The formats above are digits only, the same in every language, so strftime gives what Babel's
    formatter gave at a fraction of its cost (a queue page formats ~100 instants)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt_timezone.utc)
    return instant.astimezone(zone or app_zone())


def app_zone():
    """The app's zone (Flask-Babel's, from BABEL_DEFAULT_TIMEZONE) as a zoneinfo zone: Flask-Babel gives a pytz
    one, whose conversions run in Python (9 µs an instant against zoneinfo's 1.3; a queue page converts ~100).
    The same zone, by its name (ZoneInfo keeps the zones it built: no cache of ours)."""
    return ZoneInfo(str(get_timezone()))


def waited_formats():
    """format_waited's three formats in the reader's language: a page that formats many waits translates
    them once (submissions/queue_rows.py)."""
    return gettext("%(n)s min"), gettext("%(n)s h"), gettext("%(n)s d")


def format_waited(seconds, formats=None):
    """How long something has waited, short enough for a table cell: 45 phút · 5 giờ · 3 ngày.
    formats: waited_formats(), when the caller has them already."""
    if seconds is None:
        return ""
    minute, hour, day = formats or waited_formats()
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return minute % {"n": format_number(minutes)}
    if minutes < 48 * 60:
        return hour % {"n": format_number(minutes // 60)}
    return day % {"n": format_number(minutes // (24 * 60))}


def date_input_value(value):
    """What a date text input shows: dd/mm/yyyy (a string typed by the user is kept as typed)."""
    if isinstance(value, (date, datetime)):
        return format_date(value)
    return value or ""


def datetime_input_value(value):
    """What a date-time text input shows: dd/mm/yyyy HH:MM in Vietnam time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%d/%m/%Y %H:%M")
        return _in_app_zone(value).strftime("%d/%m/%Y %H:%M")
    return value or ""


BAD_DATE = _l("Enter a date as dd/mm/yyyy, e.g. 02/12/2026.")
BAD_MONTH = _l("Enter a month as mm/yyyy, e.g. 11/2026.")
BAD_DATETIME = _l("Enter a date and time as dd/mm/yyyy hh:mm, e.g. 02/12/2026 08:30.")
BAD_NUMBER = _l("Enter a number, e.g. %(example)s.")

_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _day(text):
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.fullmatch(text)
        if not match:
            raise ValueError(text)
        year, month, day = (int(g) for g in match.groups())
    return date(year, month, day)  # ValueError for 31/02/2026


def parse_date(text):
    """dd/mm/yyyy (or yyyy-mm-dd) → date; None for an empty text; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    return _day(text)


_MY = re.compile(r"(\d{1,2})/(\d{4})")
_YM = re.compile(r"(\d{4})-(\d{1,2})")


def parse_month(text):
    """"mm/yyyy" (or yyyy-mm) → "YYYY-MM" (the period a royalty sheet covers); None for an empty
    text; ValueError otherwise (13/2026 too)."""
    text = (text or "").strip()
    if not text:
        return None
    match = _MY.fullmatch(text)
    if match:
        month, year = int(match.group(1)), int(match.group(2))
    else:
        match = _YM.fullmatch(text)
        if not match:
            raise ValueError(text)
        year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(text)
    return f"{year:04d}-{month:02d}"


def month_input_value(value):
    """What a month text input shows: mm/yyyy for a "YYYY-MM" period (a typed string is kept)."""
    match = _YM.fullmatch(value or "")
    if match:
        return f"{int(match.group(2)):02d}/{match.group(1)}"
    return value or ""


def parse_local_datetime(text):
    """"dd/mm/yyyy HH:MM" (or yyyy-mm-ddTHH:MM) in Vietnam time → naive wall-clock datetime;
    None for an empty text; ValueError otherwise. A date alone means 00:00."""
    text = (text or "").strip()
    if not text:
        return None
    day_text, _, time_text = re.sub(r"\s*T\s*|\s+", " ", text, count=1).partition(" ")
    day = _day(day_text)
    if not time_text.strip():
        return datetime.combine(day, time(0, 0))
    match = _TIME.fullmatch(time_text.strip())
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2))
    return datetime.combine(day, time(hour, minute))  # ValueError for 25:00


def number_example():
    """"1,5" or "1.5": the example in BAD_NUMBER, in the reader's format."""
    return format_number(Decimal("1.5"))


__all__ = ["parse_decimal", "LocalNumber", "format_number", "input_number", "format_range", "format_percent", "format_date", "format_datetime",
           "date_input_value", "datetime_input_value", "parse_date", "parse_local_datetime", "number_example"]
