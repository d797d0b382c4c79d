"""The report figures, read with SQL aggregation (one grouped query per figure, no loop over items).

Scope: `site_ids` is a list of site ids, or None for every site. Periods arrive as UTC bounds
[begin, until) computed once from local days (domain/report_figures.utc_bounds).

Definitions (API.md "Reports summary"):
- published in a period: `published_at` in it and the item is published now (state `published`): an
  item taken down (`unpublished`), or taken down and waiting to be published again (`approved`), does
  not count. Imported items count like the others.
- the units of a site: the units of the users with a membership on it (any role), active ones; the
  `by_unit` map also shows any other unit that has published items in the period. Items without a
  unit are in the total but in no unit.
- the categories of a site: its categories (active, or with items in the period), keyed by code; for
  every site, the same code on two sites is one topic.
- contributors' items: the item's author holds only the contributor role on the item's site.
- lead time: first submit → publish, for items published in the period through the workflow
  (imported items carry no such times and are left out).
- spending: lines of approved or paid sheets of the scope whose month overlaps the period;
  an adjustment counts with the kind of the line it corrects (royalty or fee).
"""
from datetime import date

from sqlalchemy import and_, case, distinct, exists, func, select, true
from sqlalchemy.orm import aliased

from ..accounts.models import Category, Membership, MembershipRole, PlanTarget, Site, Unit, User
from ..domain.report_figures import utc_bounds
from ..domain.roles import CONTRIBUTOR
from ..domain.sheet_workflow import APPROVED as SHEET_APPROVED
from ..domain.sheet_workflow import PAID as SHEET_PAID
from ..domain.workflow import IN_REVIEW, PENDING_APPROVAL, PUBLISHED, SUBMITTED
from ..extensions import db
from ..royalties.models import RoyaltyLine, RoyaltySheet
from ..submissions.models import HistoryEntry, Submission

WAITING_STATES = (SUBMITTED, IN_REVIEW, PENDING_APPROVAL)
REVIEW_DECISIONS = ("forward", "approve", "return", "reject")
TOP_REASONS = 5


def _in_scope(column, site_ids):
    return true() if site_ids is None else column.in_(site_ids)


def _published_in(site_ids, begin, until):
    return and_(_in_scope(Submission.site_id, site_ids), Submission.state == PUBLISHED,
                Submission.published_at >= begin, Submission.published_at < until)


def published_count(site_ids, begin, until):
    """SELECT count(*) FROM submissions WHERE site IN scope AND state = 'published'
    AND published_at in [begin, until)  (index-only on ix_submissions_report)."""
    return db.session.scalar(select(func.count(Submission.id)).where(_published_in(site_ids, begin, until))) or 0


def published_by_content_type(site_ids, begin, until):
    """SELECT content_type, count(*) … GROUP BY content_type → {code: n}."""
    rows = db.session.execute(select(Submission.content_type, func.count(Submission.id))
                              .where(_published_in(site_ids, begin, until)).group_by(Submission.content_type))
    return dict(rows.all())


def published_by_category(site_ids, begin, until):
    """SELECT categories.code, count(*) FROM submissions JOIN categories … GROUP BY categories.code."""
    rows = db.session.execute(select(Category.code, func.count(Submission.id))
                              .join(Category, Category.id == Submission.category_id)
                              .where(_published_in(site_ids, begin, until)).group_by(Category.code))
    return dict(rows.all())


def published_by_unit(site_ids, begin, until):
    """SELECT units.code, count(*) FROM submissions JOIN units (the item's unit) … GROUP BY units.code."""
    rows = db.session.execute(select(Unit.code, func.count(Submission.id))
                              .join(Unit, Unit.id == Submission.unit_id)
                              .where(_published_in(site_ids, begin, until)).group_by(Unit.code))
    return dict(rows.all())


def category_codes(site_ids):
    """SELECT DISTINCT code FROM categories WHERE site IN scope AND active."""
    return set(db.session.scalars(select(Category.code).distinct().where(
        _in_scope(Category.site_id, site_ids), Category.active.is_(True))))


def member_unit_codes(site_ids):
    """SELECT DISTINCT units.code FROM memberships JOIN users JOIN units WHERE site IN scope AND unit active."""
    return set(db.session.scalars(
        select(Unit.code).distinct().select_from(Membership)
        .join(User, User.id == Membership.user_id).join(Unit, Unit.id == User.unit_id)
        .where(_in_scope(Membership.site_id, site_ids), Unit.active.is_(True))))


def plan_target(site_ids, year):
    """SELECT count(*), sum(plan_items), sum(royalty_budget) FROM plan_targets WHERE site IN scope AND year.
    (None, None) when no target is set for the year."""
    count, items, budget = db.session.execute(
        select(func.count(PlanTarget.id), func.sum(PlanTarget.plan_items), func.sum(PlanTarget.royalty_budget))
        .where(_in_scope(PlanTarget.site_id, site_ids), PlanTarget.year == year)).one()
    if not count:
        return None, None
    return int(items or 0), int(budget or 0)


def _contributor_only():
    """The item's author holds the contributor role on its site, and no other role there."""
    def role_on_site(condition):
        return exists(select(MembershipRole.role).join(Membership, Membership.id == MembershipRole.membership_id)
                      .where(Membership.user_id == Submission.author_id, Membership.site_id == Submission.site_id,
                             condition))
    return and_(role_on_site(MembershipRole.role == CONTRIBUTOR), ~role_on_site(MembershipRole.role != CONTRIBUTOR))


def _contributors_items(site_ids):
    """The scope's items whose author is only a contributor on the item's site. A subquery (not a join
    from each history row): the databases read it from ix_submissions_report (site_id … author_id … id)
    instead of fetching a wide submissions row per decision (bench/RESULTS.md)."""
    return select(Submission.id).where(_in_scope(Submission.site_id, site_ids), _contributor_only())


def _decisions(site_ids, begin, until):
    """The review decisions of the period on the scope's contributors' items. The scope is read from the
    history's own `site_id` (copied from the item, migration 0010): a site's decisions of a period are one
    range of ix_submission_history_site_action_at, a few thousand entries at 1M items, instead of a probe
    of each of the site's items' history or a read of every site's decisions (bench/RESULTS.md)."""
    return and_(_in_scope(HistoryEntry.site_id, site_ids), HistoryEntry.action.in_(REVIEW_DECISIONS),
                HistoryEntry.at >= begin, HistoryEntry.at < until,
                HistoryEntry.submission_id.in_(_contributors_items(site_ids)))


def _items_with(action):
    """count(DISTINCT CASE WHEN action = … THEN submission_id END): the items with that decision, in the
    same pass as `reviewed` (both databases; SQLite has no GROUPING SETS)."""
    return func.count(distinct(case((HistoryEntry.action == action, HistoryEntry.submission_id))))


def contributor_decisions(site_ids, begin, until):
    """Items of contributors decided in the period, one pass over the history (index-only):
    SELECT count(DISTINCT submission_id), count(DISTINCT CASE WHEN action = 'approve' THEN submission_id END),
    … 'return' …, … 'reject' … FROM submission_history
    WHERE site IN scope AND action IN (forward, approve, return, reject) AND at in [begin, until)
    AND submission_id IN (the scope's items whose author is a contributor only)."""
    reviewed, approved, returned, rejected = db.session.execute(
        select(func.count(distinct(HistoryEntry.submission_id)), _items_with("approve"), _items_with("return"),
               _items_with("reject")).where(_decisions(site_ids, begin, until))).one()
    return {"reviewed": reviewed or 0, "approved": approved or 0, "returned": returned or 0,
            "rejected": rejected or 0}


def top_return_reasons(site_ids, begin, until):
    """The most frequent comments of `return` on contributors' items in the period:
    SELECT comment, count(*) … WHERE action = 'return' GROUP BY comment ORDER BY count DESC, comment LIMIT 5."""
    count = func.count(HistoryEntry.id).label("n")
    rows = db.session.execute(
        select(HistoryEntry.comment, count)
        .where(_decisions(site_ids, begin, until), HistoryEntry.action == "return", HistoryEntry.comment.is_not(None))
        .group_by(HistoryEntry.comment).order_by(count.desc(), HistoryEntry.comment).limit(TOP_REASONS))
    return [{"reason": comment, "count": n} for comment, n in rows.all()]


def _hours_between(start, end):
    if db.session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24
    return func.extract("epoch", end - start) / 3600


def lead_time_hours(site_ids, begin, until):
    """Hours from first submit to publish of the items published in the period through the workflow,
    ascending: SELECT (published_at - first_submitted_at) in hours … WHERE external_id IS NULL ORDER BY 1.
    One number per item of the period (the median and p90 are taken from it)."""
    hours = _hours_between(Submission.first_submitted_at, Submission.published_at)
    return [float(h) for h in db.session.scalars(
        select(hours).where(_published_in(site_ids, begin, until), Submission.external_id.is_(None),
                            Submission.first_submitted_at.is_not(None)).order_by(hours))]


def waiting_now(site_ids):
    """SELECT state, count(*) FROM submissions WHERE site IN scope AND state IN (waiting states)
    GROUP BY state  (index ix_submissions_site_state)."""
    rows = dict(db.session.execute(
        select(Submission.state, func.count(Submission.id))
        .where(_in_scope(Submission.site_id, site_ids), Submission.state.in_(WAITING_STATES))
        .group_by(Submission.state)).all())
    return {state: rows.get(state, 0) for state in WAITING_STATES}


def spending(site_ids, start, end):
    """Royalties and fees of approved or paid sheets whose month overlaps the local days start..end:
    SELECT coalesce(corrected.kind, line.kind), sum(amount) FROM royalty_lines JOIN royalty_sheets
    LEFT JOIN royalty_lines corrected (an adjustment's original) WHERE sheet state IN (approved, paid)
    AND period_start <= end AND period_end >= start GROUP BY 1 → (royalties, fees)."""
    corrected = aliased(RoyaltyLine)
    kind = case((RoyaltyLine.kind == "adjustment", corrected.kind), else_=RoyaltyLine.kind)
    rows = dict(db.session.execute(
        select(kind, func.sum(RoyaltyLine.amount))
        .join(RoyaltySheet, RoyaltySheet.id == RoyaltyLine.sheet_id)
        .outerjoin(corrected, corrected.id == RoyaltyLine.adjustment_of_id)
        .where(_in_scope(RoyaltySheet.site_id, site_ids), RoyaltySheet.state.in_((SHEET_APPROVED, SHEET_PAID)),
               RoyaltySheet.period_start <= end, RoyaltySheet.period_end >= start)
        .group_by(kind)).all())
    return int(rows.get("royalty") or 0), int(rows.get("fee") or 0)



def category_names(site_ids, codes):
    """SELECT code, name FROM categories WHERE site IN scope AND code IN (codes) ORDER BY site_id → {code: name}
    (for every site, the first site's name of a shared code)."""
    rows = db.session.execute(select(Category.code, Category.name).where(
        _in_scope(Category.site_id, site_ids), Category.code.in_(list(codes))).order_by(Category.site_id.desc()))
    return dict(rows.all())


def unit_names(codes):
    """SELECT code, name FROM units WHERE code IN (codes) → {code: name}."""
    return dict(db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(list(codes)))).all())


def site_name(site_ids):
    """The site's name (one site), or None for every site."""
    if site_ids is None or len(site_ids) != 1:
        return None
    return db.session.scalar(select(Site.name).where(Site.id == site_ids[0]))


def published_by_month(site_ids, year):
    """Items published in each local month of `year` and still published, {month: n} (months without items
    left out). One grouped query on both databases: the month is a CASE over the twelve months' UTC starts
    (computed once, as `utc_bounds` does for a period), not a database date function:
    SELECT month, count(*) FROM (SELECT CASE WHEN published_at < feb THEN 1 … ELSE 12 END AS month
    FROM submissions WHERE site IN scope AND state = 'published' AND published_at in the year) GROUP BY month."""
    starts = [utc_bounds(date(year, month, 1), date(year, month, 1))[0] for month in range(1, 13)]
    year_end = utc_bounds(date(year, 12, 31), date(year, 12, 31))[1]
    month = case(*[(Submission.published_at < starts[m], m) for m in range(1, 12)], else_=12)
    # Grouped over a subquery: PostgreSQL would not see the CASE of GROUP BY, bound with its own
    # parameters, as the CASE of SELECT.
    months = select(month.label("month")).where(_published_in(site_ids, starts[0], year_end)).subquery()
    rows = db.session.execute(select(months.c.month, func.count()).group_by(months.c.month))
    return {int(m): n for m, n in rows.all()}
