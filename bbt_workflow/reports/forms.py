"""The dashboard's period chooser: a GET form that works without JavaScript.

One select names the part of the year (whole year, a half, a quarter, a month) or "custom"; the year is
typed beside it; the custom period's days are typed as dd/mm/yyyy and used only with "custom".
"""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from ..domain.report_periods import CUSTOM, HALVES, MAX_YEAR, MIN_YEAR, MONTHS, QUARTERS, YEAR
from ..forms_base import Form, LocalDateField

ROMAN = ("I", "II", "III", "IV")


def period_choices():
    """The select's options, grouped; labels are lazy (the reader's language)."""
    whole, halves, quarters, months = _l("Whole year"), _l("Half-years"), _l("Quarters"), _l("Months")
    return ([SelectChoice(YEAR, _l("Whole year"), optgroup=whole)]
            + [SelectChoice(HALVES[0], _l("First half (months 1–6)"), optgroup=halves),
               SelectChoice(HALVES[1], _l("Second half (months 7–12)"), optgroup=halves)]
            + [SelectChoice(code, _l("Quarter %(n)s", n=ROMAN[i]), optgroup=quarters)
               for i, code in enumerate(QUARTERS)]
            + [SelectChoice(code, _l("Month %(n)s", n=i + 1), optgroup=months) for i, code in enumerate(MONTHS)]
            + [SelectChoice(CUSTOM, _l("Chosen days (From, To)"), optgroup=_l("Custom"))])


class PeriodForm(Form):
    """Read from the query string (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"), choices=period_choices, validators=[Optional()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(MIN_YEAR, MAX_YEAR)])
    from_ = LocalDateField(_l("From"), validators=[Optional()])
    to = LocalDateField(_l("To"), validators=[Optional()])
