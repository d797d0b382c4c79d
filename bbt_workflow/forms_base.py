"""The base of every web form: WTForms' own messages come from our catalog.

Flask-WTF looks for WTForms' messages in WTForms' catalog, which has no
Vietnamese; ours has them (wtforms_messages.py lists them for extraction), plural ones included.
"""
from flask_babel import get_translations
from flask_wtf import FlaskForm


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


def show_service_error(form, exc):
    """Put a service error on the form fields it names, else flash it. Rolls back first."""
    from flask import flash

    from .extensions import db

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
    from flask import flash

    from .errors import ServiceError
    from .extensions import db

    if not form.validate_on_submit():
        if invalid is not None:
            flash(str(invalid), "danger")
        else:
            for field in form:
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
