from ..extensions import db


def paginate(stmt, args):
    """Run a select as one page of the API's list shape: {items, page, per_page, total}."""
    page = db.paginate(stmt, page=args.get("page", 1), per_page=args.get("per_page", 50),
                       max_per_page=200, error_out=False)
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}
