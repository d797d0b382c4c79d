import hashlib

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice
from wtforms import (BooleanField, FieldList, FormField, HiddenField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional

from ..domain.content_types import CONTENT_TYPES
from ..domain.workflow import STATES
from ..forms_base import Form, LocalDateField, LocalDateTimeField, LongSelect
from ..templating import STATE_LABELS
from ..royalties.sheets.notifications import SHEET_EVENT_KINDS, SHEET_EVENT_LABELS
from .notifications import EVENT_KINDS, EVENT_LABELS

# The email settings page, by group: what the workflow sends, and what the royalty sheets send
# (each a kind its notify_* function checks against the user's opt-outs before queuing an email).
EMAIL_KIND_GROUPS = ((_l("Items"), EVENT_KINDS), (_l("Royalty sheets"), SHEET_EVENT_KINDS))
EMAIL_KINDS = EVENT_KINDS + SHEET_EVENT_KINDS


def _preferences_form():
    labels = {**EVENT_LABELS, **SHEET_EVENT_LABELS}
    fields = {f"email_{kind}": BooleanField(labels[kind]) for kind in EMAIL_KINDS}
    return type("EmailPreferencesForm", (Form,), fields)


EmailPreferencesForm = _preferences_form()


class AuthorForm(Form):
    """One co-author row: a member of the site, or a named outsider; empty rows are ignored."""

    class Meta:
        csrf = False

    user_id = SelectField(_l("Member"), choices=[], validate_choice=False)
    name = StringField(_l("Name (if not a member)"), validators=[Length(max=255)])
    pen_name = StringField(_l("Pen name"), validators=[Length(max=255)])
    share = StringField(_l("Share (%)"), validators=[Length(max=10)])

    def is_empty(self):
        return not (self.user_id.data or (self.name.data or "").strip())


class SubmissionForm(Form):
    content_type = SelectField(_l("Content type"), choices=[SelectChoice(c.code, c.name) for c in CONTENT_TYPES.values()])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), validators=[Length(max=500)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=5000)], render_kw={"rows": 3})
    body_html = TextAreaField(_l("Body"), validators=[Length(max=2_000_000)], render_kw={"rows": 14},
                              description=_l("HTML is cleaned on saving: scripts, styles and unsafe links are removed."))
    language = SelectField(_l("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])
    publish_at = LocalDateTimeField(_l("Desired publish time"), validators=[Optional()])
    authors = FieldList(FormField(AuthorForm), min_entries=1, max_entries=30)
    version = HiddenField()

    def authors_data(self):
        """The co-author rows as the service takes them; None (the author alone, 100%) when all are empty."""
        rows = [entry.form for entry in self.authors if not entry.form.is_empty()]
        if not rows:
            return None
        return [{"user_id": int(row.user_id.data) if (row.user_id.data or "").isdigit() else None,
                 "name": row.name.data, "pen_name": row.pen_name.data, "share": (row.share.data or "").replace(",", ".")}
                for row in rows]


class ActionForm(Form):
    action = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=5000)], render_kw={"rows": 2})
    publish_at = LocalDateTimeField(_l("Publish at"), validators=[Optional()])


class UploadForm(Form):
    file = FileField(_l("File"), validators=[FileRequired()])


class RemoveAttachmentForm(Form):
    """Only the CSRF token: the attachment is in the URL."""


class QueueFilterForm(Form):
    """The queue's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    view = SelectField(_l("Show"), choices=[SelectChoice("", _l("All")), SelectChoice("awaiting", _l("Awaiting me")),
                                            SelectChoice("claimed", _l("Claimed by me"))], validators=[Optional()])
    state = SelectField(_l("State"), choices=[SelectChoice("", _l("All states"))] + [SelectChoice(s, STATE_LABELS[s]) for s in STATES],
                        validators=[Optional()])
    category = SelectField(_l("Category"), choices=[], validators=[Optional()], widget=LongSelect())
    content_type = SelectField(_l("Content type"), choices=[SelectChoice("", _l("All types"))] + [
        SelectChoice(c.code, c.name) for c in CONTENT_TYPES.values()], validators=[Optional()], widget=LongSelect())
    unit = SelectField(_l("Unit"), choices=[], validators=[Optional()], widget=LongSelect())
    author = StringField(_l("Author (user name)"), validators=[Optional(), Length(max=64)])
    from_ = LocalDateField(_l("Created from"), validators=[Optional()])
    to = LocalDateField(_l("to"), validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=[
        SelectChoice("-updated_at", _l("Recently updated")), SelectChoice("updated_at", _l("Least recently updated")),
        SelectChoice("-created_at", _l("Newest")), SelectChoice("created_at", _l("Oldest")),
        SelectChoice("title", _l("Title A–Z")), SelectChoice("-title", _l("Title Z–A"))], validators=[Optional()],
        widget=LongSelect())

    FIELDS = ("q", "view", "state", "category", "content_type", "unit", "author", "from_", "to", "sort")
    # The fields of the panel behind the "Filters" button, in its order.
    PANEL = ("category", "content_type", "unit", "author", "from_", "to", "sort")

    def panel_key(self):
        """A digest of everything the panel's fields show: each field's value as given and as read, its errors,
        the choices set per page (the site's categories, the units) and the reader's language (the other labels
        and choices are the form's own). The queue caches the fields' HTML under it ({% cache %}): editors reload
        the queue all day and WTForms writing ~80 options was ~1.5 ms of it (bench/RESULTS.md). Any change of
        what they show is a new key, never a stale entry."""
        shown = [str(get_locale()), [(c.value, c.label) for c in self.category.choices],
                 [(c.value, c.label) for c in self.unit.choices]]
        shown += [(name, self[name].data, self[name].raw_data, [str(e) for e in self[name].errors])
                  for name in self.PANEL]
        return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()

    def filters(self):
        """The filters for queries.filtered_submissions; an invalid field is left out (and shown as an error)."""
        args = {}
        for name in ("q", "state", "category", "content_type", "unit", "author", "sort"):
            field = self[name]
            if field.data and not field.errors:
                args[name] = field.data
        if self.from_.data and not self.from_.errors:
            args["from_"] = self.from_.data
        if self.to.data and not self.to.errors:
            args["to"] = self.to.data
        if self.view.data == "awaiting":
            args["awaiting"] = "me"
        elif self.view.data == "claimed":
            args["assignee"] = "me"
        return args


class ClaimForm(Form):
    """The queue's claim form: only its CSRF token is a field; the items come as "id:version" values."""
