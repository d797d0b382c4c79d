"""Read-side queries: what a user may list, with filters, search and sort."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import load_only, raiseload, selectinload

from ..accounts.models import Category, Membership, MembershipRole, Site, Unit, User
from ..domain.workflow import HIDDEN_FROM_REVIEWERS, IN_REVIEW, PENDING_APPROVAL, STATES, SUBMITTED, VISIBLE_TO_ACCOUNTANTS
from ..extensions import db
from ..permissions import is_admin
from . import search
from .keyset import CAP, CappedCount, order_for, ranked
from .models import HistoryEntry, Revision, Submission, SubmissionAuthor

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _sites_where(user, roles):
    return (
        select(Membership.site_id)
        .join(MembershipRole, MembershipRole.membership_id == Membership.id)
        .where(Membership.user_id == user.id, MembershipRole.role.in_(roles))
    )


def visible_submissions(user):
    """A select of the submissions this user may see (mirrors permissions.can_see_submission).

    Written for the planner (issue 15): the reviewer's and the accountant's sites are each one
    `site_id IN (subquery)` ANDed with a state test, and co-authorship is a correlated EXISTS probing
    ix_submission_authors_user (user_id, submission_id), instead of `id IN (all my co-authored ids)`
    (a hashed subplan over a scan of submission_authors). With the page's site filter and sort the planner
    walks ix_submissions_site_updated (or the chosen sort's index) and stops after one page; the OR only
    filters the rows it reads. Same rule, same rows (tests/functional/test_permission_matrix.py)."""
    stmt = select(Submission)
    if is_admin(user):
        return stmt
    co_authored = select(SubmissionAuthor.id).where(SubmissionAuthor.user_id == user.id,
                                                    SubmissionAuthor.submission_id == Submission.id).exists()
    return stmt.where(or_(
        Submission.author_id == user.id,
        co_authored,
        and_(Submission.site_id.in_(_sites_where(user, ("editor", "approver"))),
             Submission.state.not_in(HIDDEN_FROM_REVIEWERS)),
        and_(Submission.site_id.in_(_sites_where(user, ("accountant",))),
             Submission.state.in_(VISIBLE_TO_ACCOUNTANTS)),
    ))


SORTS = ("updated_at", "-updated_at", "created_at", "-created_at", "title", "-title")


def chosen_sort(args):
    return args.get("sort") if args.get("sort") in SORTS else "-updated_at"


def awaiting(user):
    """What waits on this user: unclaimed items where they edit, items they hold, items they approve."""
    if is_admin(user):
        return Submission.state.in_((SUBMITTED, PENDING_APPROVAL))
    return or_(
        and_(Submission.state == SUBMITTED, Submission.site_id.in_(_sites_where(user, ("editor", "approver")))),
        and_(Submission.state == IN_REVIEW, Submission.assignee_id == user.id),
        and_(Submission.state == PENDING_APPROVAL, Submission.site_id.in_(_sites_where(user, ("approver",)))),
    )


def local_day_start(day):
    return datetime.combine(day, time.min, LOCAL)


def filtered_submissions(user, args, *, list_page=False):
    """The items this user may see, narrowed by the list's filters and search, in the list's order. list_page:
    loaded for a web list (LIST_PAGE_LOADS) instead of as whole items (ITEM_LOADS)."""
    stmt = visible_submissions(user)
    if args.get("site"):
        stmt = stmt.where(Submission.site_id == select(Site.id).where(Site.code == args["site"]).scalar_subquery())
    if args.get("state"):
        stmt = stmt.where(Submission.state == args["state"])
    if args.get("category"):
        stmt = stmt.where(Submission.category_id.in_(select(Category.id).where(Category.code == args["category"])))
    if args.get("content_type"):
        stmt = stmt.where(Submission.content_type == args["content_type"])
    if args.get("mine"):
        stmt = stmt.where(Submission.author_id == user.id)
    if args.get("assignee") == "me":
        stmt = stmt.where(Submission.assignee_id == user.id)
    if args.get("awaiting") == "me":
        stmt = stmt.where(awaiting(user))
    if args.get("unit"):
        stmt = stmt.where(Submission.unit_id == select(Unit.id).where(Unit.code == args["unit"]).scalar_subquery())
    if args.get("author"):
        stmt = stmt.where(Submission.author_id == select(User.id).where(User.username == args["author"]).scalar_subquery())
    if args.get("from_"):
        stmt = stmt.where(Submission.created_at >= local_day_start(args["from_"]))
    if args.get("to"):
        stmt = stmt.where(Submission.created_at < local_day_start(args["to"] + timedelta(days=1)))
    # A search lists the best matches first, then the newest, when the hits are few (search.matching:
    # beyond RANKED_LIMIT hits, newest first); the page then follows keyset.RELEVANCE (an offset cursor).
    stmt, relevance = search.matching(stmt, args.get("q"), ranked=chosen_sort(args) == "-updated_at",
                                      one_site=bool(args.get("site")))
    if relevance is not None:
        stmt = ranked(stmt.order_by(relevance))
    stmt = stmt.order_by(*order_for(chosen_sort(args)))
    return stmt.options(*(LIST_PAGE_LOADS if list_page else ITEM_LOADS))


# What the API's items read besides the row (the whole item, in four small queries a page).
ITEM_LOADS = (selectinload(Submission.site), selectinload(Submission.author), selectinload(Submission.assignee),
              selectinload(Submission.category))


# What a list page (the queue, my items) reads of each item: the columns it shows. The body, summary and search
# text are 2–8 KB a row that a list never shows; its attachments neither. Reading anything else from a listed item
# raises instead of loading it row by row. The co-authors stay: the queue asks the workflow which rows may be
# claimed. (Joining the author, holder and category into the page's statement instead of their small IN queries
# was measured slower: the planner's time for the joins over the visibility OR outweighs three round trips.)
LIST_PAGE_LOADS = (
    load_only(Submission.id, Submission.site_id, Submission.category_id, Submission.content_type,
              Submission.title, Submission.state, Submission.version, Submission.author_id,
              Submission.assignee_id, Submission.claimed_at, Submission.created_at, Submission.updated_at,
              raiseload=True),
    raiseload(Submission.attachments), selectinload(Submission.site),
    selectinload(Submission.author), selectinload(Submission.assignee), selectinload(Submission.category))


def queue_counts(site):
    """Items per state in a site's queue (what reviewers see), each capped at keyset.CAP ("1,000+"): one
    statement, a UNION ALL of one capped count per state, each read from ix_submissions_site_state (site_id,
    state, ...) and stopping at CAP + 1 entries, so ten years of published items do not make the tab slow."""
    states = [state for state in STATES if state not in HIDDEN_FROM_REVIEWERS]
    parts = [select(literal(state).label("state"), func.count().label("n")).select_from(
                 select(Submission.id).where(Submission.site_id == site.id, Submission.state == state)
                 .limit(CAP + 1).subquery())
             for state in states]
    return {state: CappedCount.of(n) for state, n in db.session.execute(union_all(*parts)) if n}


def state_entered_at(submissions):
    """When each item entered the state it is in: {id: instant}, from its history in one grouped query
    (the latest entry that moved it into that state); an item without one counts from its creation."""
    ids = [s.id for s in submissions]
    entered = {s.id: s.created_at for s in submissions}
    if not ids:
        return entered
    rows = db.session.execute(
        select(HistoryEntry.submission_id, func.max(HistoryEntry.at))
        .join(Submission, Submission.id == HistoryEntry.submission_id)
        .where(HistoryEntry.submission_id.in_(ids), HistoryEntry.to_state == Submission.state,
               or_(HistoryEntry.from_state.is_(None), HistoryEntry.from_state != HistoryEntry.to_state))
        .group_by(HistoryEntry.submission_id))
    for sub_id, at in rows:
        entered[sub_id] = at
    return entered


def home_item_counts(user, site_ids):
    """What waits for the user on the home page, for all the given sites in three grouped queries
    (never one per site): {site_id: {"queue": {state: n}, "held": n, "mine": {state: n}}}.
    "queue" counts the site's submitted and pending_approval items (the caller shows them to the
    site's reviewers only), "held" the items in review assigned to the user, "mine" the user's own items."""
    counts = {site_id: {"queue": {}, "held": 0, "mine": {}} for site_id in site_ids}
    if not site_ids:
        return counts
    for site_id, state, n in db.session.execute(
            select(Submission.site_id, Submission.state, func.count(Submission.id))
            .where(Submission.site_id.in_(site_ids), Submission.state.in_((SUBMITTED, PENDING_APPROVAL)))
            .group_by(Submission.site_id, Submission.state)):
        counts[site_id]["queue"][state] = n
    for site_id, n in db.session.execute(
            select(Submission.site_id, func.count(Submission.id))
            .where(Submission.site_id.in_(site_ids), Submission.state == IN_REVIEW, Submission.assignee_id == user.id)
            .group_by(Submission.site_id)):
        counts[site_id]["held"] = n
    for site_id, state, n in db.session.execute(
            select(Submission.site_id, Submission.state, func.count(Submission.id))
            .where(Submission.site_id.in_(site_ids), Submission.author_id == user.id)
            .group_by(Submission.site_id, Submission.state)):
        counts[site_id]["mine"][state] = n
    for entry in counts.values():  # the workflow's order, for the page
        entry["mine"] = {state: entry["mine"][state] for state in STATES if state in entry["mine"]}
    return counts


def history_of(sub):
    return db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.submission_id == sub.id).order_by(HistoryEntry.id)
    ).all()


def revisions_of(sub, newest_first=False):
    order = Revision.number.desc() if newest_first else Revision.number
    return db.session.scalars(select(Revision).where(Revision.submission_id == sub.id).order_by(order)).all()
