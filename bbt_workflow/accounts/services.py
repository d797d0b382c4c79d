"""Managing the installation: sites, units, users, memberships, categories, targets.

Every function takes the acting user explicitly, flushes and never commits. The convention of
every area: the service checks, given the actor, with the predicates of permissions.py (here
`can_manage_installation`), and enforces the data rules; the routes' @requires repeats the check
so the permission matrix can be read from the URL map. `actor=None` is the installation itself
(`flask bbt` commands, demo data, the test factory), as for the other areas' system steps.

Every change is recorded in the audit log (issue 16) in the same transaction, after its checks
(a refused change leaves no entry), with the record's values before and after: "unit.created",
"unit.updated", "site.created", "site.updated", "plan_target.set", "category.created",
"category.updated", "user.created", "user.updated", "membership.set", "membership.deleted".
Deactivating is an update (`active` before and after), as nothing here is ever deleted but memberships.

User creation and changes are announced through accounts/hooks.py (royalties keeps a payee
record per user): accounts knows nothing of royalties.
"""
import re
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..auth.services import check_password_policy, set_new_password
from ..domain.categories import DEFAULT_CATEGORIES
from ..domain.roles import APPROVAL_LEVELS, ROLES, SITE_KINDS
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from ..audit.services import record, snapshot
from ..extensions import db
from ..permissions import can_manage_installation
from ..sql_search import contains
from .hooks import announce_user_saved
from .models import Category, Membership, PlanTarget, Site, Unit, User

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def require_admin(actor):
    """Managing the installation is the administrators' (None: the installation itself)."""
    if actor is not None and not can_manage_installation(actor):
        raise Forbidden(_l("Only administrators manage the installation."), code="not_allowed")


def _check_code(code, field="code"):
    if not code or not CODE_RE.match(code):
        raise field_error(field, _l("Use 1–40 lower-case letters, digits, '-' or '_'."))


def _require_text(value, field, max_len=255):
    value = (value or "").strip()
    if not value:
        raise field_error(field, _l("This field is required."))
    if len(value) > max_len:
        raise field_error(field, _l("At most %(n)s characters.", n=max_len))
    return value


# --- lookups ----------------------------------------------------------------

def get_site(code, field=None):
    """The site with this code. Unknown: NotFound, or a field error when `field` names
    the input it came from (a reference in a request body is a 422, not a 404)."""
    site = db.session.scalar(select(Site).where(Site.code == code))
    if site is None:
        if field:
            raise field_error(field, _l("Unknown site %(code)s.", code=code), code="unknown_site")
        raise NotFound(_l("No such site."))
    return site


def get_unit_by_code(code, field="unit"):
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise field_error(field, _l("Unknown unit %(code)s.", code=code), code="unknown_unit")
    return unit


def get_user_by_username(username, field="username"):
    user = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").lower()))
    if user is None:
        raise field_error(field, _l("Unknown user %(name)s.", name=username), code="unknown_user")
    return user


def users_matching(q=None, site=None):
    """Users whose username, full name or email contains `q`; optionally members of a site."""
    stmt = select(User).order_by(User.full_name, User.username)
    q = (q or "").strip().lower()
    if q:
        stmt = stmt.where(or_(contains(func.lower(User.username), q), contains(func.lower(User.full_name), q),
                              contains(User.email, q)))
    if site:
        stmt = stmt.join(Membership).join(Site).where(Site.code == site)
    return stmt


# --- units ------------------------------------------------------------------

def create_unit(actor, *, code, name):
    require_admin(actor)
    _check_code(code)
    name = _require_text(name, "name")
    if db.session.scalar(select(Unit.id).where(Unit.code == code)):
        raise Conflict(_l("A unit with this code exists."), code="duplicate",
                       details={"code": [str(_l("A unit with this code exists."))]})
    unit = Unit(code=code, name=name)
    db.session.add(unit)
    db.session.flush()
    record(actor, "unit.created", "unit", unit.id, None, _unit_view(unit))
    return unit


def update_unit(actor, unit, *, name=None, active=None):
    require_admin(actor)
    before = _unit_view(unit)
    if name is not None:
        unit.name = _require_text(name, "name")
    if active is not None:
        unit.active = bool(active)
    db.session.flush()
    record(actor, "unit.updated", "unit", unit.id, before, _unit_view(unit))
    return unit


def _unit_view(unit):
    return snapshot(unit, ("code", "name", "active"))


# --- sites ------------------------------------------------------------------

def _check_site_fields(kind, approval_levels):
    if kind not in SITE_KINDS:
        raise field_error("kind", _l("Kind must be portal or component."))
    if approval_levels not in APPROVAL_LEVELS:
        raise field_error("approval_levels", _l("Approval levels must be 1 or 2."))


def create_site(actor, *, code, name, kind, approval_levels=2, parent=None, default_categories=True,
                four_eyes=None):
    """four_eyes: None = on for two-level sites, off for one-level ones (a lone editor approves)."""
    require_admin(actor)
    _check_code(code)
    name = _require_text(name, "name")
    _check_site_fields(kind, approval_levels)
    if db.session.scalar(select(Site.id).where(Site.code == code)):
        raise Conflict(_l("A site with this code exists."), code="duplicate",
                       details={"code": [str(_l("A site with this code exists."))]})
    parent_site = get_site(parent, field="parent") if parent else None
    site = Site(code=code, name=name, kind=kind, approval_levels=approval_levels, parent=parent_site,
                four_eyes=approval_levels == 2 if four_eyes is None else bool(four_eyes))
    db.session.add(site)
    db.session.flush()
    if default_categories:
        for position, (cat_code, cat_name) in enumerate(DEFAULT_CATEGORIES):
            db.session.add(Category(site_id=site.id, code=cat_code, name=cat_name, position=position))
        db.session.flush()
    # One entry for the site; the default categories it starts with are listed in it (not one entry each).
    after = _site_view(site)
    after["categories"] = [code for code, _name in DEFAULT_CATEGORIES] if default_categories else []
    record(actor, "site.created", "site", site.id, None, after)
    return site


def update_site(actor, site, *, name=None, kind=None, approval_levels=None, parent=..., active=None,
                four_eyes=None):
    require_admin(actor)
    before = _site_view(site)
    new_kind = kind if kind is not None else site.kind
    new_levels = approval_levels if approval_levels is not None else site.approval_levels
    _check_site_fields(new_kind, new_levels)
    if name is not None:
        site.name = _require_text(name, "name")
    site.kind, site.approval_levels = new_kind, new_levels
    if parent is not ...:
        if parent:
            parent_site = get_site(parent, field="parent")
            if parent_site.id == site.id:
                raise field_error("parent", _l("A site cannot be its own parent."))
            site.parent = parent_site
        else:
            site.parent = None
    if active is not None:
        site.active = bool(active)
    if four_eyes is not None:
        site.four_eyes = bool(four_eyes)
    db.session.flush()
    record(actor, "site.updated", "site", site.id, before, _site_view(site))
    return site


def _site_view(site):
    view = snapshot(site, ("code", "name", "kind", "approval_levels", "four_eyes", "active"))
    view["parent"] = site.parent.code if site.parent else None
    return view


def set_plan_target(actor, site, year, *, plan_items, royalty_budget):
    require_admin(actor)
    if not (2000 <= int(year) <= 2100):
        raise field_error("year", _l("Year out of range."))
    if plan_items < 0 or royalty_budget < 0:
        raise field_error("plan_items", _l("Targets cannot be negative."))
    target = db.session.scalar(
        select(PlanTarget).where(PlanTarget.site_id == site.id, PlanTarget.year == year)
    )
    before = _target_view(target, site)
    if target is None:
        target = PlanTarget(site_id=site.id, year=year)
        db.session.add(target)
    target.plan_items, target.royalty_budget = plan_items, royalty_budget
    db.session.flush()
    record(actor, "plan_target.set", "plan_target", target.id, before, _target_view(target, site))
    return target


def _target_view(target, site):
    if target is None:
        return None
    return {"site": site.code, **snapshot(target, ("year", "plan_items", "royalty_budget"))}


# --- categories -------------------------------------------------------------

def create_category(actor, site, *, code, name):
    require_admin(actor)
    _check_code(code)
    name = _require_text(name, "name")
    if db.session.scalar(select(Category.id).where(Category.site_id == site.id, Category.code == code)):
        raise Conflict(_l("This site already has a category with this code."), code="duplicate",
                       details={"code": [str(_l("This site already has a category with this code."))]})
    position = db.session.scalar(
        select(func.coalesce(func.max(Category.position), -1) + 1).where(Category.site_id == site.id)
    )
    category = Category(site_id=site.id, code=code, name=name, position=position)
    db.session.add(category)
    db.session.flush()
    record(actor, "category.created", "category", category.id, None, _category_view(category, site))
    return category


def update_category(actor, category, *, name=None, active=None):
    require_admin(actor)
    before = _category_view(category, category.site)
    if name is not None:
        category.name = _require_text(name, "name")
    if active is not None:
        category.active = bool(active)
    db.session.flush()
    record(actor, "category.updated", "category", category.id, before, _category_view(category, category.site))
    return category


def _category_view(category, site):
    return {"site": site.code, **snapshot(category, ("code", "name", "active", "position"))}


# --- users ------------------------------------------------------------------

def _normalise_user_fields(username, email, full_name):
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise field_error("username", _l("Use 2–64 letters, digits, '.', '-' or '_'."))
    email = (email or "").strip().lower()
    if len(email) > 255 or not EMAIL_RE.match(email):
        raise field_error("email", _l("Invalid email address."))
    full_name = _require_text(full_name, "full_name")
    return username, email, full_name


def _check_unique_user(username, email, exclude_id=None):
    q = select(User.id).where(func.lower(User.username) == username.lower())
    if exclude_id:
        q = q.where(User.id != exclude_id)
    if db.session.scalar(q):
        raise Conflict(_l("This username is taken."), code="duplicate",
                       details={"username": [str(_l("This username is taken."))]})
    q = select(User.id).where(User.email == email)
    if exclude_id:
        q = q.where(User.id != exclude_id)
    if db.session.scalar(q):
        raise Conflict(_l("This email is used by another account."), code="duplicate",
                       details={"email": [str(_l("This email is used by another account."))]})


def create_user(actor, *, username, email, full_name, password=None, unit=None, pen_name=None,
                phone=None, is_admin=False, active=True):
    """Create a user. With no password, the account gets a random one: set it by a reset link."""
    require_admin(actor)
    username, email, full_name = _normalise_user_fields(username, email, full_name)
    _check_unique_user(username, email)
    if password:
        check_password_policy(password, username)
    user = User(
        username=username, email=email, full_name=full_name,
        unit=get_unit_by_code(unit) if unit else None,
        pen_name=(pen_name or "").strip() or None, phone=(phone or "").strip() or None,
        is_admin=bool(is_admin), active=bool(active),
    )
    user.set_password(password or secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    # Every user can be paid: the payee record comes with the account (API.md).
    announce_user_saved(user, created=True)
    record(actor, "user.created", "user", user.id, None, snapshot(user, USER_FIELDS))
    return user


# What the audit log keeps of a user (issue 16): never the password hash, only that it changed.
USER_FIELDS = ("username", "email", "full_name", "unit_id", "pen_name", "phone", "is_admin", "active")


def update_user(actor, user, **changes):
    require_admin(actor)
    before = snapshot(user, USER_FIELDS)
    username = changes.get("username", user.username)
    email = changes.get("email", user.email)
    full_name = changes.get("full_name", user.full_name)
    username, email, full_name = _normalise_user_fields(username, email, full_name)
    _check_unique_user(username, email, exclude_id=user.id)
    if "is_admin" in changes or "active" in changes:
        # An admin cannot lock themselves out of administration.
        if actor is not None and actor.id == user.id and (
            changes.get("is_admin") is False or changes.get("active") is False
        ):
            raise ValidationFailed(_l("You cannot remove your own admin rights or deactivate yourself."),
                                   code="self_lockout")
    user.username, user.email, user.full_name = username, email, full_name
    if "password" in changes and changes["password"]:
        check_password_policy(changes["password"], username)
        set_new_password(user, changes["password"])
    if "unit" in changes:
        user.unit = get_unit_by_code(changes["unit"]) if changes["unit"] else None
    for field in ("pen_name", "phone"):
        if field in changes:
            setattr(user, field, (changes[field] or "").strip() or None)
    if "is_admin" in changes:
        user.is_admin = bool(changes["is_admin"])
    if "active" in changes:
        user.active = bool(changes["active"])
    announce_user_saved(user, created=False)
    db.session.flush()
    after = snapshot(user, USER_FIELDS)
    if "password" in changes and changes["password"]:
        after["password_changed"] = True
    record(actor, "user.updated", "user", user.id, before, after)
    return user


# --- memberships ------------------------------------------------------------

def _check_roles(roles):
    roles = list(roles or [])
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise field_error("roles", _l("Choose one or more of: %(roles)s.", roles=", ".join(ROLES)))
    return sorted(set(roles))


def set_membership(actor, user, site, roles):
    """Give the user exactly these roles on the site (creating the membership)."""
    require_admin(actor)
    roles = _check_roles(roles)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.site_id == site.id)
    )
    before = _membership_view(membership)
    if membership is None:
        membership = Membership(user=user, site=site)
        db.session.add(membership)
    membership.set_roles(roles)
    db.session.flush()
    record(actor, "membership.set", "membership", membership.id, before, _membership_view(membership))
    return membership


def _membership_view(membership):
    if membership is None:
        return None
    return {"user": membership.user.username, "site": membership.site.code, "roles": sorted(membership.role_set)}


def delete_membership(actor, membership):
    require_admin(actor)
    before, membership_id = _membership_view(membership), membership.id
    db.session.delete(membership)
    db.session.flush()
    record(actor, "membership.deleted", "membership", membership_id, before, None)
