"""Reports (issue 13): the figures of a site, or of every site, for a period, computed once.

`queries` reads them with SQL aggregation; `services` checks who asks and the period. Pages,
dashboards and exports are built on `services.report_summary`.
"""
