"""Forms of the rate administration and payee pages. Numbers are text fields: the services
read them exactly (Decimal, a comma accepted) and say what is wrong with each."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...forms_base import Form, LocalDateField
from ..models import FEE_ROLES

FEE_ROLE_LABELS = {"editor": _l("Editor who handled the item"), "approver": _l("Approver"),
                   "provider": _l("Information provider")}
FEE_KIND_LABELS = {"percent": _l("Percent of the item's royalties"), "coefficient": _l("Coefficient × unit value")}
SITE_KIND_CHOICES = [SelectChoice("", _l("— none —")), SelectChoice("portal", _l("Provincial portal")),
                     SelectChoice("component", _l("Component site"))]


def _number(label, **kw):
    return StringField(label, validators=[Length(max=30)], render_kw={"inputmode": "decimal", "size": 10}, **kw)


class DatedForm(Form):
    effective_from = LocalDateField(_l("In force from"), validators=[DataRequired()])
    effective_to = LocalDateField(_l("Until (inclusive, optional)"), validators=[Optional()],
                             description=_l("Leave empty: in force until a newer row replaces it."))
    source_text = StringField(_l("Source text"), validators=[Length(max=255)],
                              description=_l("The decision or decree, e.g. QĐ 23/2020/QĐ-UBND."))
    to_verify = BooleanField(_l("To verify against the official text"))


class RegulationForm(DatedForm):
    code = StringField(_l("Code"), validators=[Length(max=60)])
    name = StringField(_l("Name"), validators=[Length(max=255)])
    site = SelectField(_l("Site"), choices=[], validate_choice=False,
                       description=_l("Empty: the default for every site without its own table."))
    copy_from = SelectField(_l("Copy genres and adjustments from"), choices=[], validate_choice=False)


class GenreForm(Form):
    code = StringField(_l("Code"), validators=[Length(max=60)])
    label = StringField(_l("Genre"), validators=[Length(max=255)])
    min_coefficient = _number(_l("Minimum coefficient"))
    max_coefficient = _number(_l("Maximum coefficient"))
    default_coefficient = _number(_l("Default coefficient"))
    fixed_amount = StringField(_l("Fixed amount per item (VND, optional)"), validators=[Length(max=20)],
                               description=_l("Where the decision sets an amount instead of a coefficient."))
    cap_group = SelectField(_l("National cap group"), choices=[], validate_choice=False)
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=10000)],
                            description=_l("Empty: after the last one."))
    active = BooleanField(_l("Active"), default=True)


class AdjustmentForm(Form):
    code = StringField(_l("Code"), validators=[Length(max=60)])
    label = StringField(_l("Adjustment"), validators=[Length(max=255)])
    min_factor = _number(_l("Minimum multiplier"))
    max_factor = _number(_l("Maximum multiplier"))
    default_factor = _number(_l("Default multiplier"))
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=10000)],
                            description=_l("Empty: after the last one."))


class NationalCapForm(DatedForm):
    cap_group = StringField(_l("Group code"), validators=[Length(max=40)])
    label = StringField(_l("Genres"), validators=[Length(max=255)])
    max_coefficient = _number(_l("Maximum coefficient"))


class SiteFactorForm(DatedForm):
    site = SelectField(_l("Site"), choices=[], validate_choice=False)
    site_kind = SelectField(_l("Or every site of a kind"), choices=SITE_KIND_CHOICES, validate_choice=False)
    factor = _number(_l("Factor"), description=_l("1 = the portal's full rate; 0.2 = 20%."))


class BaseSalaryForm(DatedForm):
    amount = StringField(_l("Base salary (VND per month)"), validators=[Length(max=20)])


class TaxRuleForm(DatedForm):
    threshold = StringField(_l("Threshold per payment (VND)"), validators=[Length(max=20)])
    rate_percent = _number(_l("Rate (%)"))


class FeeRuleForm(DatedForm):
    site = SelectField(_l("Site"), choices=[], validate_choice=False)
    role = SelectField(_l("Role"), choices=[SelectChoice(r, FEE_ROLE_LABELS[r]) for r in FEE_ROLES], validate_choice=False)
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in FEE_KIND_LABELS.items()], validate_choice=False)
    value = _number(_l("Value"), description=_l("A percent (e.g. 10) or a coefficient (e.g. 0.3)."))
