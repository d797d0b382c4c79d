"""The incentive form of the item page (prefix "incentive": fields incentive-amount, -reason, -payee_id)."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ...forms_base import Form

_SEPARATORS = re.compile(r"[\s.,_]")


def parse_whole_dong(text):
    """Whole đồng as people type it: 60000, 60.000, 60,000, "60 000" → 60000; None if not a whole number."""
    digits = _SEPARATORS.sub("", (text or "").strip().removesuffix("đ").strip())
    return int(digits) if digits.isdigit() else None


class IncentiveForm(Form):
    amount = StringField(_l("Incentive amount (đồng)"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    payee_id = SelectField(_l("Payee"), choices=[], validate_choice=False)

    def __init__(self, *args, payees=(), **kwargs):
        super().__init__(*args, prefix="incentive", **kwargs)
        self.payee_id.choices = [("", _l("All the item's payees, by what each earns"))] + [
            (str(p.id), p.full_name) for p in payees]

    def validate_amount(self, field):
        if parse_whole_dong(field.data) is None:
            raise ValidationError(_l("Give a whole amount of đồng above 0."))

    @property
    def amount_value(self):
        return parse_whole_dong(self.amount.data)

    @property
    def payee_value(self):
        return int(self.payee_id.data) if (self.payee_id.data or "").isdigit() else None
