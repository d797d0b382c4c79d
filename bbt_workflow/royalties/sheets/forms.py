"""Forms of the sheet pages."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import DataRequired, Optional

from ...db_types import utcnow
from ...domain.royalty_rules import local_date
from ...forms_base import Form, LocalDateField, LocalMonthField


def last_month():
    """The month an accountant most often computes: the one before today's (Vietnam time)."""
    return (local_date(utcnow()).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


class SheetCreateForm(Form):
    period = LocalMonthField(_l("Month"), validators=[DataRequired()], default=last_month)
    payment_date = LocalDateField(_l("Payment date"), validators=[Optional()],
                             description=_l("Empty: the last day of the month. The tax rule follows this date."))


class SheetActionForm(Form):
    action = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])


class PaymentDateForm(Form):
    payment_date = LocalDateField(_l("Payment date"), validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
