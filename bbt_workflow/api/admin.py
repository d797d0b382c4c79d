"""Admin endpoints: units, sites, categories, users, memberships, plan targets."""
from flask import abort
from sqlalchemy import func, select

from ..auth.current import current_actor
from ..accounts import services
from ..accounts.models import Category, Membership, Site, Unit, User
from ..extensions import db
from ..permissions import requires
from .blueprint import BEARER, blp
from .pagination import paginate
from .partial_updates import require_changes
from .schemas import (
    CategoryCreateSchema, CategorySchema, CategoryUpdateSchema, MembershipCreateSchema,
    MembershipListArgs, MembershipSchema, PageArgs, SiteCreateSchema, SiteSchema, SiteUpdateSchema,
    TargetSchema, TargetUpdateSchema, UnitCreateSchema, UnitSchema, UnitUpdateSchema, UserCreateSchema,
    UserListArgs, UserSchema, UserUpdateSchema, page_of,
)




# --- units ------------------------------------------------------------------

@blp.route("/admin/units", methods=["GET"])
@requires("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(UnitSchema))
@blp.doc(security=BEARER)
def admin_list_units(args):
    return paginate(select(Unit).order_by(Unit.name), args)


@blp.route("/admin/units", methods=["POST"])
@requires("admin")
@blp.arguments(UnitCreateSchema)
@blp.response(201, UnitSchema)
@blp.doc(security=BEARER)
def admin_create_unit(data):
    unit = services.create_unit(current_actor(), **data)
    db.session.commit()
    return unit


@blp.route("/admin/units/<int:unit_id>", methods=["PATCH"])
@requires("admin")
@blp.arguments(UnitUpdateSchema)
@blp.response(200, UnitSchema)
@blp.doc(security=BEARER)
def admin_update_unit(data, unit_id):
    unit = services.update_unit(current_actor(), db.get_or_404(Unit, unit_id), **require_changes(data))
    db.session.commit()
    return unit


# --- sites ------------------------------------------------------------------

@blp.route("/admin/sites", methods=["GET"])
@requires("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(SiteSchema))
@blp.doc(security=BEARER)
def admin_list_sites(args):
    return paginate(select(Site).order_by(Site.kind.desc(), Site.name), args)


@blp.route("/admin/sites", methods=["POST"])
@requires("admin")
@blp.arguments(SiteCreateSchema)
@blp.response(201, SiteSchema)
@blp.doc(security=BEARER)
def admin_create_site(data):
    """Create a site; it starts with the default categories."""
    site = services.create_site(current_actor(), **data)
    db.session.commit()
    return site


@blp.route("/admin/sites/<site>", methods=["PATCH"])
@requires("admin")
@blp.arguments(SiteUpdateSchema)
@blp.response(200, SiteSchema)
@blp.doc(security=BEARER)
def admin_update_site(data, site):
    updated = services.update_site(current_actor(), services.get_site(site), **require_changes(data))
    db.session.commit()
    return updated


@blp.route("/admin/sites/<site>/targets/<int:year>", methods=["PUT"])
@requires("admin")
@blp.arguments(TargetUpdateSchema)
@blp.response(200, TargetSchema)
@blp.doc(security=BEARER)
def admin_set_target(data, site, year):
    """Set a site's yearly plan target and royalty budget (đồng)."""
    target = services.set_plan_target(current_actor(), services.get_site(site), year, **data)
    db.session.commit()
    return target


@blp.route("/admin/sites/<site>/categories", methods=["POST"])
@requires("admin")
@blp.arguments(CategoryCreateSchema)
@blp.response(201, CategorySchema)
@blp.doc(security=BEARER)
def admin_create_category(data, site):
    category = services.create_category(current_actor(), services.get_site(site), **data)
    db.session.commit()
    return category


@blp.route("/admin/sites/<site>/categories/<code>", methods=["PATCH"])
@requires("admin")
@blp.arguments(CategoryUpdateSchema)
@blp.response(200, CategorySchema)
@blp.doc(security=BEARER)
def admin_update_category(data, site, code):
    site_obj = services.get_site(site)
    category = db.session.scalar(
        select(Category).where(Category.site_id == site_obj.id, Category.code == code)
    )
    if category is None:
        abort(404)
    services.update_category(current_actor(), category, **require_changes(data))
    db.session.commit()
    return category


# --- users ------------------------------------------------------------------

@blp.route("/admin/users", methods=["GET"])
@requires("admin")
@blp.arguments(UserListArgs, location="query")
@blp.response(200, page_of(UserSchema))
@blp.doc(security=BEARER)
def admin_list_users(args):
    return paginate(services.users_matching(args.get("q"), args.get("site")), args)


@blp.route("/admin/users/<int:user_id>", methods=["GET"])
@requires("admin")
@blp.response(200, UserSchema)
@blp.doc(security=BEARER)
def admin_get_user(user_id):
    return db.get_or_404(User, user_id)


@blp.route("/admin/users", methods=["POST"])
@requires("admin")
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.doc(security=BEARER)
def admin_create_user(data):
    user = services.create_user(current_actor(), **data)
    db.session.commit()
    return user


@blp.route("/admin/users/<int:user_id>", methods=["PATCH"])
@requires("admin")
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserSchema)
@blp.doc(security=BEARER)
def admin_update_user(data, user_id):
    user = services.update_user(current_actor(), db.get_or_404(User, user_id), **require_changes(data))
    db.session.commit()
    return user


# --- memberships ------------------------------------------------------------

@blp.route("/admin/memberships", methods=["GET"])
@requires("admin")
@blp.arguments(MembershipListArgs, location="query")
@blp.response(200, page_of(MembershipSchema))
@blp.doc(security=BEARER)
def admin_list_memberships(args):
    stmt = select(Membership).join(User).join(Site).order_by(Site.code, User.username)
    if args.get("site"):
        stmt = stmt.where(Site.code == args["site"])
    if args.get("username"):
        stmt = stmt.where(func.lower(User.username) == args["username"].lower())
    return paginate(stmt, args)


@blp.route("/admin/memberships", methods=["POST"])
@requires("admin")
@blp.arguments(MembershipCreateSchema)
@blp.response(201, MembershipSchema)
@blp.doc(security=BEARER)
def admin_create_membership(data):
    """Give a user exactly these roles on a site (replaces earlier roles there)."""
    user = services.get_user_by_username(data["username"])
    site = services.get_site(data["site"], field="site")
    membership = services.set_membership(current_actor(), user, site, data["roles"])
    db.session.commit()
    return membership


@blp.route("/admin/memberships/<int:membership_id>", methods=["DELETE"])
@requires("admin")
@blp.response(204)
@blp.doc(security=BEARER)
def admin_delete_membership(membership_id):
    services.delete_membership(current_actor(), db.get_or_404(Membership, membership_id))
    db.session.commit()
    return None
