from flask import Blueprint, current_app, jsonify, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, text

from ..accounts.models import Category
from ..domain import sheet_workflow
from ..domain.workflow import IN_REVIEW, PENDING_APPROVAL, RETURNED, SUBMITTED
from ..extensions import db
from ..permissions import (
    can_account, can_approve, can_create_on, can_read_all_site_reports_among, can_read_reports, can_read_sheets,
    can_review, is_admin, may_watch_deliveries, requires, roles_on, site_for, visible_sites_query,
)
from ..publishing.deliveries import dead_counts_by_site
from ..royalties.sheets.queries import sheet_counts_by_site, sheets_waiting_for
from ..submissions.queries import home_item_counts

bp = Blueprint("core", __name__)


@bp.route("/")
@requires("authenticated")
def home():
    """What waits for the signed-in user on each of their sites, counted with a few grouped queries
    for all the sites together; the sites and roles below."""
    user = current_user
    sites = db.session.scalars(visible_sites_query(user)).all()
    ids = [site.id for site in sites]
    items, sheets, dead = home_item_counts(user, ids), sheet_counts_by_site(ids), dead_counts_by_site(ids)
    cards = []
    for site in sites:
        roles = sorted(roles_on(user, site))
        cards.append({"site": site, "roles": roles, "tasks": _tasks(user, site, items[site.id], sheets[site.id],
                                                                     dead[site.id]),
                      "mine": items[site.id]["mine"] if can_create_on(user, site) else {},
                      "reviewer": can_review(user, site), "reads_sheets": can_read_sheets(user, site),
                      "reads_reports": can_read_reports(user, site),
                      # as royalties' sheets_waiting_for counts it, from the grouped counts
                      "sheets_waiting": (sheets[site.id].get(sheet_workflow.CHECKED, 0) if can_approve(user, site) else 0)
                      + (sheets[site.id].get(sheet_workflow.APPROVED, 0) if can_account(user, site) else 0)})
    return render_template("core/home.html", cards=cards, is_admin=is_admin(user),
                           reads_all_reports=can_read_all_site_reports_among(user, sites))


def _tasks(user, site, items, sheets, dead):
    """[(label, count, link)] of the work waiting for the user on one site, by their roles there."""
    code, tasks = site.code, []
    if can_review(user, site):
        tasks.append((_("Items to claim"), items["queue"].get(SUBMITTED, 0),
                      url_for("submissions_web.queue", site=code, state=SUBMITTED)))
        tasks.append((_("Items I hold"), items["held"],
                      url_for("submissions_web.queue", site=code, view="claimed", state=IN_REVIEW)))
    if can_approve(user, site):
        tasks.append((_("Items to approve"), items["queue"].get(PENDING_APPROVAL, 0),
                      url_for("submissions_web.queue", site=code, state=PENDING_APPROVAL)))
    if can_create_on(user, site):
        tasks.append((_("My returned items"), items["mine"].get(RETURNED, 0),
                      url_for("submissions_web.mine", site=code, state=RETURNED)))
    def sheets_page(state):  # the sheets list filtered to the ones in that step
        return url_for("royalties_web.sheets", site=code, state=state)
    if can_account(user, site):
        tasks.append((_("Sheets to check"), sheets.get(sheet_workflow.DRAFT, 0), sheets_page(sheet_workflow.DRAFT)))
    if can_approve(user, site):
        tasks.append((_("Sheets to approve"), sheets.get(sheet_workflow.CHECKED, 0), sheets_page(sheet_workflow.CHECKED)))
    if can_account(user, site):
        tasks.append((_("Sheets to pay"), sheets.get(sheet_workflow.APPROVED, 0), sheets_page(sheet_workflow.APPROVED)))
    if may_watch_deliveries(user, site):
        tasks.append((_("Failed deliveries"), dead, url_for("publishing_web.deliveries", site=code, state="dead")))
    return tasks


@bp.route("/sites/<site>")
@requires("site_member")
def site_overview(site):
    site_obj = site_for(current_user, site)
    categories = db.session.scalars(
        select(Category).where(Category.site_id == site_obj.id).order_by(Category.position, Category.id)
    ).all()
    return render_template(
        "core/site.html", site=site_obj, categories=categories, roles=sorted(roles_on(current_user, site_obj)),
        can_create=can_create_on(current_user, site_obj),
        can_review=can_review(current_user, site_obj), can_read_sheets=can_read_sheets(current_user, site_obj),
        sheets_waiting=sheets_waiting_for(current_user, site_obj),
    )


@bp.route("/favicon.ico")
@requires("public")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: the same file as static/favicon.ico."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


@bp.route("/healthz")
@requires("public")
def healthz():
    """For operators and load balancers: 200 when the database answers, else 503."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any database failure means unhealthy
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable", "error": type(exc).__name__}), 503
    return jsonify({"status": "ok", "database": "ok"})
