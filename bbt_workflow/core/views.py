from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from flask_login import current_user
from sqlalchemy import select, text

from ..accounts.models import Category
from ..extensions import db
from ..permissions import can_create_on, can_read_sheets, can_review, is_admin, requires, roles_on, site_for, visible_sites_query
from ..royalties.sheets.queries import sheets_waiting_for

bp = Blueprint("core", __name__)


@bp.route("/")
@requires("authenticated")
def home():
    sites = db.session.scalars(visible_sites_query(current_user)).all()
    rows = [(site, sorted(roles_on(current_user, site)), can_review(current_user, site),
             can_read_sheets(current_user, site), sheets_waiting_for(current_user, site)) for site in sites]
    return render_template("core/home.html", rows=rows, is_admin=is_admin(current_user))


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
