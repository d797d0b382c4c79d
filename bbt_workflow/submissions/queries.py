"""Read-side queries: what a user may list, with filters, search and sort."""
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Category, Membership, MembershipRole, Site, Unit, User
from ..domain.roles import ACCOUNTANT, APPROVER, REVIEW_ROLES
from ..domain.workflow import HIDDEN_FROM_REVIEWERS, IN_REVIEW, PENDING_APPROVAL, STATES, SUBMITTED, VISIBLE_TO_ACCOUNTANTS
from ..extensions import db
from ..permissions import can_approve, is_admin
from . import search
from .keyset import CAP, CappedCount, counted, order_for, ranked
from .models import HistoryEntry, Revision, SiteStateCount, Submission, SubmissionAuthor

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
        and_(Submission.site_id.in_(_sites_where(user, REVIEW_ROLES)),
             Submission.state.not_in(HIDDEN_FROM_REVIEWERS)),
        and_(Submission.site_id.in_(_sites_where(user, (ACCOUNTANT,))),
             Submission.state.in_(VISIBLE_TO_ACCOUNTANTS)),
    ))


# Beyond this many sites a user sees, the rule's OR is cheaper than the parts: most rows pass it, so walking
# everything newest first finds a page at once, while each site's part costs its own index scan (a member of
# all 36 sites at 1M: a search through the parts 1.8 s, bench/RESULTS.md).
MAX_PART_SITES = 4


def visibility_parts(user):
    """visible_submissions(user) as selects whose rows together are the same rows (None for an admin, who sees
    everything): each part of the rule on its own, one per site, for the lists across sites (_filtered). An OR
    of the parts is a condition no index answers: PostgreSQL built a search's bitmap over every site (78,000
    hits for a common phrase at 1M) and read each hit to test the rule (0.9 s for a contributor's search, 0.7 s
    for an editor's), and walked every site's items newest first to find one site's. On its own, each part is
    answered by an index: the search's GIN index (site and author are columns of it, migration 0024), the
    site's and the author's indexes in the sort's order, the user's few co-written items. The sites are the
    user's memberships as loaded (the rule reads the same rows).
    Same rows: tests/integration/test_visibility_parts.py."""
    if is_admin(user):
        return None
    reviewed = sorted(m.site_id for m in user.memberships if m.role_set & REVIEW_ROLES)
    # A reviewer of a site sees every state an accountant of it does.
    accounted = sorted(m.site_id for m in user.memberships
                       if ACCOUNTANT in m.role_set and m.site_id not in reviewed)
    if len(reviewed) + len(accounted) > MAX_PART_SITES:
        return None
    return [
        select(Submission).where(Submission.author_id == user.id),
        # Co-written by the user and not their own (those are the first part; every item lists its author).
        select(Submission).where(Submission.id.in_(select(SubmissionAuthor.submission_id)
                                                   .where(SubmissionAuthor.user_id == user.id)),
                                 Submission.author_id != user.id),
        *(select(Submission).where(Submission.site_id == site_id, Submission.state.not_in(HIDDEN_FROM_REVIEWERS))
          for site_id in reviewed),
        *(select(Submission).where(Submission.site_id == site_id, Submission.state.in_(VISIBLE_TO_ACCOUNTANTS))
          for site_id in accounted),
    ]


# Filters that keep the rows to an index of their own (the author's, the assignee's): the rule's OR then only
# filters those rows, and parts would add nothing.
_NARROW_BY_PERSON = ("mine", "author", "assignee")


def reviewed_site_items(user, site, state=None):
    """visible_submissions(user) narrowed to `site`, for a reviewer of it (an editor or approver) or an admin:
    the queue's rows. The same rows, written for the planner: the rule's OR of site subqueries took PostgreSQL
    1.3 ms to plan on every queue statement at 1,000,000 items (bench/RESULTS.md). On its own site a reviewer
    sees every item but the others' drafts and withdrawn ones; in a reviewed state, every item (the rule then
    adds nothing). The caller has checked permissions.can_review(user, site)."""
    stmt = select(Submission).where(Submission.site_id == site.id)
    if is_admin(user) or state in REVIEWED_STATES:
        return stmt
    co_authored = select(SubmissionAuthor.id).where(SubmissionAuthor.user_id == user.id,
                                                    SubmissionAuthor.submission_id == Submission.id).exists()
    return stmt.where(or_(Submission.state.not_in(HIDDEN_FROM_REVIEWERS), Submission.author_id == user.id,
                          co_authored))


SORTS = ("updated_at", "-updated_at", "created_at", "-created_at", "title", "-title")


def chosen_sort(args):
    return args.get("sort") if args.get("sort") in SORTS else "-updated_at"


def awaiting(user, reviewed_site=None):
    """What waits on this user: unclaimed items where they edit, items they hold, items they approve.
    reviewed_site: a site the user reviews, which the list keeps to (the queue): the same condition, with the
    user's roles there read already instead of two site subqueries for the planner."""
    if is_admin(user):
        return Submission.state.in_((SUBMITTED, PENDING_APPROVAL))
    if reviewed_site is not None:
        mine = [Submission.state == SUBMITTED, and_(Submission.state == IN_REVIEW, Submission.assignee_id == user.id)]
        if can_approve(user, reviewed_site):
            mine.append(Submission.state == PENDING_APPROVAL)
        return or_(*mine)
    return or_(
        and_(Submission.state == SUBMITTED, Submission.site_id.in_(_sites_where(user, REVIEW_ROLES))),
        and_(Submission.state == IN_REVIEW, Submission.assignee_id == user.id),
        and_(Submission.state == PENDING_APPROVAL, Submission.site_id.in_(_sites_where(user, (APPROVER,)))),
    )


def local_day_start(day):
    return datetime.combine(day, time.min, LOCAL)


def filtered_submissions(user, args):
    """The items this user may see, narrowed by the list's filters and search, in the list's order, loaded
    whole with their site, author, holder and category (the API's items)."""
    return _filtered(user, args).options(selectinload(Submission.site), selectinload(Submission.author),
                                         selectinload(Submission.assignee), selectinload(Submission.category))


def _filtered(user, args, reviewed_site=None):
    scope = None
    if reviewed_site is not None:  # args' site, which the user reviews
        stmt = reviewed_site_items(user, reviewed_site, args.get("state"))
    else:
        stmt = visible_submissions(user)
        if args.get("site"):
            stmt = stmt.where(Submission.site_id == select(Site.id).where(Site.code == args["site"]).scalar_subquery())
        elif not any(args.get(name) for name in _NARROW_BY_PERSON) and (parts := visibility_parts(user)):
            scope = [_narrowed(part, user, args, reviewed_site) for part in parts]
    stmt = _narrowed(stmt, user, args, reviewed_site)
    # A search lists the best matches first, then the newest, when the hits are few (search.matching:
    # beyond RANKED_LIMIT hits, newest first); the page then follows keyset.RELEVANCE (an offset cursor).
    stmt, relevance = search.matching(stmt, args.get("q"), ranked=chosen_sort(args) == "-updated_at",
                                      one_site=bool(args.get("site")), parts=scope)
    if relevance is not None:
        stmt = ranked(stmt.order_by(relevance))
    stmt = stmt.order_by(*order_for(chosen_sort(args)))
    return stmt


def _narrowed(stmt, user, args, reviewed_site):
    """`stmt` (a select of Submission) narrowed by the list's filters but the search."""
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
        stmt = stmt.where(awaiting(user, reviewed_site))
    if args.get("unit"):
        stmt = stmt.where(Submission.unit_id == select(Unit.id).where(Unit.code == args["unit"]).scalar_subquery())
    if args.get("author"):
        stmt = stmt.where(Submission.author_id == select(User.id).where(User.username == args["author"]).scalar_subquery())
    if args.get("from_"):
        stmt = stmt.where(Submission.created_at >= local_day_start(args["from_"]))
    if args.get("to"):
        stmt = stmt.where(Submission.created_at < local_day_start(args["to"] + timedelta(days=1)))
    return stmt


# What a list page (the queue, my items) shows of an item. A list reads these columns as plain rows, not whole
# items: the body, summary and search text are 2–8 KB a row that a list never shows, and building 50 ORM items
# with their five related loads was a third of a queue page's time (bench/RESULTS.md). The names it shows and
# whether the reader co-wrote the item (the claim button: services.claimable_ids) come in the same statement, as
# per-row subqueries on primary keys (two IN queries of their own cost a queue page two round trips); they
# leave the FROM alone, so the planner's choice of index for the filter and sort is unchanged.
LISTED_COLUMNS = (Submission.id, Submission.site_id, Submission.category_id, Submission.content_type,
                  Submission.title, Submission.state, Submission.version, Submission.author_id,
                  Submission.assignee_id, Submission.claimed_at, Submission.created_at, Submission.updated_at,
                  Submission.state_entered_at,
                  select(User.full_name).where(User.id == Submission.author_id).scalar_subquery().label("author_name"),
                  select(User.full_name).where(User.id == Submission.assignee_id).scalar_subquery()
                  .label("assignee_name"))


def _co_written_by(user):
    return select(SubmissionAuthor.id).where(SubmissionAuthor.submission_id == Submission.id,
                                             SubmissionAuthor.user_id == user.id).exists().label("co_written")


def queue_submissions(user, site, args, counts):
    """A site's queue as listed_submissions for a reviewer of it (`args` its filters, `counts` its queue_counts):
    marked with its total when the tab counts give it (queue_total), so the page does not count again."""
    listed = listed_submissions(user, dict(args, site=site.code), reviewed_site=site)
    known = queue_total(args, counts)
    return listed if known is None else counted(listed, known)


def listed_submissions(user, args, reviewed_site=None):
    """filtered_submissions as a list page's rows (LISTED_COLUMNS, and co_written: the user is one of the item's
    authors); keyset.seek_page pages it, listed_items completes its rows. reviewed_site: args' site, which the
    user reviews (the queue: reviewed_site_items)."""
    return _filtered(user, args, reviewed_site).with_only_columns(*LISTED_COLUMNS, _co_written_by(user),
                                                                  maintain_column_froms=True)


@dataclass(slots=True)
class ListedItem:
    """One row of a list page, with the names it shows (author_name, assignee_name; category: its name) and
    whether the reader is one of its authors (co_written). Its fields are listed_submissions' columns in their
    order, then site and category: listed_items builds it from a row's values in place (a row's _asdict() as
    keywords was 8 µs of 0.4 a row; tests/unit/test_listed_item.py keeps the orders equal)."""
    id: int
    site_id: int
    category_id: int | None
    content_type: str
    title: str
    state: str
    version: int
    author_id: int
    assignee_id: int | None
    claimed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    state_entered_at: datetime
    author_name: str
    assignee_name: str | None
    co_written: bool
    site: Site
    category: object | None


def listed_items(rows, site=None):
    """ListedItems for a page of listed_submissions rows: the categories and sites in one query each unless all
    rows are of `site` (then its own), whatever the number of rows."""
    if not rows:
        return []
    wanted = {r.category_id for r in rows if r.category_id}
    # A site's page has its categories loaded already (the filter's choices); an item's category is its site's.
    categories = {c.id: c for c in site.categories} if site is not None else {}
    if not wanted <= categories.keys():
        categories = _by_id(select(Category.id, Category.name), Category.id, wanted)
    sites = {site.id: site} if site is not None else {
        s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_({r.site_id for r in rows})))}
    return [ListedItem(*r, sites[r.site_id], categories.get(r.category_id)) for r in rows]


def _by_id(stmt, id_column, ids):
    return {row.id: row for row in db.session.execute(stmt.where(id_column.in_(ids)))} if ids else {}


REVIEWED_STATES = tuple(state for state in STATES if state not in HIDDEN_FROM_REVIEWERS)


@dataclass(slots=True)
class QueueCounts:
    """A site's queue counts (queue_counts), exact: `by_state` {state: CappedCount} for the tabs, `by_type`
    {(state, content_type): n} for a tab filtered by type."""
    by_state: dict
    by_type: dict

    def of_type(self, content_type):
        return {state: CappedCount(n) for (state, of), n in self.by_type.items() if of == content_type}


# Built once: constructing it was ~0.2 ms of each queue page, more than PostgreSQL takes to answer it.
_QUEUE_COUNTS = select(SiteStateCount.state, SiteStateCount.content_type, SiteStateCount.n).where(
    SiteStateCount.site_id == bindparam("site_id"), SiteStateCount.state.in_(REVIEWED_STATES), SiteStateCount.n > 0)


def queue_counts(site):
    """Items per state (and per type) in a site's queue (what reviewers see): read from site_state_counts (kept
    by triggers, migrations 0021 and 0023) in one statement of at most 7 × 8 rows, whatever the size of the site."""
    by_type = {(state, content_type): n
               for state, content_type, n in db.session.execute(_QUEUE_COUNTS, {"site_id": site.id})}
    by_state = Counter()
    for (state, _content_type), n in by_type.items():
        by_state[state] += n
    return QueueCounts({state: CappedCount(n) for state, n in by_state.items()}, by_type)


# The queue filters that narrow a site's items below its tab counts (the sort only orders them); a type
# filter alone does not: the counts are kept per type too.
_NARROWING = ("q", "category", "unit", "author", "from_", "to", "awaiting", "assignee", "mine")


def queue_total(args, counts):
    """The number of items the queue lists (a CappedCount), when its counts (queue_counts) already say it;
    else None, and the page counts them.

    For a reviewer of the site (the queue's viewers) or an admin, every item of a reviewed state is visible:
    a state tab without other filters than a type lists exactly its count for that state (and type). The "All"
    tab lists those and the viewer's own drafts and withdrawn items, so when the tabs together pass CAP it
    passes CAP too. Saves the page's costliest count (the visibility rule over up to CAP + 1 rows) on the
    tabs people open most."""
    if any(args.get(name) for name in _NARROWING):
        return None
    content_type = args.get("content_type")
    per_state = counts.of_type(content_type) if content_type else counts.by_state
    state = args.get("state")
    if state:
        return per_state.get(state, CappedCount(0)) if state in REVIEWED_STATES else None
    listed = sum(per_state.values())
    return CappedCount.of(listed) if listed > CAP else None


def home_item_counts(user, site_ids):
    """What waits for the user on the home page, for all the given sites in three grouped queries
    (never one per site): {site_id: {"queue": {state: n}, "held": n, "mine": {state: n}}}.
    "queue" counts the site's submitted and pending_approval items (the caller shows them to the
    site's reviewers only), "held" the items in review assigned to the user, "mine" the user's own items."""
    counts = {site_id: {"queue": {}, "held": 0, "mine": {}} for site_id in site_ids}
    if not site_ids:
        return counts
    # The queue's part from the kept counts (site_state_counts), not by counting the waiting items.
    for site_id, state, n in db.session.execute(
            select(SiteStateCount.site_id, SiteStateCount.state, func.sum(SiteStateCount.n))
            .where(SiteStateCount.site_id.in_(site_ids), SiteStateCount.state.in_((SUBMITTED, PENDING_APPROVAL)),
                   SiteStateCount.n > 0)
            .group_by(SiteStateCount.site_id, SiteStateCount.state)):
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


# An item's history and revisions name who did each step: loaded with them, not one statement per person.
def history_of(sub):
    return db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.submission_id == sub.id).order_by(HistoryEntry.id)
        .options(joinedload(HistoryEntry.actor))
    ).all()


def revisions_of(sub, newest_first=False):
    order = Revision.number.desc() if newest_first else Revision.number
    return db.session.scalars(select(Revision).where(Revision.submission_id == sub.id).order_by(order)
                              .options(joinedload(Revision.created_by))).all()
