from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..domain.content_types import CONTENT_TYPE_CODES
from ..domain.workflow import ACTIONS, STATES
from ..royalties.grading.services import grading_view
from ..submissions.queries import SORTS
from ..submissions.services import allowed_actions_for
from .schemas import ID_RANGE, PageArgs, usable_date


# Shares travel as decimal strings (API.md: exact, never a float): the document says so too
# (apispec would call every Decimal field a number).
DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}


class AuthorInSchema(Schema):
    user_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True, validate=validate.Length(max=255))
    pen_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    share = fields.Decimal(required=True, as_string=True, places=None,
                           metadata={"type": "string", "format": "decimal",
                                     "description": 'A decimal string ("60", "33.34"); a JSON number is accepted too.'})


class AuthorOutSchema(Schema):
    user_id = fields.Integer(allow_none=True)
    name = fields.String()
    pen_name = fields.String(allow_none=True)
    share = fields.Decimal(as_string=True, metadata=DECIMAL_STRING)


class PersonSchema(Schema):
    id = fields.Integer()
    full_name = fields.String()


class SubmissionCreateSchema(Schema):
    site = fields.String(required=True, validate=validate.Length(min=1, max=40))
    category = fields.String(allow_none=True, validate=validate.Length(max=60))
    content_type = fields.String(required=True, validate=validate.OneOf(CONTENT_TYPE_CODES))
    title = fields.String(load_default="", validate=validate.Length(max=500))
    summary = fields.String(load_default="", validate=validate.Length(max=5000))
    body_html = fields.String(load_default="", validate=validate.Length(max=2_000_000))
    language = fields.String(validate=validate.OneOf(("vi", "en")))
    authors = fields.List(fields.Nested(AuthorInSchema), validate=validate.Length(max=20))
    publish_at = fields.AwareDateTime(allow_none=True, validate=usable_date)


class SubmissionUpdateSchema(Schema):
    version = fields.Integer(required=True)
    category = fields.String(allow_none=True, validate=validate.Length(max=60))
    content_type = fields.String(validate=validate.OneOf(CONTENT_TYPE_CODES))
    title = fields.String(validate=validate.Length(max=500))
    summary = fields.String(validate=validate.Length(max=5000))
    body_html = fields.String(validate=validate.Length(max=2_000_000))
    language = fields.String(validate=validate.OneOf(("vi", "en")))
    authors = fields.List(fields.Nested(AuthorInSchema), validate=validate.Length(max=20))
    publish_at = fields.AwareDateTime(allow_none=True, validate=usable_date)


class TransitionRequestSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf([a for a in ACTIONS if a != "publish"]))
    version = fields.Integer(required=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=5000))
    grading = fields.Dict(allow_none=True)
    publish_at = fields.AwareDateTime(allow_none=True, validate=usable_date)


class RegradeRequestSchema(Schema):
    version = fields.Integer(required=True)
    grading = fields.Dict(required=True)


def _allowed_actions(sub):
    return allowed_actions_for(current_user, sub)


def _grading(sub):
    view = grading_view(sub)
    if view is not None:
        view["graded_at"] = view["graded_at"].isoformat()
    return view


class AttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String(attribute="mime")
    kind = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    # On an upload answer: the name it came with when its extension did not match the content
    # (stored under `filename` with the right one), and a sentence saying so in the caller's language.
    renamed_from = fields.String(allow_none=True, dump_only=True)
    notice = fields.Function(lambda a: str(a.notice) if a.notice is not None else None, allow_none=True,
                             dump_only=True)


class UploadSchema(Schema):
    file = Upload(required=True)


class SubmissionSchema(Schema):
    id = fields.Integer()
    site = fields.Function(lambda s: s.site.code)
    category = fields.Function(lambda s: s.category.code if s.category else None, allow_none=True)
    content_type = fields.String()
    title = fields.String()
    summary = fields.String()
    body_html = fields.String()
    language = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))
    version = fields.Integer()
    revision = fields.Integer()
    author = fields.Nested(PersonSchema)
    assignee = fields.Nested(PersonSchema, allow_none=True)
    authors = fields.List(fields.Nested(AuthorOutSchema))
    grading = fields.Function(_grading, allow_none=True, metadata={
        "type": "object", "nullable": True,
        "description": "{parts: [{genre, coefficient, factors: [{code, value, reason}], payees: [{payee, share}], "
                       "amount}], total, on} — amounts in đồng at the rules of the day `on` (publication day, "
                       "else planned publication, else today); null when not graded"})
    publish_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    portal_url = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    attachments = fields.List(fields.Nested(AttachmentSchema))
    allowed_actions = fields.Function(_allowed_actions)


class SubmissionListArgs(PageArgs):
    cursor = fields.String(validate=validate.Length(max=400))  # next_cursor of the previous page
    site = fields.String(validate=validate.Length(max=40))
    state = fields.String(validate=validate.OneOf(STATES))
    category = fields.String(validate=validate.Length(max=60))
    content_type = fields.String(validate=validate.OneOf(CONTENT_TYPE_CODES))
    q = fields.String(validate=validate.Length(max=200))
    mine = fields.Boolean()
    assignee = fields.String(validate=validate.OneOf(("me",)))
    unit = fields.String(validate=validate.Length(max=40))
    author = fields.String(validate=validate.Length(max=64))
    awaiting = fields.String(validate=validate.OneOf(("me",)))
    sort = fields.String(load_default="-updated_at", validate=validate.OneOf(SORTS))
    from_ = fields.Date(data_key="from", validate=usable_date)
    to = fields.Date(validate=usable_date)


class HistorySchema(Schema):
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    actor = fields.Nested(PersonSchema, allow_none=True)
    comment = fields.String(allow_none=True)
    revision = fields.Integer()
    at = fields.DateTime()


class RevisionSummarySchema(Schema):
    number = fields.Integer()
    created_by = fields.Nested(PersonSchema)
    created_at = fields.DateTime()


class RevisionSchema(RevisionSummarySchema):
    title = fields.String()
    summary = fields.String()
    body_html = fields.String()
    category = fields.Function(lambda r: r.category.code if r.category else None, allow_none=True)
    content_type = fields.String()
    language = fields.String()


class ContentTypeSchema(Schema):
    code = fields.String()
    name = fields.String()
    required_fields = fields.List(fields.String())


class DiffArgs(Schema):
    from_ = fields.Integer(required=True, data_key="from", validate=ID_RANGE)
    to = fields.Integer(required=True, validate=ID_RANGE)


class DiffOpSchema(Schema):
    op = fields.String(validate=validate.OneOf(("equal", "insert", "delete")))
    text = fields.String()


class DiffFieldsSchema(Schema):
    title = fields.List(fields.Nested(DiffOpSchema))
    summary = fields.List(fields.Nested(DiffOpSchema))
    body = fields.List(fields.Nested(DiffOpSchema))


class DiffSchema(Schema):
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    fields_ = fields.Nested(DiffFieldsSchema, data_key="fields")
