"""The base of every web form: WTForms' own messages come from our catalog.

Flask-WTF looks for WTForms' messages in WTForms' catalog, which has no
Vietnamese; ours has them (wtforms_messages.py lists them for extraction), plural ones included.
"""
from flask import flash
from flask_babel import get_translations
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.widgets import Select
from wtforms.validators import StopValidation

from .errors import ServiceError
from .extensions import db
from .formatting import (BAD_DATE, BAD_DATETIME, BAD_MONTH, DATE_PATTERN, DATE_PLACEHOLDER, DATETIME_PATTERN,
                         DATETIME_PLACEHOLDER, MONTH_PATTERN, MONTH_PLACEHOLDER, date_input_value,
                         datetime_input_value, month_input_value, parse_date, parse_local_datetime, parse_month)


class _OurCatalog:
    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        # WTForms asks for Length's messages in the plural form ("... %(max)d character." /
        # "... characters."); our catalog has them as plain msgids (Vietnamese has one form),
        # which ungettext does not look up: without this they stayed English.
        translations = get_translations()
        translated = translations.ungettext(singular, plural, n)
        if translated in (singular, plural):
            translated = translations.ugettext(plural)
            if n == 1 and translated == plural:
                return singular
        return translated


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _OurCatalog()


class _TypedDateField(StringField):
    """A date typed in a text input as dd/mm/yyyy (yyyy-mm-dd also accepted), the same in every
    language: <input type=date> shows the browser's format (mm/dd/yyyy in an English browser),
    not the board's. What was typed is shown again as typed when it is refused."""

    placeholder, pattern, message = DATE_PLACEHOLDER, DATE_PATTERN, BAD_DATE
    parse, shown = staticmethod(parse_date), staticmethod(date_input_value)
    # static/js/datepicker.js puts a calendar (flatpickr, writing dd/mm/yyyy) on inputs with this
    # attribute; without JavaScript the input stays a text input with its placeholder.
    picker = "date"

    def __init__(self, label=None, validators=None, render_kw=None, **kwargs):
        render_kw = {"placeholder": self.placeholder, "pattern": self.pattern, "autocomplete": "off",
                     "title": self.placeholder, **({"data-datepicker": self.picker} if self.picker else {}),
                     **(render_kw or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.shown(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = self.parse(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(str(self.message))

    def pre_validate(self, form):
        if self.process_errors:
            # Not a date: say so, and not "required" (DataRequired would replace the reason).
            raise StopValidation()


class LocalDateField(_TypedDateField):
    """dd/mm/yyyy → date."""


class LocalDateTimeField(_TypedDateField):
    """dd/mm/yyyy hh:mm (Vietnam wall time) → naive datetime; the view makes it an instant."""

    placeholder, pattern, message = DATETIME_PLACEHOLDER, DATETIME_PATTERN, BAD_DATETIME
    parse, shown = staticmethod(parse_local_datetime), staticmethod(datetime_input_value)
    picker = "datetime"


class LocalMonthField(_TypedDateField):
    """mm/yyyy (yyyy-mm also accepted) → "YYYY-MM"; <input type=month> shows the browser's own
    format (and only "--------- ----" in some), not the board's."""

    placeholder, pattern, message = MONTH_PLACEHOLDER, MONTH_PATTERN, BAD_MONTH
    parse, shown = staticmethod(parse_month), staticmethod(month_input_value)
    picker = None


def show_service_error(form, exc):
    """Put a service error on the form fields it names, else flash it. Rolls back first."""
    db.session.rollback()
    placed = False
    for field, messages in (exc.details or {}).items():
        if field in form and isinstance(messages, list):
            form[field].errors = list(form[field].errors or []) + [str(m) for m in messages]
            placed = True
    if not placed:
        flash(str(exc.message), "danger")


def submit_and_flash(form, action, *, success, invalid=None):
    """For a small POST form whose page redirects back to where it was shown.

    Valid form: run `action()`, commit, flash `success()`. A service error rolls
    back and is flashed; an invalid form flashes `invalid`, or each field error.
    Returns True when the action was committed.
    """
    if not form.validate_on_submit():
        # What the user typed wrong (a date, a comment) is said; broken hidden fields get `invalid`.
        typed = [field for field in form if field.errors and field.type not in ("HiddenField", "CSRFTokenField")]
        if invalid is not None and not typed:
            flash(str(invalid), "danger")
        else:
            for field in typed or form:
                for error in field.errors:
                    flash(f"{field.label.text}: {error}", "danger")
        return False
    try:
        action()
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return False
    db.session.commit()
    flash(str(success()), "success")
    return True


class LongSelect(Select):
    """WTForms' select, with its plain options written directly: the queue's filters hold ~80 options (every unit,
    the site's categories) on the page editors reload all day, and WTForms' general attribute writer was ~1 ms
    of it. The same HTML (test_forms_base); an option with its own attributes goes through WTForms."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{escape(choice.label or choice.value)}</option>')
