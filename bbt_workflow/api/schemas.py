"""Request and response schemas: the single source for validation and the OpenAPI document."""
import functools

from marshmallow import Schema, ValidationError, fields, validate

from ..domain.roles import APPROVAL_LEVELS, ROLES, SITE_KINDS
from ..request_guards import MAX_ID

CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,39}$", error="Use 1–40 lower-case letters, digits, '-' or '_'.")

# Any id read from a query or a body: the range of the id columns, like the URL's `<int:…>` (a larger
# value would overflow PostgreSQL's INTEGER and answer 500 instead of 422).
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class JsonBoolean(fields.Boolean):
    """A JSON body's true or false, nothing else. marshmallow's Boolean also takes 0, 1, "yes", "on" and the
    like, which the document (`type: boolean`) does not allow: schemathesis found `"active": 0` accepted.
    Query strings keep fields.Boolean (their values arrive as text)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value



def usable_date(value):
    """Dates and instants the app can shift by a time zone and store: 0001-01-01 or 9999-12-31T23:59:59-23:59
    overflow Python's date range (or PostgreSQL's) once converted, and answered 500."""
    if not 1900 <= value.year <= 9000:
        raise ValidationError("Use a date between 1900 and 9000.")


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


@functools.cache
def page_of(item_schema):
    """A list response schema {items, page, per_page, total, total_capped} for item_schema."""
    name = item_schema.__name__.removesuffix("Schema") + "Page"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
            # Keyset lists (submissions): pass next_cursor back as ?cursor= for the following page (null at
            # the end).
            "next_cursor": fields.String(allow_none=True),
            # Their count stops at 1,000 (bounded cost on large tables): true means "more than total".
            "total_capped": fields.Boolean(metadata={"description": (
                "true when the list has more items than the count's cap (1,000): `total` is then the cap, "
                "a lower bound; a search with that many hits lists them newest first, not by relevance")}),
        },
        name=name,
    )


# --- tokens ------------------------------------------------------------------

class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


# --- sites, categories, units ------------------------------------------------

class SiteSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    approval_levels = fields.Integer(required=True)
    parent = fields.Function(lambda s: s.parent.code if s.parent else None, allow_none=True)
    active = JsonBoolean()
    four_eyes = JsonBoolean()


class SiteCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    approval_levels = fields.Integer(load_default=2, validate=validate.OneOf(APPROVAL_LEVELS))
    parent = fields.String(allow_none=True, validate=CODE)
    # Unset: on for two-level sites (the author or a co-author can neither forward nor approve).
    four_eyes = JsonBoolean(allow_none=True)


class SiteUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    kind = fields.String(validate=validate.OneOf(SITE_KINDS))
    approval_levels = fields.Integer(validate=validate.OneOf(APPROVAL_LEVELS))
    parent = fields.String(allow_none=True, validate=CODE)
    active = JsonBoolean()
    four_eyes = JsonBoolean()


class CategorySchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    active = JsonBoolean(required=True)


class CategoryCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))


class CategoryUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    active = JsonBoolean()


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    active = JsonBoolean(required=True)


class UnitCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))


class UnitUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    active = JsonBoolean()


class TargetSchema(Schema):
    site = fields.Function(lambda t: t.site.code)
    year = fields.Integer(required=True)
    plan_items = fields.Integer(required=True)
    royalty_budget = fields.Integer(required=True)


class TargetUpdateSchema(Schema):
    plan_items = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000_000))
    royalty_budget = fields.Integer(required=True, validate=validate.Range(min=0, max=10**15))


# --- users and memberships ---------------------------------------------------

class MembershipSummarySchema(Schema):
    id = fields.Integer(required=True)
    site = fields.Function(lambda m: m.site.code)
    roles = fields.Function(lambda m: sorted(m.role_set))


class MeSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(required=True)
    unit = fields.Function(lambda u: u.unit.code if u.unit else None, allow_none=True)
    is_admin = JsonBoolean(required=True)
    memberships = fields.List(fields.Nested(MembershipSummarySchema))


class UserSchema(MeSchema):
    pen_name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    active = JsonBoolean(required=True)


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=2, max=64))
    password = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=128))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    email = fields.Email(required=True, validate=validate.Length(max=255))
    unit = fields.String(allow_none=True, validate=validate.Length(max=40))
    pen_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    is_admin = JsonBoolean(load_default=False)
    active = JsonBoolean(load_default=True)


class UserUpdateSchema(Schema):
    username = fields.String(validate=validate.Length(min=2, max=64))
    password = fields.String(validate=validate.Length(min=1, max=128))
    full_name = fields.String(validate=validate.Length(min=1, max=255))
    email = fields.Email(validate=validate.Length(max=255))
    unit = fields.String(allow_none=True, validate=validate.Length(max=40))
    pen_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    is_admin = JsonBoolean()
    active = JsonBoolean()


class UserListArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=100))
    site = fields.String(validate=validate.Length(max=40))


class MembershipSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.Function(lambda m: m.user.username)
    site = fields.Function(lambda m: m.site.code)
    roles = fields.Function(lambda m: sorted(m.role_set))


class MembershipCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    site = fields.String(required=True, validate=validate.Length(min=1, max=40))
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)), required=True, validate=validate.Length(min=1, max=4)
    )


class MembershipListArgs(PageArgs):
    site = fields.String(validate=validate.Length(max=40))
    username = fields.String(validate=validate.Length(max=64))
