"""Who may do what: named predicates, in one place.

Views, API handlers and services all ask these functions. Each route declares
its rule with @requires(...), which both enforces it and records it on the view
function (`view.bbt_rule`), so an authorization matrix can be generated from
the URL map.

A role on site A grants nothing on site B. Objects the caller may not see
answer 404, never 403, so their existence does not leak.

This module knows accounts and submissions (the core) and nothing of publishing or royalties:
a route rule that loads another area's object (a delivery, a royalty sheet) is registered by
that area with `register_rule` at start-up, using the predicates defined here. Rule names are
checked when the app is complete (`check_rules`, end of create_app), so decorators may name a
rule before its area registered it.
"""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session, joinedload

from .accounts.models import Membership, MembershipRole, Site
from .domain.roles import ACCOUNTANT, APPROVER, CREATE_ROLES, PORTAL, REVIEW_ROLES
from .domain.sheet_workflow import ACCOUNTANT as SHEET_ACCOUNTANT
from .domain.sheet_workflow import APPROVER as SHEET_APPROVER
from .domain.sheet_workflow import DRAFT as SHEET_DRAFT
from .domain.workflow import APPROVED, HIDDEN_FROM_REVIEWERS, PUBLISHED, VISIBLE_TO_ACCOUNTANTS, Actor
from .extensions import db
from .submissions.models import Submission, with_references


# --- predicates -------------------------------------------------------------

def is_admin(user):
    return bool(user and user.is_authenticated and user.is_admin)


def roles_on(user, site):
    if not (user and user.is_authenticated) or site is None:
        return frozenset()
    return user.roles_on(site)


def is_member(user, site):
    return is_admin(user) or bool(roles_on(user, site))


def can_view_site(user, site):
    return is_member(user, site)


def can_review(user, site):
    """Work the site's editorial queue (editors and approvers)."""
    return is_admin(user) or bool(roles_on(user, site) & REVIEW_ROLES)


def can_create_on(user, site):
    """Create items on a site: its contributors, editors and approvers (and admins).
    Accountants only read (WORKFLOW.md)."""
    return is_admin(user) or bool(roles_on(user, site) & CREATE_ROLES)


def can_coauthor_on(user, site):
    """A co-author of an item is a member of its site who could have written it: contributor
    or above (accountants and outsiders by account are not; a named outsider has no account)."""
    return bool(roles_on(user, site) & CREATE_ROLES)


def can_approve(user, site):
    return is_admin(user) or APPROVER in roles_on(user, site)


def can_account(user, site):
    return is_admin(user) or ACCOUNTANT in roles_on(user, site)


def is_accountant_anywhere(user):
    """An accountant of some site. Read from the user's memberships, which every signed-in page loads already
    (roles_on): the navigation asks this on every page, and asking the database was one more statement each."""
    if not (user and user.is_authenticated):
        return False
    return any(ACCOUNTANT in m.role_set for m in user.memberships)


def can_see_personal_payee_fields(user):
    """Tax codes, ID numbers and bank accounts: accountants and admins only (ROYALTIES.md)."""
    return is_admin(user) or is_accountant_anywhere(user)


def can_read_sheets(user, site):
    """Royalty sheets of a site: its accountants and approvers (and admins)."""
    return is_admin(user) or bool(roles_on(user, site) & {ACCOUNTANT, APPROVER})


def can_read_reports(user, site):
    """A site's report figures (issue 13): its approvers and accountants (and admins)."""
    return is_admin(user) or bool(roles_on(user, site) & {ACCOUNTANT, APPROVER})


def can_read_all_site_reports(user):
    """The figures across every site: admins and the approvers of the provincial portal."""
    if is_admin(user):
        return True
    if not (user and user.is_authenticated):
        return False
    return db.session.scalar(
        select(MembershipRole.role).join(Membership, Membership.id == MembershipRole.membership_id)
        .join(Site, Site.id == Membership.site_id)
        .where(Membership.user_id == user.id, MembershipRole.role == APPROVER, Site.kind == PORTAL).limit(1)
    ) is not None


def can_read_all_site_reports_among(user, sites):
    """can_read_all_site_reports decided from the user's sites already loaded (visible_sites_query), without
    a query: the portal's approvers have the portal among them."""
    return is_admin(user) or any(site.kind == PORTAL and APPROVER in roles_on(user, site) for site in sites)


def can_read_some_reports(user):
    """Any site's report figures (the "Reports" menu entry): admins, and approvers or accountants somewhere."""
    if is_admin(user):
        return True
    if not (user and user.is_authenticated):
        return False
    # The user's memberships, loaded once per request (roles_on reads them too): no query of its own on a
    # page that already asked for a role, as every page's menu does.
    return any(membership.role_set & {ACCOUNTANT, APPROVER} for membership in user.memberships)


def can_manage_installation(user):
    """Users, units, sites, categories, rates, endpoints: admins only."""
    return is_admin(user)


def may_watch_deliveries(user, site):
    """The portal deliveries of a site (and replaying them): its approvers and the administrators."""
    return can_approve(user, site)


def visible_sites_query(user):
    """Sites the user may open: all for admins, else those they are a member of."""
    stmt = select(Site).order_by(Site.kind.desc(), Site.name)
    if not is_admin(user):
        stmt = stmt.join(Membership, Membership.site_id == Site.id).where(
            Membership.user_id == user.id
        )
    return stmt


def site_for(user, code):
    """The site with this code if the user may see it, else 404."""
    site = site_by_code(code)
    if site is None or not can_view_site(user, site):
        abort(404)
    return site


# --- route rules ------------------------------------------------------------

def _submission_visible(user, kwargs):
    sub = db.session.get(Submission, kwargs["submission_id"], options=with_references())
    # The session holds loaded objects weakly: kept until the transaction ends, the item is still in its
    # identity map when the view gets it by id, instead of being loaded again with its co-authors, attachments
    # and site (4 of the item page's statements).
    db.session.info.setdefault(_CHECKED, []).append(sub)
    return sub is not None and can_see_submission(user, sub)


_CHECKED = "bbt_checked_by_rule"
_SITES_BY_CODE = "bbt_sites_by_code"
# Built once, executed with the code as its parameter: SQLAlchemy keeps a statement's cache key on the object, so
# the same object is neither built nor walked again (0.54–0.58 → 0.38–0.42 ms timed alone at 1M, bench/RESULTS.md).
_SITE_BY_CODE = select(Site).options(joinedload(Site.categories)).where(Site.code == bindparam("code"))


def site_by_code(code):
    """The site with this code (or None), read once until the transaction ends: a site page's route rule
    (site_member), its view (site_for) and its services (reports.services.report_scope) all ask, and a query by
    code is not answered from the identity map.
    Its categories come in the same statement (a join of ~10 rows): the queue's filter and the item form read them,
    and a second statement for them was ~1 ms of the queue page at 1,000,000 items (bench/RESULTS.md)."""
    known = db.session.info.setdefault(_SITES_BY_CODE, {})
    if code not in known:
        known[code] = db.session.scalars(_SITE_BY_CODE, {"code": code}).unique().one_or_none()
    return known[code]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _release_checked(session, *args):
    session.info.pop(_CHECKED, None)
    session.info.pop(_SITES_BY_CODE, None)


def _site_member(user, kwargs):
    site = site_by_code(kwargs["site"])
    return site is not None and is_member(user, site)


def _report_site(user, kwargs):
    """A report page's site: "all", or a site the user is a member of (the reports service then says 403
    to members without the approver or accountant role, and to whoever may not see every site)."""
    return kwargs["site"] == "all" or _site_member(user, kwargs)


# Rule name -> (predicate(user, view_kwargs), status when it fails). "public" needs nothing.
# Object rules answer 404 so a caller cannot learn what exists; they run before the
# request body is parsed, so a bad body cannot reveal it either.
# Registered by their areas (register_rule): "sheet_visible" (royalties: the sheet's site,
# can_read_sheets) and "delivery_watcher" (publishing: the delivery's site, may_watch_deliveries).
RULES = {
    "public": None,
    "authenticated": (lambda user, kwargs: True, 403),
    "admin": (lambda user, kwargs: can_manage_installation(user), 403),
    "submission_visible": (_submission_visible, 404),
    "site_member": (_site_member, 404),
    "report_site": (_report_site, 404),
    # Payees' personal data: accountants (of any site) and admins.
    "accounting": (lambda user, kwargs: can_see_personal_payee_fields(user), 403),
}


def register_rule(name, predicate, deny_status=404):
    """A route rule defined by the area that owns its object: predicate(user, view_kwargs)."""
    RULES[name] = (predicate, deny_status)


def requires(rule):
    """Declare and enforce a route's rule.

    Unauthenticated callers get 401 (the login page for browser routes);
    authenticated callers who fail the rule get 403. The rule's name is checked by
    `check_rules` once every area registered its rules (end of create_app).
    """

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check = RULES[rule]
            if check is not None:
                if not current_user.is_authenticated:
                    # 401 for the API, a redirect to the login page for browsers.
                    return current_app.login_manager.unauthorized()
                predicate, deny_status = check
                if not predicate(current_user, kwargs):
                    abort(deny_status)
            return view(*args, **kwargs)

        wrapped.bbt_rule = rule
        return wrapped

    return decorate


# Routes the framework registers (Flask's static files, flask-smorest's OpenAPI document):
# their rules, declared like ours so the URL map says who may call every route.
FRAMEWORK_RULES = {"static": "public", "api-docs.openapi_json": "public"}


def declare_framework_rules(app):
    for endpoint, rule in FRAMEWORK_RULES.items():
        view = app.view_functions.get(endpoint)
        if view is not None and getattr(view, "bbt_rule", None) is None:
            app.view_functions[endpoint] = requires(rule)(view)


def check_rules(app):
    """Every route names a known rule (end of create_app): a typo or an area that forgot to
    register its rule stops the start, as an unknown name at import time used to."""
    unknown = sorted({(endpoint, getattr(view, "bbt_rule", None)) for endpoint, view in app.view_functions.items()
                      if getattr(view, "bbt_rule", None) is not None and view.bbt_rule not in RULES})
    if unknown:
        raise ValueError("unknown rule(s) " + ", ".join(f"{rule!r} on {endpoint}" for endpoint, rule in unknown))


def is_api_request():
    return request.path.startswith("/api/")


# --- submissions ------------------------------------------------------------

def submission_actor(user, submission):
    """The caller's relation to one item, as the workflow table sees it."""
    co_author = any(a.user_id == user.id for a in submission.authors if a.user_id)
    return item_actor(user, submission.site, author_id=submission.author_id, assignee_id=submission.assignee_id,
                      co_author=co_author)


def item_actor(user, site, *, author_id, assignee_id, co_author):
    """submission_actor from an item's values (a list page's row, queries.ListedItem)."""
    return Actor(
        is_author=author_id == user.id or co_author,
        is_assignee=assignee_id == user.id,
        roles=roles_on(user, site.id),
        is_admin=is_admin(user),
        four_eyes=bool(site.four_eyes),
    )


def can_see_submission(user, submission):
    """Authors see their own; reviewers see the site's items once submitted;
    accountants see approved and published ones; nobody else sees drafts."""
    if not (user and user.is_authenticated):
        return False
    if is_admin(user):
        return True
    actor = submission_actor(user, submission)
    if actor.is_author:
        return True
    if submission.state in HIDDEN_FROM_REVIEWERS:
        return False
    if actor.is_reviewer:
        return True
    return ACCOUNTANT in actor.roles and submission.state in VISIBLE_TO_ACCOUNTANTS


# --- royalties --------------------------------------------------------------

def may_act_on_sheet(user, site, who):
    """The sheet table's `who` (domain/sheet_workflow.py) as a predicate on the site's roles."""
    if who == SHEET_ACCOUNTANT:
        return can_account(user, site)
    if who == SHEET_APPROVER:
        return can_approve(user, site)
    return can_account(user, site) or can_approve(user, site)


def may_create_sheet(user, site):
    """Royalty sheets are created (and changed) by the site's accountants."""
    return can_account(user, site)


def may_change_sheet(user, sheet):
    return can_account(user, sheet.site)


def may_set_payment_date(user, sheet):
    """The site's accountants, while the sheet is a draft (the tax rule follows the date)."""
    return sheet.state == SHEET_DRAFT and can_account(user, sheet.site)


def can_manage_royalty_rules(user):
    """Regulations, caps, factors, salaries, tax and fee rules: admins only."""
    return can_manage_installation(user)


def can_manage_payees(user):
    """Create, change and list payees with their personal data: accountants and admins."""
    return can_see_personal_payee_fields(user)


def can_read_tax_year(user, site):
    """A site's paid amounts per payee for the year (tax summary, withholding statements): its
    accountants (and admins). Approvers approve sheets but do not file the year's tax."""
    return can_account(user, site)


def may_award_incentive(user, submission):
    """An incentive royalty (nhuận bút khuyến khích) on an item: the site's approvers (and admins),
    once the item is published (its royalties, and so the limit, are known)."""
    return submission.state == PUBLISHED and submission_actor(user, submission).is_approver


def may_regrade(user, submission):
    """Correct the grading of an approved or published item: the site's approvers (and admins)."""
    return submission_actor(user, submission).is_approver


# --- publishing ---------------------------------------------------------------

def may_fetch_public_media(attachment, submission, key):
    """An item's image, public for the portal to fetch: only an image, only with its unguessable key,
    and only while the item is approved or published."""
    return (attachment.kind == "image" and attachment.sha256[:16] == key
            and submission.state in (APPROVED, PUBLISHED))
