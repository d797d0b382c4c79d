from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Category
from ..permissions import requires, site_for, visible_sites_query
from .blueprint import BEARER, blp
from .pagination import paginate
from .schemas import CategorySchema, PageArgs, SiteSchema, page_of


@blp.route("/sites", methods=["GET"])
@requires("authenticated")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(SiteSchema))
@blp.doc(security=BEARER)
def list_sites(args):
    """Sites the caller belongs to (every site for admins)."""
    return paginate(visible_sites_query(current_user), args)


@blp.route("/sites/<site>/categories", methods=["GET"])
@requires("site_member")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(CategorySchema))
@blp.doc(security=BEARER)
def list_categories(args, site):
    """A site's categories (members only; others get 404)."""
    site_obj = site_for(current_user, site)
    stmt = select(Category).where(Category.site_id == site_obj.id).order_by(Category.position, Category.id)
    return paginate(stmt, args)
