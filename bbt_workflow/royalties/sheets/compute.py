"""Computing a draft sheet: its lines from the items published in its period, adjustments for
items already paid that changed since, and each payee's totals with the withheld tax
(ROYALTIES.md, computation). Flushes; the caller's entry point commits.
"""
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select
from sqlalchemy.orm import selectinload

from ...accounts.models import Membership, MembershipRole, User
from ...bulk_rows import insert_rows
from ...db_types import utcnow
from ...domain.roles import APPROVER as APPROVER_ROLE
from ...domain.royalty_rules import VIETNAM, fee_amount, local_date, split_by_shares, withholding_tax
from ...domain.sheet_workflow import DRAFT, PAID
from ...domain.workflow import PUBLISHED
from ...errors import ServiceError, ValidationFailed
from ...extensions import db
from ...submissions.models import HistoryEntry, Submission
from ...versioning import flush_or_conflict
from ..grading.services import price_part
from ..models import Grading, GradingFactor, GradingPart, GradingPayee, Incentive, Payee, RoyaltyLine, RoyaltySheet, SheetPayee
from ..payees.services import payee_for_user
from ..rules.queries import base_salary_on, fee_rules_on, regulation_on, site_factor_on, tax_rule_on, unit_value_on

INCENTIVE_LABEL = _l("Incentive royalty")
FEE_ROLE_LABELS = {"editor": _l("Editing fee"), "approver": _l("Approval fee"), "provider": _l("Information fee")}
STALE_SHEET = _l("This sheet was changed by someone else. Reload it and try again.")


def _utc_bounds(start, end):
    """Vietnam days [start, end] as UTC instants [from, to)."""
    begins = datetime.combine(start, time(0), VIETNAM)
    ends = datetime.combine(end + timedelta(days=1), time(0), VIETNAM)
    return begins, ends


class _Rules:
    """Rule lookups memoised per day for one computation (thousands of items share a few days)."""

    def __init__(self, site):
        self.site = site
        self._regulation, self._fees, self._unit_value = {}, {}, {}

    def regulation(self, on):
        if on not in self._regulation:
            self._regulation[on] = regulation_on(self.site, on)
        return self._regulation[on]

    def fees(self, on):
        if on not in self._fees:
            self._fees[on] = fee_rules_on(self.site, on)
        return self._fees[on]

    def unit_value(self, on):
        if on not in self._unit_value:
            self._unit_value[on] = unit_value_on(on)
        return self._unit_value[on]


def _price(site, rules, on, part, cache):
    key = (on, part.genre_code, Decimal(part.coefficient), tuple(Decimal(f.value) for f in part.factors))
    if key not in cache:
        amount, unit_value, site_factor = price_part(site, on, part.genre_code, Decimal(part.coefficient),
                                                     [Decimal(f.value) for f in part.factors], rules.regulation(on))
        cache[key] = (amount, unit_value, site_factor, base_salary_on(on).id, site_factor_on(site, on).id)
    return cache[key]


def _fee_people(sub, steps, grading):
    """Who earns each fee role on an item: the editor who forwarded it (or held it when it was approved
    directly), the approver who approved it, and the information provider named in the grading."""
    forwarded, approved = steps.get((sub.id, "forward")), steps.get((sub.id, "approve"))
    people = {}
    editor = forwarded or (approved if approved and approved[1] == "editor" else None)
    if editor:
        people["editor"] = editor[0]
    if approved and approved[1] == "approver":
        people["approver"] = approved[0]
    return people, grading.provider_payee_id if grading is not None else None


def _user_payee_id(users, user_id):
    """users: {user id: User}, memoising each user's payee id under ("payee", id)."""
    key = ("payee", user_id)
    if key not in users:
        users[key] = payee_for_user(users[user_id]).id
    return users[key]


def _expected_lines(site, sub, grading, steps, rules, cache, users):
    """The lines an item earns now: [(kind, payee, part, fee_rule, genre_label, values..., amount)]."""
    on = local_date(sub.published_at)
    regulation = rules.regulation(on)
    genres = {g.code: g for g in regulation.genres}
    lines, royalty_total = [], 0
    for part in grading.parts:
        amount, unit_value, site_factor, salary_id, factor_id = _price(site, rules, on, part, cache)
        royalty_total += amount
        shares = [Decimal(p.share) for p in part.payees]
        factors = [{"code": f.code, "value": str(Decimal(f.value).normalize()), "reason": f.reason}
                   for f in part.factors]
        genre = genres.get(part.genre_code)
        for gp, line_amount in zip(part.payees, split_by_shares(amount, shares)):
            lines.append(dict(
                kind="royalty", payee_id=gp.payee_id, grading_part_id=part.id, fee_rule_id=None, fee_role=None,
                genre_code=part.genre_code, genre_label=genre.label if genre else part.genre_code,
                coefficient=Decimal(part.coefficient), unit_value=unit_value, site_factor=site_factor,
                factors_json=json.dumps(factors, ensure_ascii=False), share=Decimal(gp.share), amount=line_amount,
                regulation_id=regulation.id, base_salary_id=salary_id, site_factor_id=factor_id,
            ))
    fee_rules = rules.fees(on)
    if fee_rules:
        people, provider_payee_id = _fee_people(sub, steps, grading)
        unit_value = rules.unit_value(on)
        for role, rule in sorted(fee_rules.items()):
            if role == "provider":
                payee_id = provider_payee_id
            else:
                payee_id = _user_payee_id(users, people[role]) if role in people else None
            if payee_id is None:
                continue
            amount = fee_amount(rule.kind, Decimal(rule.value), royalty_total=royalty_total, unit_value_vnd=unit_value)
            lines.append(dict(
                kind="fee", payee_id=payee_id, grading_part_id=None, fee_rule_id=rule.id, fee_role=role, genre_code=None,
                genre_label=str(FEE_ROLE_LABELS[role]),
                coefficient=Decimal(rule.value) if rule.kind == "coefficient" else None,
                unit_value=unit_value if rule.kind == "coefficient" else None, site_factor=None, factors_json="[]",
                share=Decimal(rule.value) if rule.kind == "percent" else None, amount=amount,
                regulation_id=None, base_salary_id=None, site_factor_id=None,
            ))
    return lines


def _steps_of(submission_ids):
    """(submission, action) → (actor id, 'editor'|'approver'): the last forward and approve of each item."""
    rows = db.session.execute(
        select(HistoryEntry.submission_id, HistoryEntry.action, HistoryEntry.actor_id)
        .where(HistoryEntry.submission_id.in_(submission_ids), HistoryEntry.action.in_(("forward", "approve")),
               HistoryEntry.actor_id.is_not(None))
        .order_by(HistoryEntry.id)
    ).all()
    actor_ids = {r.actor_id for r in rows}
    approvers = set()
    if actor_ids:
        approvers = {
            (user_id, site_id) for user_id, site_id in db.session.execute(
                select(Membership.user_id, Membership.site_id)
                .join(MembershipRole, MembershipRole.membership_id == Membership.id)
                .where(Membership.user_id.in_(actor_ids), MembershipRole.role == APPROVER_ROLE)
            )
        } | {(u, "admin") for u in db.session.scalars(select(User.id).where(User.id.in_(actor_ids),
                                                                             User.is_admin.is_(True)))}
    return rows, approvers


def _chunks(ids, size=500):
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


@dataclass
class SheetPlan:
    """What a computation read (its lines, warnings, the regulations used), before anything is written."""
    read_at: datetime
    lines: list
    warnings: list
    regulation_label: str


def planned_sheet(site, start, end):
    """A sheet not created yet, as much as the read phase needs of it: no row, so nothing is written."""
    return SimpleNamespace(id=None, site=site, site_id=site.id, period_start=start, period_end=end)


def compute_sheet(sheet, plan=None):
    """Recompute a draft sheet's lines and totals from the items published in its period (and those
    of earlier periods left on no sheet because their own sheet was closed before they came).
    With `plan` (from plan_sheet, read before) only the writing is left to do."""
    # The labels, notes and warnings stored on the sheet are the accounting document's text:
    # Vietnamese, whatever the language of the page that asked for the computation.
    with force_locale("vi"):
        if sheet.state != DRAFT:
            raise ValidationFailed(_l("Only a draft sheet is recomputed."), code="sheet_locked")
        if plan is None:
            # Claim the sheet (its version) before reading: a second computation at the same
            # time waits here and then fails as stale, instead of inserting the lines a second time.
            read_at = sheet.computed_at = utcnow()
            flush_or_conflict(STALE_SHEET)
            plan = _plan(sheet, read_at, None)
        return _write(sheet, plan)


def plan_sheet(sheet, progress=None):
    """The read phase alone: it writes nothing, so the caller may commit between items (a background
    task's progress) and a failure leaves the sheet as it was. `progress(done, total)` after each item.
    (A payee record missing for a fee's user is the one thing it may add: every user has one anyway.)"""
    with force_locale("vi"):
        return _plan(sheet, utcnow(), progress)


def _plan(sheet, read_at, progress):
    site = sheet.site
    items = _items_to_pay(sheet)
    adjust_candidates = _adjustment_candidates(sheet)
    all_ids = [s.id for s in items] + [s.id for s in adjust_candidates]
    gradings = _current_gradings_of(all_ids)
    steps, users = _steps_and_users(all_ids, site)
    rules, cache = _Rules(site), {}
    warnings, new_lines = [], []
    total = len(items) + len(adjust_candidates)
    for done, sub in enumerate(items, 1):
        if progress is not None:
            progress(done - 1, total)
        grading = gradings.get(sub.id)
        if grading is None:
            warnings.append(str(_l("Item #%(id)s “%(title)s” has no grading: not on the sheet.", id=sub.id,
                                   title=sub.title[:80])))
            continue
        try:
            expected = _expected_lines(site, sub, grading, steps, rules, cache, users)
        except ServiceError as exc:
            warnings.append(str(_l("Item #%(id)s: %(problem)s", id=sub.id, problem=exc.message)))
            continue
        for line in expected:
            line.update(submission_id=sub.id, published_at=sub.published_at, adjustment_of_id=None, note="")
            new_lines.append(line)
    new_lines += _adjustment_lines(sheet, adjust_candidates, gradings, steps, rules, cache, users, warnings)
    new_lines += _incentive_lines(sheet)
    if progress is not None:
        progress(total, total)
    labels = sorted({r.source_text or r.name for r in rules._regulation.values()})
    return SheetPlan(read_at, new_lines, warnings, "; ".join(labels)[:500])


def _write(sheet, plan):
    # computed_at is when the items were read: a change after it is an adjustment once paid.
    sheet.computed_at = plan.read_at
    flush_or_conflict(STALE_SHEET)
    db.session.execute(delete(SheetPayee).where(SheetPayee.sheet_id == sheet.id))
    db.session.execute(delete(RoyaltyLine).where(RoyaltyLine.sheet_id == sheet.id))
    new_lines = [dict(line, sheet_id=sheet.id) for line in plan.lines]
    if new_lines:
        for line in new_lines:
            line.setdefault("incentive_id", None)
        # Every row with the same keys: one batch on SQLite (the ORM would otherwise group rows by the
        # keys that are not None, and a fee line after each royalty line made every row its own INSERT),
        # COPY on PostgreSQL.
        insert_rows(RoyaltyLine, new_lines)
    _totals(sheet, new_lines)
    sheet.warnings = "\n".join(plan.warnings)
    sheet.regulation_label = plan.regulation_label
    db.session.flush()
    return sheet


def _items_to_pay(sheet):
    """The site's published items of the sheet's period on no other sheet, as plain rows."""
    site = sheet.site
    begins, ends = _utc_bounds(sheet.period_start, sheet.period_end)
    elsewhere = select(RoyaltyLine.submission_id).where(RoyaltyLine.sheet_id != sheet.id)
    # Items of an earlier month whose sheet was already checked or paid when they came (imported or
    # graded late) are on no sheet: this one takes them, or nobody ever would.
    closed = [_utc_bounds(start, end) for start, end in db.session.execute(
        select(RoyaltySheet.period_start, RoyaltySheet.period_end).where(
            RoyaltySheet.site_id == site.id, RoyaltySheet.state != DRAFT,
            RoyaltySheet.period_end < sheet.period_start))]
    since = min([begins] + [start for start, _end in closed])
    # Plain rows, not Submission objects: a month of a busy portal is thousands of items.
    return [row for row in db.session.execute(
        select(Submission.id, Submission.published_at, Submission.title, Submission.state).where(
            Submission.site_id == site.id, Submission.state == PUBLISHED, Submission.royalty_settled.is_(False),
            Submission.published_at >= since, Submission.published_at < ends,
            Submission.id.not_in(elsewhere),
        ).order_by(Submission.published_at, Submission.id)
    ) if row.published_at >= begins or any(start <= row.published_at < end for start, end in closed)]


@dataclass
class _GradedPart:
    """A grading part as the computation reads it: rows, not ORM objects (a month of a busy portal is
    ~50,000 parts, factors and payees; as ORM objects they cost ~1.3 s of a 20,000-line sheet's 5 s)."""
    id: int
    genre_code: str
    coefficient: object
    factors: list = field(default_factory=list)  # rows (code, value, reason), in the grading's order
    payees: list = field(default_factory=list)  # rows (payee_id, share), in the grading's order


@dataclass
class _CurrentGrading:
    provider_payee_id: int | None
    parts: list = field(default_factory=list)


def _current_gradings_of(ids):
    """{submission id: _CurrentGrading} of the items' current gradings: four queries per 500 items."""
    gradings = {}
    for chunk in _chunks(ids):
        by_id = {}
        for grading_id, submission_id, provider_payee_id in db.session.execute(
                select(Grading.id, Grading.submission_id, Grading.provider_payee_id)
                .where(Grading.submission_id.in_(chunk), Grading.is_current.is_(True))):
            by_id[grading_id] = gradings[submission_id] = _CurrentGrading(provider_payee_id)
        if not by_id:
            continue
        parts = {}
        for part_id, grading_id, genre_code, coefficient in db.session.execute(
                select(GradingPart.id, GradingPart.grading_id, GradingPart.genre_code, GradingPart.coefficient)
                .where(GradingPart.grading_id.in_(list(by_id))).order_by(GradingPart.position, GradingPart.id)):
            parts[part_id] = _GradedPart(part_id, genre_code, coefficient)
            by_id[grading_id].parts.append(parts[part_id])
        if not parts:
            continue
        for factor in db.session.execute(
                select(GradingFactor.part_id, GradingFactor.code, GradingFactor.value, GradingFactor.reason)
                .where(GradingFactor.part_id.in_(list(parts))).order_by(GradingFactor.id)):
            parts[factor.part_id].factors.append(factor)
        for payee in db.session.execute(
                select(GradingPayee.part_id, GradingPayee.payee_id, GradingPayee.share)
                .where(GradingPayee.part_id.in_(list(parts))).order_by(GradingPayee.id)):
            parts[payee.part_id].payees.append(payee)
    return gradings


def _steps_and_users(ids, site):
    """({(submission, action): (actor id, 'editor'|'approver')}, {user id: User}) for the fee lines."""
    steps, approvers = {}, set()
    for chunk in _chunks(ids):
        rows, chunk_approvers = _steps_of(chunk)
        approvers |= chunk_approvers
        for row in rows:
            steps[(row.submission_id, row.action)] = row.actor_id
    steps = {key: (actor, "approver" if (actor, site.id) in approvers or (actor, "admin") in approvers else "editor")
             for key, actor in steps.items()}
    user_ids = {actor for actor, _ in steps.values()}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    return steps, users


def _adjustment_candidates(sheet):
    """Items with lines on a paid sheet of this site for an earlier period that changed after those
    lines were computed: taken down, republished, regraded (each writes the item's history). Nothing
    else moves a paid line — not a later edit of the rates, not someone's change of roles — and the
    items paid years ago are not all priced again on every sheet."""
    changed_since = exists().where(HistoryEntry.submission_id == RoyaltyLine.submission_id,
                                   HistoryEntry.at > RoyaltySheet.computed_at)
    paid = select(RoyaltyLine.submission_id).join(RoyaltySheet, RoyaltySheet.id == RoyaltyLine.sheet_id).where(
        RoyaltySheet.site_id == sheet.site_id, RoyaltySheet.state == PAID,
        RoyaltySheet.period_end < sheet.period_start, changed_since)
    return db.session.execute(
        select(Submission.id, Submission.published_at, Submission.title, Submission.state)
        .where(Submission.id.in_(paid)).order_by(Submission.id)
    ).all()


def _adjustment_lines(sheet, candidates, gradings, steps, rules, cache, users, warnings):
    """What an item earns now minus what other sheets already hold, per payee and kind."""
    if not candidates:
        return []
    ids = [s.id for s in candidates]
    held = defaultdict(int)
    first_line = {}
    # Incentive lines pay awards, not the grading: they never enter what the grading now earns.
    for line in db.session.scalars(select(RoyaltyLine).where(RoyaltyLine.submission_id.in_(ids),
                                                             RoyaltyLine.sheet_id != sheet.id,
                                                             RoyaltyLine.kind != "incentive")
                                   .order_by(RoyaltyLine.id)):
        key = (line.submission_id, line.payee_id, line.fee_role)
        held[key] += line.amount
        if line.kind != "adjustment":
            first_line.setdefault(key, line)
    lines = []
    for sub in candidates:
        expected = defaultdict(int)
        labels = {}
        grading = gradings.get(sub.id)
        if sub.state == PUBLISHED and grading is not None and sub.published_at is not None:
            try:
                for line in _expected_lines(sheet.site, sub, grading, steps, rules, cache, users):
                    key = (sub.id, line["payee_id"], line["fee_role"])
                    expected[key] += line["amount"]
                    labels[key] = line["genre_label"]
            except ServiceError as exc:
                warnings.append(str(_l("Item #%(id)s: %(problem)s", id=sub.id, problem=exc.message)))
                continue
        for key in sorted(set(expected) | {k for k in held if k[0] == sub.id}, key=lambda k: (k[1], k[2] or "")):
            delta = expected.get(key, 0) - held.get(key, 0)
            if delta == 0:
                continue
            original = first_line.get(key)
            reason = (_l("Unpublished after payment") if sub.state != PUBLISHED
                      else _l("Regraded after payment"))
            lines.append(dict(
                sheet_id=sheet.id, kind="adjustment", submission_id=sub.id, payee_id=key[1], fee_role=key[2],
                adjustment_of_id=original.id if original else None,
                genre_code=original.genre_code if original else None,
                genre_label=str(_l("Adjustment: %(what)s", what=labels.get(key) or (original.genre_label if original else ""))),
                amount=delta, published_at=sub.published_at, note=str(reason), grading_part_id=None, fee_rule_id=None,
                coefficient=None, unit_value=None, site_factor=None, factors_json="[]", share=None,
                regulation_id=None, base_salary_id=None, site_factor_id=None,
            ))
    return lines


def _incentive_lines(sheet):
    """Awards of the site's items published up to the end of the period that no other sheet pays: the
    item's own month if that sheet is still a draft, else the next sheet computed after the award."""
    _begins, ends = _utc_bounds(sheet.period_start, sheet.period_end)
    paid_elsewhere = select(RoyaltyLine.incentive_id).where(RoyaltyLine.sheet_id != sheet.id,
                                                            RoyaltyLine.incentive_id.is_not(None))
    rows = db.session.execute(
        select(Incentive.id, Incentive.submission_id, Incentive.payee_id, Incentive.amount, Incentive.reason,
               Submission.published_at)
        .join(Submission, Submission.id == Incentive.submission_id)
        .where(Submission.site_id == sheet.site_id, Submission.published_at < ends,
               Incentive.id.not_in(paid_elsewhere))
        .order_by(Incentive.id)).all()
    return [dict(
        sheet_id=sheet.id, kind="incentive", incentive_id=row.id, submission_id=row.submission_id,
        payee_id=row.payee_id, amount=row.amount, published_at=row.published_at, note=row.reason[:500],
        genre_code=None, genre_label=str(INCENTIVE_LABEL), fee_role=None, adjustment_of_id=None,
        grading_part_id=None, fee_rule_id=None, coefficient=None, unit_value=None, site_factor=None,
        factors_json="[]", share=None, regulation_id=None, base_salary_id=None, site_factor_id=None,
    ) for row in rows]


def _totals(sheet, lines):
    payment_year = sheet.payment_date.year
    rule = tax_rule_on(sheet.payment_date)
    gross = defaultdict(int)
    for line in lines:
        gross[line["payee_id"]] += line["amount"]
    payees = {p.id: p for p in db.session.scalars(
        select(Payee).where(Payee.id.in_(list(gross))).options(selectinload(Payee.unit))
    )} if gross else {}
    totals, rows = [0, 0, 0], []
    for payee_id, amount in gross.items():
        payee = payees[payee_id]
        committed = payment_year in payee.commitment_years
        tax = withholding_tax(max(amount, 0), threshold=rule.threshold, rate_percent=Decimal(rule.rate_percent),
                              staff=payee.labour_contract, committed=committed)
        rows.append(dict(sheet_id=sheet.id, payee_id=payee_id, unit_name=payee.unit.name if payee.unit else "",
                         gross=amount, tax=tax, net=amount - tax, staff=payee.labour_contract,
                         commitment=committed, tax_rule_id=rule.id))
        totals[0] += amount
        totals[1] += tax
        totals[2] += amount - tax
    insert_rows(SheetPayee, rows)
    sheet.gross, sheet.tax, sheet.net = totals
