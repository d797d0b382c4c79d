"""Forms of the sheet pages."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Optional, Regexp

from ...forms_base import Form, LocalDateField


class SheetCreateForm(Form):
    period = StringField(_l("Month"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$",
                                                                        message=_l("Use YYYY-MM, e.g. 2025-03."))],
                         render_kw={"type": "month"})
    payment_date = LocalDateField(_l("Payment date"), validators=[Optional()],
                             description=_l("Empty: the last day of the month. The tax rule follows this date."))


class SheetActionForm(Form):
    action = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])


class PaymentDateForm(Form):
    payment_date = LocalDateField(_l("Payment date"), validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
