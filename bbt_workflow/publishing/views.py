"""Web pages: portal endpoints (admins), deliveries per site (approvers, admins); public feeds and media."""
import json

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Site
from ..accounts.services import get_site
from ..auth.current import current_actor
from ..errors import ServiceError
from ..extensions import db
from ..forms_base import show_service_error, submit_and_flash
from ..permissions import may_fetch_public_media, may_watch_deliveries, requires, site_for
from ..submissions.attachments import attachment_path
from ..submissions.keyset import seek_newest
from ..submissions.models import Attachment, Submission
from . import deliveries as deliveries_service
from . import endpoints as endpoint_service
from .delivery_errors import SECRET_UNREADABLE_MEANING
from .feeds import atom_feed, etag_of, json_feed
from .forms import EndpointForm, PlainPostForm
from .models import Delivery

bp = Blueprint("publishing_web", __name__)
public = Blueprint("publishing_public", __name__)
PER_PAGE = 50


def _page(stmt):
    return db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                       max_per_page=PER_PAGE, error_out=False)


# --- endpoints (admins) --------------------------------------------------------

def _endpoints_page(site_obj, form, *, secret=None, secret_for=None, test_result=None, test_for=None, status=200):
    page = _page(endpoint_service.endpoints_of(site_obj))
    unreadable = endpoint_service.with_unreadable_secrets(page.items)
    return render_template("publishing/endpoints.html", site=site_obj, page=page, form=form, plain=PlainPostForm(),
                           secret=secret, secret_for=secret_for, test_result=test_result, test_for=test_for,
                           unreadable=unreadable, unreadable_meaning=_(SECRET_UNREADABLE_MEANING)), status


def _parse_map(form):
    raw = (form.category_map.data or "").strip()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        form.category_map.errors = [_("Not valid JSON.")]
        return False


@bp.route("/admin/sites/<site>/endpoints", methods=["GET", "POST"])
@requires("admin")
def endpoints(site):
    site_obj = get_site(site)
    form = EndpointForm()
    if request.method == "POST" and form.validate_on_submit():
        mapping = _parse_map(form)
        if mapping is not False:
            try:
                endpoint, secret = endpoint_service.create_endpoint(
                    current_actor(), site_obj, name=form.name.data, kind=form.kind.data, url=form.url.data,
                    active=form.active.data, username=form.username.data, app_password=form.app_password.data,
                    category_map=mapping)
                db.session.commit()
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                flash(_("Endpoint created."), "success")
                # The secret is shown on this page once; it is never put in the session or a redirect.
                return _endpoints_page(site_obj, EndpointForm(formdata=None), secret=secret, secret_for=endpoint)
    return _endpoints_page(site_obj, form, status=422 if request.method == "POST" else 200)


def _endpoint(site, endpoint_id):
    site_obj = get_site(site)
    return site_obj, endpoint_service.get_endpoint(site_obj, endpoint_id)


@bp.route("/admin/sites/<site>/endpoints/<int:endpoint_id>/rotate", methods=["POST"])
@requires("admin")
def endpoint_rotate(site, endpoint_id):
    site_obj, endpoint = _endpoint(site, endpoint_id)
    form = PlainPostForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        secret = endpoint_service.rotate_secret(current_actor(), endpoint)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        return redirect(url_for(".endpoints", site=site))
    flash(_("New secret created; the previous one stays valid for 24 hours."), "success")
    return _endpoints_page(site_obj, EndpointForm(formdata=None), secret=secret, secret_for=endpoint)


@bp.route("/admin/sites/<site>/endpoints/<int:endpoint_id>/toggle", methods=["POST"])
@requires("admin")
def endpoint_toggle(site, endpoint_id):
    _site, endpoint = _endpoint(site, endpoint_id)
    submit_and_flash(PlainPostForm(),
                     lambda: endpoint_service.update_endpoint(current_actor(), endpoint, active=not endpoint.active),
                     success=lambda: _("Endpoint turned on.") if endpoint.active else _("Endpoint paused."))
    return redirect(url_for(".endpoints", site=site))


@bp.route("/admin/sites/<site>/endpoints/<int:endpoint_id>/test", methods=["POST"])
@requires("admin")
def endpoint_test(site, endpoint_id):
    site_obj, endpoint = _endpoint(site, endpoint_id)
    if not PlainPostForm().validate_on_submit():
        abort(400)
    send = endpoint_service.prepare_test(current_actor(), endpoint)
    db.session.commit()  # no transaction (on SQLite: no write lock) held while the receiver answers
    result = send()
    return _endpoints_page(site_obj, EndpointForm(formdata=None), test_result=result, test_for=endpoint)


# --- deliveries (approvers, admins) ---------------------------------------------

@bp.route("/sites/<site>/deliveries")
@requires("site_member")
def deliveries(site):
    user = current_actor()
    site_obj = site_for(user, site)
    if not may_watch_deliveries(user, site_obj):
        abort(403)
    state = request.args.get("state") or None
    if state not in (None, *deliveries_service.STATE_FILTERS):
        state = None
    counts = deliveries_service.shown_state_counts(site_obj)
    # The items' titles for the whole page in one query, and only their titles (whole, they were 50 bodies with
    # their co-authors and attachments).
    titles = selectinload(Delivery.submission).load_only(Submission.title).raiseload("*")
    rows = deliveries_service.site_deliveries(user, site_obj, state, counts).options(titles)
    page = seek_newest(rows, Delivery.id, cursor=request.args.get("cursor"),
                       page=max(request.args.get("page", 1, type=int), 1), per_page=PER_PAGE)  # bad cursor: 400
    return render_template("publishing/deliveries.html", site=site_obj, page=page, state=state, counts=counts,
                           plain=PlainPostForm())


@bp.route("/sites/<site>/deliveries/<int:delivery_id>/replay", methods=["POST"])
@requires("site_member")
def delivery_replay(site, delivery_id):
    user = current_actor()
    site_obj = site_for(user, site)
    row = db.session.get(Delivery, delivery_id)
    if row is None or row.site_id != site_obj.id:
        abort(404)
    if not may_watch_deliveries(user, site_obj):
        abort(403)
    submit_and_flash(PlainPostForm(), lambda: deliveries_service.replay_delivery(user, row),
                     success=lambda: _("The delivery will be sent again."))
    return redirect(url_for(".deliveries", site=site, state=request.args.get("state")))


# --- public: feeds and media ----------------------------------------------------

def _public_site(code):
    site = db.session.scalar(select(Site).where(Site.code == code, Site.active.is_(True)))
    if site is None:
        abort(404)
    return site


def _conditional(body, mimetype):
    etag = etag_of(body)
    response = make_response(body)
    response.mimetype = mimetype
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response.make_conditional(request)


@public.route("/feeds/<site>.atom")
@requires("public")
def atom(site):
    return _conditional(atom_feed(_public_site(site)), "application/atom+xml")


@public.route("/feeds/<site>.json")
@requires("public")
def json_list(site):
    return _conditional(json_feed(_public_site(site)), "application/json")


@public.route("/feeds/media/<int:attachment_id>/<key>")
@requires("public")
def media(attachment_id, key):
    """An approved or published item's image, for the portal to fetch (unguessable key)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    sub = db.session.get(Submission, attachment.submission_id)
    if not may_fetch_public_media(attachment, sub, key):
        abort(404)
    response = send_file(attachment_path(attachment), mimetype=attachment.mime, conditional=True, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
