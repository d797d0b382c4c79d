"""Schemas of the reports endpoints (API.md "Reports summary")."""
from marshmallow import Schema, fields, validate

from .schemas import usable_date


class ReportSummaryArgs(Schema):
    site = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "A site code, or `all` for every site."})
    from_ = fields.Date(required=True, data_key="from", validate=usable_date, metadata={"description": "First local day (YYYY-MM-DD)."})
    to = fields.Date(required=True, validate=usable_date, metadata={"description": "Last local day, inclusive (YYYY-MM-DD)."})


def _counts(description):
    return fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                       metadata={"description": description})


class ReportPublishedSchema(Schema):
    total = fields.Integer(required=True)
    by_content_type = _counts("Every content type, zeros included.")
    by_category = _counts("Every category code of the site, zeros included.")
    by_unit = _counts("Every unit of the site's members (and any unit with items), zeros included.")


class ReportTargetSchema(Schema):
    year = fields.Integer(required=True)
    plan_items = fields.Integer(required=True, allow_none=True, metadata={"description": "null: no target set."})
    published_year_to_date = fields.Integer(required=True)
    percent = fields.Float(required=True, allow_none=True)


class ReportPreviousYearSchema(Schema):
    from_ = fields.String(required=True, attribute="from", data_key="from")
    to = fields.String(required=True)
    total = fields.Integer(required=True)
    change_percent = fields.Float(required=True, allow_none=True)


class ReportReturnReasonSchema(Schema):
    reason = fields.String(required=True)
    count = fields.Integer(required=True)


class ReportContributorsSchema(Schema):
    reviewed = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    returned = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    top_return_reasons = fields.List(fields.Nested(ReportReturnReasonSchema), required=True)


class ReportLeadTimeSchema(Schema):
    median = fields.Float(required=True)
    p90 = fields.Float(required=True, metadata={"description": "Linear interpolation (percentile_cont)."})


class ReportWaitingSchema(Schema):
    submitted = fields.Integer(required=True)
    in_review = fields.Integer(required=True)
    pending_approval = fields.Integer(required=True)


class ReportSpendingSchema(Schema):
    royalties = fields.Integer(required=True)
    fees = fields.Integer(required=True)
    budget = fields.Integer(required=True, allow_none=True, metadata={"description": "null: no target set."})
    percent = fields.Float(required=True, allow_none=True)


class ReportSummarySchema(Schema):
    site = fields.String(required=True)
    from_ = fields.String(required=True, attribute="from", data_key="from")
    to = fields.String(required=True)
    published = fields.Nested(ReportPublishedSchema, required=True)
    units_without_items = fields.List(fields.String(), required=True)
    target = fields.Nested(ReportTargetSchema, required=True)
    previous_year = fields.Nested(ReportPreviousYearSchema, required=True)
    contributors = fields.Nested(ReportContributorsSchema, required=True)
    lead_time_hours = fields.Nested(ReportLeadTimeSchema, required=True)
    waiting = fields.Nested(ReportWaitingSchema, required=True)
    spending = fields.Nested(ReportSpendingSchema, required=True)


class ReportExportArgs(ReportSummaryArgs):
    format = fields.String(required=True, validate=validate.OneOf(("xlsx", "docx")),
                           metadata={"description": "`xlsx` (one sheet per table) or `docx` (a draft of the "
                                                    "report's section \"I. KẾT QUẢ HOẠT ĐỘNG\")."})
