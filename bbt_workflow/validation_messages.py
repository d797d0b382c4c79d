"""marshmallow's and webargs' validation messages in the reader's language.

marshmallow formats its English messages when it validates; the API's error handler passes the
details through `translate_details` at response time, which recognises each standard message
(required, null, type, length, range, one-of, email, date/datetime, unknown field ...) and gives
it from our catalog, numbers formatted for the reader. A message it does not know stays as it is.
"""
import re

from flask_babel import gettext

from .formatting import format_number


def N_(message):
    """Marks a msgid for extraction (babel.cfg keywords include N_); translated when used."""
    return message

_OPS = {
    ("greater than or equal to", "less than or equal to"): N_("Must be between %(min)s and %(max)s."),
    ("greater than", "less than"): N_("Must be more than %(min)s and less than %(max)s."),
    ("greater than or equal to", "less than"): N_("Must be at least %(min)s and less than %(max)s."),
    ("greater than", "less than or equal to"): N_("Must be more than %(min)s and at most %(max)s."),
    ("greater than or equal to", None): N_("Must be at least %(min)s."),
    ("greater than", None): N_("Must be more than %(min)s."),
    (None, "less than or equal to"): N_("Must be at most %(max)s."),
    (None, "less than"): N_("Must be less than %(max)s."),
}

# (marshmallow's text with {name} for what it fills in, our msgid with %(name)s).
_KNOWN = [
    ("Missing data for required field.", N_("Missing data for required field.")),
    ("Field may not be null.", N_("Field may not be null.")),
    ("Invalid value.", N_("Invalid value.")),
    ("Invalid type.", N_("Invalid type.")),
    ("Invalid input type.", N_("Invalid input type.")),
    ("Invalid input.", N_("Invalid input.")),
    ("Unknown field.", N_("Unknown field.")),
    ("Not a valid list.", N_("Not a valid list.")),
    ("Not a valid tuple.", N_("Not a valid list.")),
    ("Not a valid string.", N_("Not a valid string.")),
    ("Not a valid utf-8 string.", N_("Not a valid string.")),
    ("Not a valid number.", N_("Not a valid number.")),
    ("Number too large.", N_("Number too large.")),
    ("Not a valid integer.", N_("Not a valid integer.")),
    ("Special numeric values (nan or infinity) are not permitted.", N_("Not a valid number.")),
    ("Not a valid boolean.", N_("Not a valid boolean.")),
    ("Not a valid datetime.", N_("Not a valid date and time (ISO 8601, e.g. 2026-12-02T08:30:00+07:00).")),
    ("Not a valid aware datetime.", N_("Not a valid date and time with a time zone offset.")),
    ("Not a valid naive datetime.", N_("Not a valid date and time (ISO 8601, e.g. 2026-12-02T08:30:00+07:00).")),
    ("Not a valid date.", N_("Not a valid date (YYYY-MM-DD).")),
    ("Not a valid time.", N_("Not a valid time.")),
    ("Not a valid mapping type.", N_("Not a valid object.")),
    ("Not a valid URL.", N_("Not a valid URL.")),
    ("Not a valid email address.", N_("Not a valid email address.")),
    ("Not a valid UUID.", N_("Not a valid UUID.")),
    ("String does not match expected pattern.", N_("Not in the expected format.")),
    ("Shorter than minimum length {min}.", N_("At least %(min)s characters or items.")),
    ("Longer than maximum length {max}.", N_("At most %(max)s characters or items.")),
    ("Length must be between {min} and {max}.", N_("Length must be between %(min)s and %(max)s.")),
    ("Length must be {equal}.", N_("Length must be %(equal)s.")),
    ("Must be one of: {choices}.", N_("Must be one of: %(choices)s.")),
    ("One or more of the choices you made was not in: {choices}.", N_("Must be among: %(choices)s.")),
    ("Must be equal to {other}.", N_("Must be equal to %(other)s.")),
    ("Invalid JSON body.", N_("The body is not valid JSON in UTF-8.")),
    # Our own schemas' patterns (api/schemas.py, api/royalty_schemas.py).
    ("Use YYYY-MM.", N_("Use YYYY-MM.")),
    ("Use 1–40 lower-case letters, digits, '-' or '_'.", N_("Use 1–40 lower-case letters, digits, '-' or '_'.")),
]

_RANGE = re.compile(r"Must be (?:(?P<min_op>greater than or equal to|greater than) (?P<min>.+?))?"
                    r"(?: and )?(?:(?P<max_op>less than or equal to|less than) (?P<max>.+?))?\.")


def _pattern(template):
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(regex)


_COMPILED = [(_pattern(text), msgid) for text, msgid in _KNOWN]


def _number(text):
    shown = format_number(text)
    return shown if shown else text


def translate_message(message):
    if not isinstance(message, str):
        return message
    for pattern, msgid in _COMPILED:
        match = pattern.fullmatch(message)
        if match:
            params = {name: _number(value) for name, value in match.groupdict().items()}
            return gettext(msgid, **params) if params else gettext(msgid)
    match = _RANGE.fullmatch(message)
    if match and (match["min_op"] or match["max_op"]):
        msgid = _OPS.get((match["min_op"], match["max_op"]))
        if msgid is not None:
            params = {k: _number(match[k]) for k in ("min", "max") if match[k] is not None}
            return gettext(msgid, **params)
    return message


def translate_details(details):
    """The error details ({field: [messages]}, nested for nested fields) with each message translated."""
    if isinstance(details, dict):
        return {key: translate_details(value) for key, value in details.items()}
    if isinstance(details, (list, tuple)):
        return [translate_details(item) for item in details]
    return translate_message(details)
