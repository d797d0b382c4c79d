"""Schemas of the royalty endpoints (API.md): rates, quotes, payees, sheets, my lines, import."""
from marshmallow import Schema, fields, validate

from .schemas import JsonBoolean, PageArgs, usable_date

PERIOD = validate.Regexp(r"^\d{4}-\d{2}$", error="Use YYYY-MM.")


class RatesArgs(Schema):
    site = fields.String(required=True, validate=validate.Length(max=40))
    on = fields.Date(load_default=None, validate=usable_date)


class GenreOut(Schema):
    code = fields.String()
    label = fields.String()
    min = fields.String()
    max = fields.String()
    default = fields.String()
    fixed_amount = fields.Integer(allow_none=True)
    national_cap = fields.String(allow_none=True)


class AdjustmentOut(Schema):
    code = fields.String()
    label = fields.String()
    min = fields.String()
    max = fields.String()
    default = fields.String()


class FeeRuleOut(Schema):
    role = fields.String()
    kind = fields.String()
    value = fields.String()


class RatesSchema(Schema):
    site = fields.String()
    on = fields.Date()
    regulation = fields.Dict()
    genres = fields.List(fields.Nested(GenreOut))
    adjustments = fields.List(fields.Nested(AdjustmentOut))
    site_factor = fields.String()
    base_salary = fields.Integer()
    unit_value = fields.Integer()
    tax = fields.Dict()
    fees = fields.List(fields.Nested(FeeRuleOut))


class QuoteRequest(Schema):
    site = fields.String(required=True, validate=validate.Length(max=40))
    on = fields.Date(load_default=None, validate=usable_date)
    grading = fields.Dict(required=True)


class QuoteSchema(Schema):
    on = fields.String()
    unit_value = fields.Integer(allow_none=True)
    site_factor = fields.String(allow_none=True)
    regulation = fields.String()
    parts = fields.List(fields.Dict())
    total = fields.Integer()


class PayeeListArgs(PageArgs):
    username = fields.String(validate=validate.Length(max=64))
    q = fields.String(validate=validate.Length(max=100))


class PayeeSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    full_name = fields.String()
    pen_name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    tax_code = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True)
    bank_name = fields.String(allow_none=True)
    labour_contract = JsonBoolean()
    commitment_years = fields.List(fields.Integer(validate=validate.Range(min=2000, max=2100)))


class PayeeWriteSchema(Schema):
    full_name = fields.String(validate=validate.Length(min=1, max=255))
    pen_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    unit = fields.String(allow_none=True, validate=validate.Length(max=40))
    tax_code = fields.String(allow_none=True, validate=validate.Length(max=20))
    id_number = fields.String(allow_none=True, validate=validate.Length(max=20))
    bank_account = fields.String(allow_none=True, validate=validate.Length(max=40))
    bank_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    labour_contract = JsonBoolean()
    commitment_years = fields.List(fields.Integer(validate=validate.Range(min=2000, max=2100)),
                                   validate=validate.Length(max=50))


class PayeeCreateSchema(PayeeWriteSchema):
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=255))


class SheetCreateSchema(Schema):
    site = fields.String(required=True, validate=validate.Length(max=40))
    period = fields.String(required=True, validate=PERIOD)
    payment_date = fields.Date(load_default=None, validate=usable_date)


class SheetUpdateSchema(Schema):
    payment_date = fields.Date(required=True, validate=usable_date)
    version = fields.Integer(required=True)


class SheetTransitionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["recompute", "check", "approve", "pay", "reopen"]))
    version = fields.Integer(required=True)


class SheetListArgs(PageArgs):
    site = fields.String(required=True, validate=validate.Length(max=40))


class SheetSummarySchema(Schema):
    id = fields.Integer()
    site = fields.Function(lambda s: s.site.code)
    period = fields.Function(lambda s: f"{s.period_start:%Y-%m}")
    number = fields.String()
    payment_date = fields.Date()
    state = fields.String()
    version = fields.Integer()
    gross = fields.Integer()
    tax = fields.Integer()
    net = fields.Integer()


class SheetLineOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    payee = fields.Dict()
    submission_id = fields.Integer()
    title = fields.String()
    genre = fields.String(allow_none=True)
    genre_label = fields.String()
    fee_role = fields.String(allow_none=True)
    coefficient = fields.String(allow_none=True)
    unit_value = fields.Integer(allow_none=True)
    site_factor = fields.String(allow_none=True)
    factors = fields.List(fields.Dict())
    share = fields.String(allow_none=True)
    amount = fields.Integer()
    published_at = fields.DateTime(allow_none=True)
    adjustment_of = fields.Integer(allow_none=True)
    overdue = fields.Boolean()


class SheetPayeeOut(Schema):
    payee = fields.Dict()
    unit = fields.String()
    gross = fields.Integer()
    tax = fields.Integer()
    net = fields.Integer()
    staff = fields.Boolean()
    commitment = fields.Boolean()


class SheetSchema(Schema):
    id = fields.Integer()
    site = fields.String()
    period = fields.String()
    number = fields.String()
    payment_date = fields.Date()
    state = fields.String()
    version = fields.Integer()
    regulation = fields.String()
    warnings = fields.List(fields.String())
    lines = fields.List(fields.Nested(SheetLineOut))
    payees = fields.List(fields.Nested(SheetPayeeOut))
    totals = fields.Dict()
    checked_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)


class MyLinesArgs(Schema):
    from_ = fields.Date(data_key="from", load_default=None, validate=usable_date)
    to = fields.Date(load_default=None, validate=usable_date)


class MyLineSchema(Schema):
    submission_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    genre = fields.String(allow_none=True)
    amount = fields.Integer()
    published_at = fields.DateTime(allow_none=True)
    paid = fields.Boolean(metadata={"description": "the line's sheet is paid"})
    paid_on = fields.Date(allow_none=True, metadata={"description": "the sheet's payment date once paid, else null"})


class MySheetSchema(Schema):
    sheet_id = fields.Integer()
    site = fields.String()
    site_name = fields.String()
    period = fields.String()
    state = fields.String()
    payment_date = fields.Date()
    paid = fields.Boolean()
    paid_on = fields.Date(allow_none=True)
    gross = fields.Integer()
    tax = fields.Integer()
    net = fields.Integer()
    lines = fields.List(fields.Nested(MyLineSchema))


class MyLinesSchema(Schema):
    payee_id = fields.Integer()
    sheets = fields.List(fields.Nested(MySheetSchema))
    totals = fields.Dict()


class FundCheckArgs(Schema):
    site = fields.String(required=True, validate=validate.Length(max=40))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class FundCheckSchema(Schema):
    year = fields.Integer()
    royalties = fields.Integer()
    fees = fields.Integer()
    incentives = fields.Integer()
    budget = fields.Integer(allow_none=True)
    fee_ratio = fields.String(allow_none=True)
    warnings = fields.List(fields.String())


class ImportItem(Schema):
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    content_type = fields.String(required=True)
    category = fields.String(required=True)
    unit = fields.String(allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    summary = fields.String(allow_none=True)
    body_html = fields.String(allow_none=True)
    author_username = fields.String(allow_none=True)
    author_name = fields.String(allow_none=True)
    published_at = fields.AwareDateTime(required=True)
    portal_url = fields.String(allow_none=True, validate=validate.Length(max=1000))
    grading = fields.Dict(allow_none=True)
    royalty_settled = JsonBoolean(load_default=False)


class ImportRequest(Schema):
    items = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=5000))


class ImportResult(Schema):
    created = fields.Integer()
    skipped_existing = fields.Integer()
    errors = fields.List(fields.Dict())
