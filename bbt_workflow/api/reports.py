"""Reports endpoints (API.md "Reports summary"): the figures of a site, or every site, for a period."""
from ..auth.current import current_actor
from ..downloads import download_response
from ..permissions import requires
from ..reports.services import report_export, report_summary
from .blueprint import BEARER, blp
from .report_schemas import ReportExportArgs, ReportSummaryArgs, ReportSummarySchema


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


@blp.route("/reports/export", methods=["GET"])
@requires("authenticated")
@blp.arguments(ReportExportArgs, location="query")
@blp.response(200, description="The summary's figures as an Excel workbook (one sheet per table) or a Word "
                               "draft of \"I. KẾT QUẢ HOẠT ĐỘNG\"",
              content_type="application/octet-stream")
@blp.doc(security=BEARER)
def reports_export(args):
    """The figures of GET /reports/summary as a file (`format=xlsx|docx`), same readers and rules.
    Unknown site 404; a bad period or a format other than xlsx/docx 422."""
    content, mimetype, filename = report_export(current_actor(), args["site"], args["from_"], args["to"],
                                                args["format"])
    return download_response(content, mimetype, filename)
