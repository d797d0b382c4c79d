from ..extensions import db
from ..submissions.keyset import seek_newest, seek_page
from ..submissions.queries import chosen_sort


def paginate(stmt, args):
    """Run a select as one page of the API's list shape: {items, page, per_page, total}."""
    page = db.paginate(stmt, page=args.get("page", 1), per_page=args.get("per_page", 50),
                       max_per_page=200, error_out=False)
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}


def seek(stmt, args):
    """A keyset page of submissions (submissions.keyset) in the same shape, plus next_cursor and total_capped.
    `cursor` wins over `page`; a bad cursor is a 422 (BadCursor is a ValidationFailed)."""
    return _keyset_shape(seek_page(stmt, chosen_sort(args), cursor=args.get("cursor"), page=args.get("page", 1),
                                   per_page=args.get("per_page", 50)))


def seek_by_newest(stmt, id_column, args):
    """A keyset page of a list newest first by its id (keyset.seek_newest: the deliveries), in the same shape
    as seek. `cursor` wins over `page`; a bad cursor is a 422."""
    return _keyset_shape(seek_newest(stmt, id_column, cursor=args.get("cursor"), page=args.get("page", 1),
                                     per_page=args.get("per_page", 50)))


def _keyset_shape(page):
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total,
            "total_capped": page.total.capped, "next_cursor": page.next_cursor}
