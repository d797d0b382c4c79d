from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..domain.content_types import CONTENT_TYPES
from ..forms_base import Form
from .notifications import EVENT_KINDS, EVENT_LABELS


def _preferences_form():
    fields = {f"email_{kind}": BooleanField(EVENT_LABELS[kind]) for kind in EVENT_KINDS}
    return type("EmailPreferencesForm", (Form,), fields)


EmailPreferencesForm = _preferences_form()


class SubmissionForm(Form):
    content_type = SelectField(_l("Content type"), choices=[SelectChoice(c.code, c.name) for c in CONTENT_TYPES.values()])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=500)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=5000)], render_kw={"rows": 3})
    body_html = TextAreaField(_l("Body"), validators=[Length(max=2_000_000)], render_kw={"rows": 14},
                              description=_l("HTML is cleaned on saving: scripts, styles and unsafe links are removed."))
    language = SelectField(_l("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])
    publish_at = DateTimeLocalField(_l("Desired publish time"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    version = HiddenField()


class ActionForm(Form):
    action = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=5000)], render_kw={"rows": 2})
    publish_at = DateTimeLocalField(_l("Publish at"), validators=[Optional()], format="%Y-%m-%dT%H:%M")


class UploadForm(Form):
    file = FileField(_l("File"), validators=[FileRequired()])
