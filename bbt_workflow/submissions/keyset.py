"""Keyset (seek) pages of submissions, and of other tables listed newest first (seek_newest: the outbox's
deliveries): a page costs the same at 10k and 1M items.

A page after the first is asked for with an opaque `cursor` (urlsafe base64 of the sort, the last row's sort
value and id): the database seeks to it through the index instead of reading and discarding OFFSET rows.
`page=N` still works (old links, API clients) as an OFFSET.

Totals: we count at most CAP + 1 rows of the filtered set (a capped count, shown as "1,000+"), never the whole
set. Chosen over a maintained counter table because the lists filter on many things (search words, author,
unit, dates, visibility) a counter could not follow; a capped count is exact for the small sets people page
through, and costs at most CAP index entries on the big ones. A first page that is not full holds every row
there is: its rows are its count, and nothing is counted.
"""
import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, union, union_all

from ..errors import ValidationFailed
from ..extensions import db
from .models import Submission

CAP = 1000
# The page order of a ranked search: relevance has no column to seek on, so its cursor holds the offset
# of the next page (opaque all the same; a search's pages are few, and ranking is bounded by the hits).
RELEVANCE = "relevance"
_RANKED = "bbt_ranked_by_relevance"  # an execution option marking a select ordered by relevance first
_COUNTED = "bbt_rows_counted"  # an execution option: the select's row count, already known (up to CAP + 1)


_PARTS = "bbt_rows_in_parts"  # an execution option: selects whose rows together are the select's (in_parts)


def ranked(stmt):
    """Mark a select ordered by relevance (a search with few hits) so seek_page pages it by offset."""
    return stmt.execution_options(**{_RANKED: True})


def in_parts(stmt, parts):
    """Mark a select of Submission whose rows are together those of `parts` (selects of Submission, unordered,
    possibly overlapping), each of which an index can walk in the sort's order where the select's OR of them
    cannot (queries.visibility_parts). seek_page then takes the page's candidates from each part's first rows
    past the cursor, and capped_count counts their union; the select itself still decides the rows."""
    return stmt.execution_options(**{_PARTS: tuple(parts)})


def counted(stmt, n):
    """Mark a select whose number of rows is already known (n, or more than CAP when n > CAP; a CappedCount
    is kept as it is: exact beyond CAP, or capped), so that
    seek_page does not count it again. A search learns it while fetching its hits' ids, and counting the
    hits a second time is the most expensive statement of a search page (bench/RESULTS.md). Only for the
    select as filtered: narrowing it further (a where() after this) would make the number wrong."""
    return stmt.execution_options(**{_COUNTED: n})


class BadCursor(ValidationFailed):
    """A cursor this app did not make (or made for another sort): 422 in the API, 400 on the pages (a link's
    query the app did not write), which show its message like any service error's."""
    page_status = 400
    page_params_to_drop = ("cursor", "page")

    def __init__(self, message):
        super().__init__(message, code="bad_cursor", details={"cursor": [str(message)]})


NOT_OURS = _l("The cursor is not one this list gave; start again from the first page.")
OTHER_SORT = _l("The cursor belongs to another sort order; start again from the first page.")


class CappedCount(int):
    """A count that stopped at CAP + 1: `capped` says the real number is larger."""
    capped = False

    @classmethod
    def of(cls, n):
        value = cls(min(n, CAP))
        value.capped = n > CAP
        return value


def sort_key(sort):
    """(column, descending) of one of queries.SORTS; ties are always broken by id, newest id first."""
    return getattr(Submission, sort.lstrip("-")), sort.startswith("-")


def order_for(sort):
    column, descending = sort_key(sort)
    return column.desc() if descending else column.asc(), Submission.id.desc()


def _encode_marked(mark, number):
    """A cursor holding one number (a ranked search's offset, a newest-first list's last id) and what it is for."""
    raw = json.dumps([mark, number], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_marked(token, mark):
    try:
        made_for, number = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, TypeError):  # also a sort's cursor (three items)
        raise BadCursor(NOT_OURS) from None
    if made_for != mark or not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise BadCursor(OTHER_SORT)
    return number


def encode_offset_cursor(offset):
    return _encode_marked(RELEVANCE, offset)


def decode_offset_cursor(token):
    return _decode_marked(token, RELEVANCE)


def encode_cursor(sort, item):
    column, _desc = sort_key(sort)
    value = getattr(item, column.key)
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([sort, value, item.id], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token, sort):
    """(value, id) of a cursor made for this sort, or BadCursor."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        made_for, value, last_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):  # also a relevance cursor (two items) given to a sort
        raise BadCursor(NOT_OURS) from None
    if made_for != sort or not isinstance(last_id, int) or not isinstance(value, str):
        raise BadCursor(OTHER_SORT)
    if sort.lstrip("-") != "title":
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise BadCursor(NOT_OURS) from None
    return value, last_id


def after(sort, token):
    """The condition "comes after the cursor's row" in the order (sort, id desc)."""
    value, last_id = decode_cursor(token, sort)
    column, descending = sort_key(sort)
    beyond = column < value if descending else column > value
    return or_(beyond, and_(column == value, Submission.id < last_id))


@dataclass
class SeekPage:
    items: list
    per_page: int
    page: int
    total: CappedCount
    next_cursor: str | None
    first: bool = field(default=True)
    ranked: bool = False  # ordered by relevance (a search with few hits), else by the sort

    @property
    def has_next(self):
        return self.next_cursor is not None


def known_count(stmt):
    """The select's number of rows when its caller marked it (counted), else None."""
    known = stmt.get_execution_options().get(_COUNTED)
    if known is None:
        return None
    return known if isinstance(known, CappedCount) else CappedCount.of(known)  # as the caller has it


def capped_count(stmt, id_column=Submission.id):
    known = known_count(stmt)
    if known is not None:
        return known
    parts = stmt.get_execution_options().get(_PARTS)
    if parts:
        # The union of each part's first CAP + 1 ids: each part counts along its own index; the union drops
        # the rows two parts share, and holds more than CAP rows exactly when the select does.
        firsts = [_ids_of(part.order_by(None).limit(CAP + 1)) for part in parts]
        limited = union(*firsts).limit(CAP + 1).subquery()
    else:
        # Only the id of each counted row: the filter's columns are read, never the items' text.
        ids = stmt.order_by(None).with_only_columns(id_column, maintain_column_froms=True)
        limited = ids.limit(CAP + 1).subquery()
    return CappedCount.of(db.session.scalar(select(func.count()).select_from(limited)))


def _ids_of(part):
    """SELECT id FROM (part's ids, ordered and limited): a compound select's members may not have their own
    ORDER BY and LIMIT on SQLite."""
    first = part.with_only_columns(Submission.id, maintain_column_froms=True).subquery()
    return select(first.c.id)


def _candidates(parts, sort, cursor, rows):
    """The ids of each part's first `rows` rows in the sort's order past the cursor: the page's rows are among
    them (a row of the page is within the first `rows` of any part holding it)."""
    walks = []
    for part in parts:
        walk = part.where(after(sort, cursor)) if cursor else part
        walks.append(_ids_of(walk.order_by(*order_for(sort)).limit(rows)))
    return union_all(*walks)


def seek_page(stmt, sort, *, cursor=None, page=1, per_page=50):
    """One page of an ordered select of Submission or of its columns (filtered_submissions, listed_submissions):
    by cursor when given, else by page number. The total is a capped count over the filter, independent of the
    cursor."""
    if stmt.get_execution_options().get(_RANKED):
        return _ranked_page(stmt, cursor=cursor, page=page, per_page=per_page)
    paged = stmt
    parts = stmt.get_execution_options().get(_PARTS)
    if parts:
        rows = per_page + 1 if cursor else page * per_page + 1
        paged = paged.where(Submission.id.in_(_candidates(parts, sort, cursor, rows)))
    if cursor:
        paged = paged.where(after(sort, cursor))
        page = None
    elif page > 1:
        # A numbered page (old links, the API's `page`): its ids first, which the sort's index alone can give
        # (ix_submissions_site_state ends with the id), then its rows by id; an OFFSET over the rows read every
        # skipped row from the table (page 50 of a state tab: 2,500 rows, 4.8 ms at 1,000,000 items).
        ids = paged.with_only_columns(Submission.id, maintain_column_froms=True)
        paged = paged.where(Submission.id.in_(ids.offset((page - 1) * per_page).limit(per_page + 1)))
    rows = _fetch(paged.limit(per_page + 1))
    items = rows[:per_page]
    next_cursor = encode_cursor(sort, items[-1]) if len(rows) > per_page else None
    first = not cursor and (page or 1) == 1
    return SeekPage(items=items, per_page=per_page, page=page, total=_total(stmt, rows, first, per_page),
                    next_cursor=next_cursor, first=first)


def _total(stmt, rows, first, per_page, id_column=Submission.id):
    """The page's total: as its caller knows it, else the rows of a first page that is not full (all there
    are: the lists people work from — what awaits me, a narrow filter — mostly fit on one page), else counted."""
    if first and len(rows) <= per_page and known_count(stmt) is None:
        return CappedCount.of(len(rows))
    return capped_count(stmt, id_column)


def _ranked_page(stmt, *, cursor, page, per_page):
    offset = decode_offset_cursor(cursor) if cursor else (page - 1) * per_page
    rows = _fetch(stmt.offset(offset).limit(per_page + 1))
    items = rows[:per_page]
    next_cursor = encode_offset_cursor(offset + per_page) if len(rows) > per_page else None
    return SeekPage(items=items, per_page=per_page, page=None if cursor else page,
                    total=_total(stmt, rows, offset == 0, per_page), next_cursor=next_cursor, first=offset == 0,
                    ranked=True)


def _fetch(stmt):
    """The page's Submissions for a select of the entity (the API), its rows for a select of columns (the list
    pages' queries.listed_submissions; a cursor reads the sort column from either by name)."""
    result = db.session.execute(stmt)
    return result.scalars().all() if stmt.column_descriptions[0]["expr"] is Submission else result.all()


# A list newest first by its id (seek_newest): the cursor holds this mark and the last row's id.
NEWEST = "-id"


def encode_newest_cursor(last_id):
    return _encode_marked(NEWEST, last_id)


def decode_newest_cursor(token):
    """The last id of a cursor made by seek_newest, or BadCursor (also for a cursor of the submissions' lists)."""
    return _decode_marked(token, NEWEST)


def seek_newest(stmt, id_column, *, cursor=None, page=1, per_page=50):
    """One page of a select of one entity ordered by `id_column` descending (the outbox's deliveries): after
    the cursor's id when given (the primary key seeks to it), else by page number (old links; an OFFSET). The
    total is a capped count like the submissions' lists: a site's outbox grows by every publication, and an
    exact count and a deep OFFSET both read every row before the page (bench/RESULTS.md, 2026-12-05)."""
    paged = stmt
    if cursor:
        paged = paged.where(id_column < decode_newest_cursor(cursor))
        page = None
    elif page > 1:
        paged = paged.offset((page - 1) * per_page)
    rows = db.session.scalars(paged.limit(per_page + 1)).all()
    items = rows[:per_page]
    next_cursor = encode_newest_cursor(getattr(items[-1], id_column.key)) if len(rows) > per_page else None
    first = not cursor and (page or 1) == 1
    return SeekPage(items=items, per_page=per_page, page=page, total=_total(stmt, rows, first, per_page, id_column),
                    next_cursor=next_cursor, first=first)
