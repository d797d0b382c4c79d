from wtforms import BooleanField

from ..forms_base import Form
from .notifications import EVENT_KINDS, EVENT_LABELS


def _preferences_form():
    fields = {f"email_{kind}": BooleanField(EVENT_LABELS[kind]) for kind in EVENT_KINDS}
    return type("EmailPreferencesForm", (Form,), fields)


EmailPreferencesForm = _preferences_form()
