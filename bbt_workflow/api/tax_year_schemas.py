"""Schemas of the tax year endpoints (issue 17): the payees' paid and withheld amounts of a year."""
from marshmallow import Schema, fields, validate

YEAR = validate.Range(min=2000, max=2100, error="Give a year between 2000 and 2100.")


class TaxSummaryArgs(Schema):
    year = fields.Integer(required=True, validate=YEAR)
    site = fields.String(load_default=None, validate=validate.Length(max=40))


class TaxYearArgs(Schema):
    year = fields.Integer(required=True, validate=YEAR)


class AmountsSchema(Schema):
    """Whole đồng, as integers (like a sheet's totals)."""
    gross = fields.Integer()
    tax = fields.Integer()
    net = fields.Integer()


class TaxYearPayeeSchema(AmountsSchema):
    payee_id = fields.Integer()
    full_name = fields.String()
    tax_code = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    staff = fields.Boolean()
    months = fields.Dict(keys=fields.String(), values=fields.Nested(AmountsSchema),
                         metadata={"description": 'Payment months "01".."12" with a payment'})


class TaxSummarySchema(Schema):
    year = fields.Integer()
    sites = fields.List(fields.String(), metadata={"description": "codes of the sites summed"})
    payees = fields.List(fields.Nested(TaxYearPayeeSchema))
    totals = fields.Nested(AmountsSchema)
