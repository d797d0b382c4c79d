"""Reports endpoints (API.md "Reports summary"): the figures of a site, or every site, for a period."""
from ..auth.current import current_actor
from ..permissions import requires
from ..reports.services import report_summary
from .blueprint import BEARER, blp
from .report_schemas import ReportSummaryArgs, ReportSummarySchema


@blp.route("/reports/summary", methods=["GET"])
@requires("authenticated")
@blp.arguments(ReportSummaryArgs, location="query")
@blp.response(200, ReportSummarySchema)
@blp.doc(security=BEARER)
def reports_summary(args):
    """The period's figures (local days, both inclusive): published items, target, last year, contributors,
    lead time, what waits, spending. A site's approvers, accountants and admins; `site=all` for admins and
    the portal's approvers. Unknown site 404; from after to, over five years or a bad date 422."""
    return report_summary(current_actor(), args["site"], args["from_"], args["to"])
