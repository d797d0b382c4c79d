"""Incentive royalties on an item (issue 17): award one (approvers), list them (approvers, accountants)."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from ..auth.current import current_actor
from ..errors import Forbidden
from ..extensions import db
from ..permissions import can_read_sheets, requires
from ..royalties.incentives import services as incentives
from ..submissions import services as submissions
from .blueprint import BEARER, blp
from .schemas import ID_RANGE


class IncentiveRequest(Schema):
    amount = fields.Integer(required=True, strict=True, metadata={"description": "whole đồng"})
    reason = fields.String(required=True, validate=validate.Length(max=500))
    payee_id = fields.Integer(load_default=None, validate=ID_RANGE, metadata={
        "description": "one payee of the item's grading; without it the amount is split among them in "
                       "proportion to what each earns on the item"})


class IncentiveOut(Schema):
    id = fields.Integer()
    submission_id = fields.Integer()
    payee = fields.Dict()
    amount = fields.Integer()
    reason = fields.String()
    awarded_by = fields.String(allow_none=True)
    awarded_at = fields.DateTime()


class IncentivesSchema(Schema):
    items = fields.List(fields.Nested(IncentiveOut))
    limit = fields.Integer(metadata={"description": "30% of the item's royalty (NĐ 18/2014, Điều 8)"})
    awarded = fields.Integer()
    remaining = fields.Integer()


@blp.route("/submissions/<int:submission_id>/incentives", methods=["GET"])
@requires("submission_visible")
@blp.response(200, IncentivesSchema)
@blp.doc(security=BEARER)
def list_incentives(submission_id):
    """The item's incentive royalties, with the limit and what is left under it."""
    sub = submissions.get_visible_submission(current_actor(), submission_id)
    if not can_read_sheets(current_actor(), sub.site):
        raise Forbidden(_l("Only the site's accountants and approvers see its royalty figures."), code="not_allowed")
    return incentives.incentives_view(sub)


@blp.route("/submissions/<int:submission_id>/incentives", methods=["POST"])
@requires("submission_visible")
@blp.arguments(IncentiveRequest)
@blp.response(201, IncentivesSchema)
@blp.alt_response(422, description="`incentive_over_limit` on `amount` above 30% of the item's royalty")
@blp.doc(security=BEARER)
def award_incentive(data, submission_id):
    """Approvers: award a published item an incentive royalty with a reason; paid on the next sheet computed.
    The answer's `items` are the rows just created."""
    sub = submissions.get_visible_submission(current_actor(), submission_id)
    rows = incentives.award_incentive(current_actor(), sub, data["amount"], data["reason"], data["payee_id"])
    db.session.commit()
    return incentives.incentives_view(sub, rows)
