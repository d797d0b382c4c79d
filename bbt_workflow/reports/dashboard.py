"""What the dashboard page shows (issue 13): every figure of `report_summary`, the names of its codes,
the year's published count per month for the progress chart, and the charts' geometry.

Same readers and period rules as the summary (it is computed by `report_summary`, which checks them).
"""
from dataclasses import dataclass

from ..domain.chart_geometry import budget_bar, progress_chart
from ..domain.report_periods import months_to_show
from . import queries
from .services import report_labels, report_scope, report_summary


@dataclass(frozen=True)
class Dashboard:
    summary: dict
    site_name: str | None  # None: every site
    by_content_type: list  # [(code, n)]
    by_category: list  # [(code, name, n)]
    by_unit: list  # [(code, name, n)]
    units_without_items: list  # [(code, name)]
    progress: object  # chart_geometry.ProgressChart of the period's year
    spending: object  # chart_geometry.BudgetBar

    @property
    def spent(self):
        return self.summary["spending"]["royalties"] + self.summary["spending"]["fees"]


def report_dashboard(actor, site_code, start, end, today):
    """The dashboard of local days start..end; `today` (the caller's clock, a local day) says how many
    months of the period's year the progress chart draws."""
    summary = report_summary(actor, site_code, start, end)
    _, site_ids = report_scope(actor, site_code)
    labels = report_labels(site_ids, summary)
    published, target = summary["published"], summary["target"]
    monthly = queries.published_by_month(site_ids, target["year"])
    spending = summary["spending"]
    return Dashboard(
        summary=summary,
        site_name=labels.site,
        by_content_type=list(published["by_content_type"].items()),
        by_category=[(code, labels.categories.get(code, code), n) for code, n in published["by_category"].items()],
        by_unit=[(code, labels.units.get(code, code), n) for code, n in published["by_unit"].items()],
        units_without_items=[(code, labels.units.get(code, code)) for code in summary["units_without_items"]],
        progress=progress_chart([monthly.get(m, 0) for m in range(1, 13)], months_to_show(target["year"], today),
                                target["plan_items"]),
        spending=budget_bar([("royalties", spending["royalties"]), ("fees", spending["fees"])], spending["budget"]),
    )
