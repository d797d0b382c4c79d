"""The royalties' two blueprints, shared by the rooms' views (rules, payees, sheets, importing):
`web` for the sheets and a payee's own lines, `admin` (under /admin) for the rules, the payees and
the import. royalties.init_app registers them once every views module has added its routes."""
from flask import Blueprint, request

from ..extensions import db

web = Blueprint("royalties_web", __name__)
admin = Blueprint("royalty_admin", __name__, url_prefix="/admin")
PER_PAGE = 50


def paginate(stmt):
    return db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                       max_per_page=PER_PAGE, error_out=False)
