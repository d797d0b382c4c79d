"""The reports summary (API.md "Reports summary"), for the actor who asks.

Who: a site's approvers, accountants and admins (`can_read_reports`); every site ("all") for admins and
the provincial portal's approvers (`can_read_all_site_reports`). A site the actor may not see is 404.
"""
from flask_babel import lazy_gettext as _l

from ..domain.content_types import CONTENT_TYPE_CODES
from ..domain.report_figures import (
    PeriodError, change_percent, check_period, duration_figures, percent, same_period_last_year, utc_bounds,
    year_start,
)
from ..errors import Forbidden, NotFound, field_error
from ..permissions import can_read_all_site_reports, can_read_reports, can_view_site, site_by_code
from . import queries
from .documents import ReportLabels, write_report_docx, write_report_xlsx

ALL_SITES = "all"

_PERIOD_MESSAGES = {
    "period_reversed": _l("The start of the period is after its end."),
    "period_too_long": _l("A period may span at most five years."),
}


def report_scope(actor, site_code):
    """(code, site ids or None for every site) the actor may read, or NotFound / Forbidden."""
    if site_code == ALL_SITES:
        if not can_read_all_site_reports(actor):
            raise Forbidden(_l("Only administrators and the portal's approvers see every site's figures."),
                            code="not_allowed")
        return ALL_SITES, None
    site = site_by_code(site_code)
    if site is None or not can_view_site(actor, site):
        raise NotFound(_l("No such site."))
    if not can_read_reports(actor, site):
        raise Forbidden(_l("Only the site's approvers and accountants see its figures."), code="not_allowed")
    return site.code, [site.id]


def report_summary(actor, site_code, start, end):
    """Every figure of the summary for local days start..end (both inclusive)."""
    code, site_ids = report_scope(actor, site_code)
    try:
        check_period(start, end)
    except PeriodError as refused:
        raise field_error("to", _PERIOD_MESSAGES[refused.code], refused.code)
    begin, until = utc_bounds(start, end)

    total = queries.published_count(site_ids, begin, until)
    by_type = queries.published_by_content_type(site_ids, begin, until)
    by_category = queries.published_by_category(site_ids, begin, until)
    by_unit = queries.published_by_unit(site_ids, begin, until)
    member_units = queries.member_unit_codes(site_ids)

    year = end.year
    plan_items, budget = queries.plan_target(site_ids, year)
    ytd_begin, ytd_until = utc_bounds(year_start(end), end)
    year_to_date = queries.published_count(site_ids, ytd_begin, ytd_until)

    last_start, last_end = same_period_last_year(start, end)
    last_total = queries.published_count(site_ids, *utc_bounds(last_start, last_end))

    contributors = queries.contributor_decisions(site_ids, begin, until)
    contributors["top_return_reasons"] = queries.top_return_reasons(site_ids, begin, until)

    royalties, fees = queries.spending(site_ids, start, end)
    return {
        "site": code, "from": start.isoformat(), "to": end.isoformat(),
        "published": {
            "total": total,
            "by_content_type": {ct: by_type.get(ct, 0) for ct in CONTENT_TYPE_CODES},
            "by_category": {c: by_category.get(c, 0) for c in sorted(queries.category_codes(site_ids) | set(by_category))},
            "by_unit": {u: by_unit.get(u, 0) for u in sorted(member_units | set(by_unit))},
        },
        "units_without_items": sorted(u for u in member_units if not by_unit.get(u)),
        "target": {"year": year, "plan_items": plan_items, "published_year_to_date": year_to_date,
                   "percent": percent(year_to_date, plan_items)},
        "previous_year": {"from": last_start.isoformat(), "to": last_end.isoformat(), "total": last_total,
                          "change_percent": change_percent(total, last_total)},
        "contributors": contributors,
        "lead_time_hours": duration_figures(queries.lead_time_hours(site_ids, begin, until)),
        "waiting": queries.waiting_now(site_ids),
        "spending": {"royalties": royalties, "fees": fees, "budget": budget,
                     "percent": percent(royalties + fees, budget)},
    }


def report_labels(site_ids, summary):
    """The names of the summary's site, categories and units (its maps are keyed by code)."""
    return ReportLabels(
        site=queries.site_name(site_ids),
        categories=queries.category_names(site_ids, summary["published"]["by_category"]),
        units=queries.unit_names(summary["published"]["by_unit"]),
    )


EXPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report_export(actor, site_code, start, end, fmt):
    """The summary's figures as a file: (bytes, mimetype, filename). Same scope, permission and period rules
    as `report_summary`; xlsx (one sheet per table) or docx (a draft of "I. KẾT QUẢ HOẠT ĐỘNG")."""
    if fmt not in EXPORT_FORMATS:
        raise field_error("format", _l("The format must be xlsx or docx."), "bad_format")
    summary = report_summary(actor, site_code, start, end)
    _, site_ids = report_scope(actor, site_code)
    labels = report_labels(site_ids, summary)
    writer = write_report_xlsx if fmt == "xlsx" else write_report_docx
    content = writer(summary, labels)
    filename = f"bao-cao-{summary['site']}-{start.isoformat()}-{end.isoformat()}.{fmt}"
    return content, EXPORT_FORMATS[fmt], filename
