from flask_babel import lazy_gettext as _l
from ..forms_base import Form
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField, SelectChoice, EmailField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.roles import ROLES
from ..templating import ROLE_LABELS, SITE_KIND_LABELS

CODE_VALIDATOR = Regexp(r"^[a-z0-9][a-z0-9_-]{0,39}$",
                        message=_l("Use 1–40 lower-case letters, digits, '-' or '_'."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UnitForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), CODE_VALIDATOR])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    active = BooleanField(_l("Active"), default=True)


class SiteForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), CODE_VALIDATOR])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in SITE_KIND_LABELS.items()])
    approval_levels = SelectField(
        _l("Approval levels"), coerce=int,
        choices=[SelectChoice(1, _l("1 – the editor approves")),
                 SelectChoice(2, _l("2 – editor forwards, approver approves"))],
    )
    parent = SelectField(_l("Parent site"), choices=[], validate_choice=False)
    active = BooleanField(_l("Active"), default=True)
    # Shown when editing; a new site gets it from its levels (on for two levels).
    four_eyes = BooleanField(_l("Four eyes: authors and co-authors can neither forward nor approve their items"))


class CategoryForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), CODE_VALIDATOR])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])


class TargetForm(Form):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    plan_items = IntegerField(_l("Items planned"), validators=[DataRequired(), NumberRange(min=0, max=10_000_000)])
    royalty_budget = IntegerField(_l("Royalty budget (đồng)"),
                                  validators=[Optional(), NumberRange(min=0, max=10**15)], default=0)


class UserForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=255)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=255)])
    unit = SelectField(_l("Unit"), choices=[], validate_choice=False)
    pen_name = StringField(_l("Pen name"), validators=[Optional(), Length(max=255)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    password = PasswordField(
        _l("Password"), validators=[Optional(), Length(max=128)],
        description=_l("Leave empty to send the user a link to set their own password."),
    )
    is_admin = BooleanField(_l("Administrator"))
    active = BooleanField(_l("Active"), default=True)


class MembershipForm(Form):
    site = SelectField(_l("Site"), choices=[], validate_choice=False)
    roles = MultiCheckboxField(_l("Roles"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class ImportUsersForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(), FileAllowed(["csv"], _l("Choose a .csv file."))])


class SearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
