"""Royalty sheets: compute a site's period from published items, check, approve, pay (ROYALTIES.md).

A sheet in `draft` is recomputed on demand; from `checked` on its lines stand as
computed; once `paid` nothing about it changes, and its exported files are kept
byte for byte. A change to an item already paid (unpublished, regraded) becomes
an adjustment line on the next sheet that is computed, pointing at the paid line.
"""
import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import selectinload
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..db_types import utcnow
from ..domain.royalty_rules import (
    LATE_PAYMENT_DAYS, PAYMENT_BEFORE_PUBLICATION, PAYMENT_DEADLINE_DAYS, PAYMENT_LATE, VIETNAM, decimal_text,
    fee_amount, local_date, payment_date_problem, split_by_shares, withholding_tax,
)
from ..domain.workflow import PUBLISHED
from ..errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed, field_error
from ..extensions import db
from ..permissions import can_account, can_approve, can_read_sheets, can_see_personal_payee_fields
from ..submissions.models import HistoryEntry, Submission
from ..domain.sheet_workflow import ACCOUNTANT, APPROVED, APPROVER, CHECKED, SHEET_ACTIONS
from .grading import price_part
from .models import Grading, GradingPart, GradingPayee, Payee, RoyaltyLine, RoyaltySheet, SheetFile, SheetPayee
from .notifications import notify_sheet_step
from .export import CSV_MIMETYPE, XLSX_MIMETYPE, DocumentError, export_filename
from .payees import mask, payee_for_user
from .rates import fee_rules_on, regulation_on, tax_rule_on, unit_value_on

STATE_LABELS = {"draft": _l("Draft"), "checked": _l("Checked"), "approved": _l("Approved"), "paid": _l("Paid")}
NO_UNIT = "Không thuộc đơn vị"
FEE_ROLE_LABELS = {"editor": _l("Editing fee"), "approver": _l("Approval fee"), "provider": _l("Information fee")}


def parse_period(period):
    """"YYYY-MM" → (first day, last day)."""
    try:
        year, month = (int(x) for x in str(period).split("-"))
        start = date(year, month, 1)
    except (TypeError, ValueError):
        raise field_error("period", _l("The period must be a month, YYYY-MM."), "invalid_period")
    if not 2000 <= year <= 2100:
        raise field_error("period", _l("The period must be a month, YYYY-MM."), "invalid_period")
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def _utc_bounds(start, end):
    """Vietnam days [start, end] as UTC instants [from, to)."""
    begins = datetime.combine(start, time(0), VIETNAM)
    ends = datetime.combine(end + timedelta(days=1), time(0), VIETNAM)
    return begins, ends


def _check_version(sheet, version):
    try:
        seen = int(version)
    except (TypeError, ValueError):
        seen = None
    if seen != sheet.version:
        raise Conflict(_l("This sheet was changed by someone else (version %(now)s, you saw %(seen)s). "
                          "Reload it and try again.", now=sheet.version, seen=str(version)[:20]),
                       code="stale_version", details={"version": sheet.version})


def _flush_or_conflict():
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_l("This sheet was changed by someone else. Reload it and try again."), code="stale_version")


def _may(actor, site, who):
    if who == ACCOUNTANT:
        return can_account(actor, site)
    if who == APPROVER:
        return can_approve(actor, site)
    return can_account(actor, site) or can_approve(actor, site)


def allowed_sheet_actions(actor, sheet):
    """What the actor may do with the sheet now, in table order (for the page's buttons)."""
    return [name for name, action in SHEET_ACTIONS.items()
            if sheet.state in action.sources and _may(actor, sheet.site, action.who)]


def sheets_waiting_for(actor, site):
    """How many of the site's sheets wait for the actor: checked ones for an approver (to approve),
    approved ones for an accountant (to pay)."""
    states = ([CHECKED] if can_approve(actor, site) else []) + ([APPROVED] if can_account(actor, site) else [])
    if not states:
        return 0
    return db.session.scalar(select(func.count(RoyaltySheet.id)).where(
        RoyaltySheet.site_id == site.id, RoyaltySheet.state.in_(states)))


def get_sheet(actor, sheet_id):
    sheet = db.session.get(RoyaltySheet, sheet_id)
    if sheet is None or not can_read_sheets(actor, sheet.site):
        raise NotFound(_l("Not found."))
    return sheet


def sheets_query(actor, site):
    if not can_read_sheets(actor, site):
        raise NotFound(_l("Not found."))
    return select(RoyaltySheet).where(RoyaltySheet.site_id == site.id).order_by(RoyaltySheet.period_start.desc())


def create_sheet(actor, site, period, payment_date=None):
    """A draft sheet for a site and a month, computed at once."""
    if not can_account(actor, site):
        raise Forbidden(_l("Only the site's accountants create royalty sheets."), code="not_allowed")
    start, end = parse_period(period)
    existing = db.session.scalar(select(RoyaltySheet.id).where(
        RoyaltySheet.site_id == site.id, RoyaltySheet.period_start == start, RoyaltySheet.period_end == end))
    exists = Conflict(_l("A sheet for this site and period exists already."), code="sheet_exists",
                      details={"sheet_id": existing})
    if existing:
        raise exists
    sheet = RoyaltySheet(site_id=site.id, site=site, period_start=start, period_end=end,
                         payment_date=payment_date or end, state="draft",
                         number=f"BK-{site.code}-{start:%Y-%m}", created_by_id=actor.id)
    try:
        with db.session.begin_nested():  # another accountant creating the same sheet at this moment
            db.session.add(sheet)
            db.session.flush()
    except IntegrityError:
        raise exists
    compute_sheet(sheet)
    check_payment_date(sheet)
    return sheet


def may_set_payment_date(actor, sheet):
    """The site's accountants, while the sheet is a draft (the tax rule follows the date)."""
    return sheet.state == "draft" and can_account(actor, sheet.site)


def update_sheet(actor, sheet, version, payment_date):
    _check_version(sheet, version)  # first: a stale view is 409 whatever else is wrong (API.md)
    if not can_account(actor, sheet.site):
        raise Forbidden(_l("Only the site's accountants change royalty sheets."), code="not_allowed")
    if not may_set_payment_date(actor, sheet):
        raise ValidationFailed(_l("Only a draft sheet can be changed."), code="sheet_locked")
    sheet.payment_date = payment_date
    compute_sheet(sheet)
    check_payment_date(sheet)
    return sheet


def newest_publication_on(sheet):
    """The Vietnam day the newest item on the sheet was published (None for an empty sheet)."""
    newest = db.session.scalar(select(func.max(RoyaltyLine.published_at)).where(RoyaltyLine.sheet_id == sheet.id))
    return local_date(newest) if newest is not None else None


def check_payment_date(sheet):
    """Refuse (the caller rolls back) a payment date before the newest item on the computed sheet was
    published: the tax rule follows the payment date, and nothing is paid before it is published."""
    newest = newest_publication_on(sheet)
    if payment_date_problem(sheet.payment_date, newest, sheet.period_end) == PAYMENT_BEFORE_PUBLICATION:
        raise field_error("payment_date", _l(
            "The payment date %(date)s is before the newest item on the sheet was published (%(published)s): "
            "choose %(published)s or later.", date=f"{sheet.payment_date:%d/%m/%Y}",
            published=f"{newest:%d/%m/%Y}"), PAYMENT_BEFORE_PUBLICATION)


def payment_date_warnings(sheet):
    """Warnings about the payment date, in the reader's language (shown with the sheet, never stored)."""
    if payment_date_problem(sheet.payment_date, None, sheet.period_end) == PAYMENT_LATE:
        return [str(_l("The payment date %(date)s is more than %(days)s days after the end of the month "
                       "(%(end)s).", date=f"{sheet.payment_date:%d/%m/%Y}", days=LATE_PAYMENT_DAYS,
                       end=f"{sheet.period_end:%d/%m/%Y}"))]
    return []


def sheet_warnings(sheet):
    """The computation's warnings (stored, Vietnamese) and the payment date's (reader's language)."""
    return [w for w in sheet.warnings.split("\n") if w] + payment_date_warnings(sheet)


def transition_sheet(actor, sheet, action, version):
    _check_version(sheet, version)  # first: a stale view is 409 whatever else is wrong (API.md)
    rule = SHEET_ACTIONS.get(action)
    if rule is None:
        raise field_error("action", _l("Unknown action %(action)s.", action=action), "unknown_action")
    sources, target, who = rule.sources, rule.target, rule.who
    if not _may(actor, sheet.site, who):
        raise Forbidden(_l("You may not %(action)s this sheet.", action=action), code="not_allowed")
    if sheet.state not in sources:
        raise ValidationFailed(_l("The action %(action)s is not possible while the sheet is %(state)s.",
                                  action=action, state=STATE_LABELS[sheet.state]), code="invalid_transition")
    now = utcnow()
    if action == "recompute":
        compute_sheet(sheet)
    elif action == "check":
        compute_sheet(sheet)
        sheet.checked_by_id, sheet.checked_at = actor.id, now
    elif action == "approve":
        sheet.approved_by_id, sheet.approved_at = actor.id, now
    elif action == "pay":
        sheet.paid_by_id, sheet.paid_at = actor.id, now
    elif action == "reopen":
        sheet.checked_by_id = sheet.checked_at = sheet.approved_by_id = sheet.approved_at = None
    sheet.state = target
    _flush_or_conflict()
    if action == "pay":
        _keep_files(sheet)
    notify_sheet_step(sheet, action, actor=actor)
    return sheet


# --- computing ------------------------------------------------------------------

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
        from .rates import base_salary_on, site_factor_on

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
    return people, grading.provider if grading is not None else None


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
        people, provider = _fee_people(sub, steps, grading)
        unit_value = rules.unit_value(on)
        for role, rule in sorted(fee_rules.items()):
            if role == "provider":
                payee_id = provider.id if provider is not None else None
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
    from ..accounts.models import Membership, MembershipRole, User

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
                .where(Membership.user_id.in_(actor_ids), MembershipRole.role == "approver")
            )
        } | {(u, "admin") for u in db.session.scalars(select(User.id).where(User.id.in_(actor_ids),
                                                                             User.is_admin.is_(True)))}
    return rows, approvers


def _chunks(ids, size=500):
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def compute_sheet(sheet):
    """Recompute a draft sheet's lines and totals from the items published in its period (and those
    of earlier periods left on no sheet because their own sheet was closed before they came)."""
    # The labels, notes and warnings stored on the sheet are the accounting document's text:
    # Vietnamese, whatever the language of the page that asked for the computation.
    with force_locale("vi"):
        return _compute_sheet(sheet)


def _compute_sheet(sheet):
    from ..accounts.models import User

    if sheet.state != "draft":
        raise ValidationFailed(_l("Only a draft sheet is recomputed."), code="sheet_locked")
    # Claim the sheet (its version) before touching its lines: a second computation at the same
    # time waits here and then fails as stale, instead of inserting the lines a second time.
    # computed_at is when the items were read: a change after it is an adjustment once paid.
    sheet.computed_at = utcnow()
    _flush_or_conflict()
    site = sheet.site
    db.session.execute(delete(SheetPayee).where(SheetPayee.sheet_id == sheet.id))
    db.session.execute(delete(RoyaltyLine).where(RoyaltyLine.sheet_id == sheet.id))
    begins, ends = _utc_bounds(sheet.period_start, sheet.period_end)
    elsewhere = select(RoyaltyLine.submission_id).where(RoyaltyLine.sheet_id != sheet.id)
    # Items of an earlier month whose sheet was already checked or paid when they came (imported or
    # graded late) are on no sheet: this one takes them, or nobody ever would.
    closed = [_utc_bounds(start, end) for start, end in db.session.execute(
        select(RoyaltySheet.period_start, RoyaltySheet.period_end).where(
            RoyaltySheet.site_id == site.id, RoyaltySheet.state != "draft",
            RoyaltySheet.period_end < sheet.period_start))]
    since = min([begins] + [start for start, _end in closed])
    # Plain rows, not Submission objects: a month of a busy portal is thousands of items.
    items = [row for row in db.session.execute(
        select(Submission.id, Submission.published_at, Submission.title, Submission.state).where(
            Submission.site_id == site.id, Submission.state == PUBLISHED, Submission.royalty_settled.is_(False),
            Submission.published_at >= since, Submission.published_at < ends,
            Submission.id.not_in(elsewhere),
        ).order_by(Submission.published_at, Submission.id)
    ) if row.published_at >= begins or any(start <= row.published_at < end for start, end in closed)]
    adjust_candidates = _adjustment_candidates(sheet)
    all_ids = [s.id for s in items] + [s.id for s in adjust_candidates]
    gradings = {}
    for chunk in _chunks(all_ids):
        for grading in db.session.scalars(
            select(Grading).where(Grading.submission_id.in_(chunk), Grading.is_current.is_(True))
            .options(selectinload(Grading.parts).selectinload(GradingPart.payees).lazyload(GradingPayee.payee),
                     selectinload(Grading.parts).selectinload(GradingPart.factors), selectinload(Grading.provider))
        ):
            gradings[grading.submission_id] = grading
    steps, approvers = {}, set()
    for chunk in _chunks(all_ids):
        rows, chunk_approvers = _steps_of(chunk)
        approvers |= chunk_approvers
        for row in rows:
            steps[(row.submission_id, row.action)] = row.actor_id
    steps = {key: (actor, "approver" if (actor, site.id) in approvers or (actor, "admin") in approvers else "editor")
             for key, actor in steps.items()}
    user_ids = {actor for actor, _ in steps.values()}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    rules, cache = _Rules(site), {}
    warnings, new_lines = [], []
    for sub in items:
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
            line.update(sheet_id=sheet.id, submission_id=sub.id, published_at=sub.published_at,
                        adjustment_of_id=None, note="")
            new_lines.append(line)
    new_lines += _adjustment_lines(sheet, adjust_candidates, gradings, steps, rules, cache, users, warnings)
    if new_lines:
        # render_nulls: every row has the same columns, so they go in one batch; otherwise the ORM
        # groups rows by the keys that are not None and a fee line after each royalty line makes
        # every row its own INSERT.
        db.session.execute(insert(RoyaltyLine).execution_options(render_nulls=True), new_lines)
    _totals(sheet, new_lines)
    sheet.warnings = "\n".join(warnings)
    labels = sorted({r.source_text or r.name for r in rules._regulation.values()})
    sheet.regulation_label = "; ".join(labels)[:500]
    db.session.flush()
    return sheet


def _adjustment_candidates(sheet):
    """Items with lines on a paid sheet of this site for an earlier period that changed after those
    lines were computed: taken down, republished, regraded (each writes the item's history). Nothing
    else moves a paid line — not a later edit of the rates, not someone's change of roles — and the
    items paid years ago are not all priced again on every sheet."""
    changed_since = exists().where(HistoryEntry.submission_id == RoyaltyLine.submission_id,
                                   HistoryEntry.at > RoyaltySheet.computed_at)
    paid = select(RoyaltyLine.submission_id).join(RoyaltySheet, RoyaltySheet.id == RoyaltyLine.sheet_id).where(
        RoyaltySheet.site_id == sheet.site_id, RoyaltySheet.state == "paid",
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
    for line in db.session.scalars(select(RoyaltyLine).where(RoyaltyLine.submission_id.in_(ids),
                                                             RoyaltyLine.sheet_id != sheet.id)
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
    if rows:
        db.session.execute(insert(SheetPayee), rows)
    sheet.gross, sheet.tax, sheet.net = totals


# --- reading --------------------------------------------------------------------

def sheet_lines(sheet):
    """[(line, item title, category name)] — the item's title and category without loading the item."""
    from ..accounts.models import Category

    return db.session.execute(
        select(RoyaltyLine, Submission.title, Category.name)
        .join(Submission, Submission.id == RoyaltyLine.submission_id)
        .outerjoin(Category, Category.id == Submission.category_id)
        .where(RoyaltyLine.sheet_id == sheet.id)
        .order_by(RoyaltyLine.payee_id, RoyaltyLine.published_at, RoyaltyLine.id)
    ).all()


def sheet_payees(sheet):
    return db.session.scalars(
        select(SheetPayee).where(SheetPayee.sheet_id == sheet.id)
        .options(selectinload(SheetPayee.payee).selectinload(Payee.unit))
    ).all()


def is_overdue(line, sheet, today=None):
    """Unpaid 60 days after publication (NĐ 18/2014, Điều 4)."""
    if sheet.state == "paid" or line.published_at is None:
        return False
    today = today or local_date(utcnow())
    return local_date(line.published_at) + timedelta(days=PAYMENT_DEADLINE_DAYS) < today


def _factor_product(line):
    product = Decimal(line.site_factor) if line.site_factor is not None else None
    for factor in json.loads(line.factors_json or "[]"):
        product = (product if product is not None else Decimal(1)) * Decimal(factor["value"])
    return product


def sheet_view(sheet, viewer):
    """The sheet as API.md shapes it, personal fields masked unless the viewer may read them."""
    personal = can_see_personal_payee_fields(viewer)
    lines = sheet_lines(sheet)
    payees = sheet_payees(sheet)

    def person(payee):
        return {"id": payee.id, "full_name": payee.full_name, "pen_name": payee.pen_name,
                "tax_code": payee.tax_code if personal else mask(payee.tax_code),
                "bank_account": payee.bank_account if personal else mask(payee.bank_account)}

    names = {p.payee_id: p.payee for p in payees}
    today = local_date(utcnow())
    return {
        "id": sheet.id, "site": sheet.site.code, "period": f"{sheet.period_start:%Y-%m}",
        "number": sheet.number, "payment_date": sheet.payment_date, "state": sheet.state, "version": sheet.version,
        "regulation": sheet.regulation_label, "warnings": sheet_warnings(sheet),
        "lines": [{
            "id": line.id, "kind": line.kind, "payee": {"id": line.payee_id, "full_name": names[line.payee_id].full_name},
            "submission_id": line.submission_id, "title": title, "genre": line.genre_code,
            "genre_label": line.genre_label, "fee_role": line.fee_role,
            "coefficient": decimal_text(line.coefficient), "unit_value": line.unit_value,
            "site_factor": decimal_text(line.site_factor), "factors": json.loads(line.factors_json or "[]"),
            "share": decimal_text(line.share), "amount": line.amount, "published_at": line.published_at,
            "adjustment_of": line.adjustment_of_id, "overdue": is_overdue(line, sheet, today),
        } for line, title, _category in lines],
        "payees": [{"payee": person(p.payee), "unit": p.unit_name, "gross": p.gross, "tax": p.tax, "net": p.net,
                    "staff": p.staff, "commitment": p.commitment} for p in payees],
        "totals": {"gross": sheet.gross, "tax": sheet.tax, "net": sheet.net},
        "checked_at": sheet.checked_at, "approved_at": sheet.approved_at, "paid_at": sheet.paid_at,
    }


def sheet_document(sheet, viewer):
    """The sheet laid out for the XLSX/CSV writers: grouped by unit, then payee."""
    from .sheet_document import DocumentLine, DocumentPayee, DocumentUnit, SheetDocument

    personal = can_see_personal_payee_fields(viewer)
    by_payee = defaultdict(list)
    for row in sheet_lines(sheet):
        by_payee[row[0].payee_id].append(row)
    units = defaultdict(list)
    for sp in sheet_payees(sheet):
        payee = sp.payee
        doc_lines = [DocumentLine(
            kind=line.kind, title=title, category=category or "",
            genre=line.genre_label, published_on=local_date(line.published_at) if line.published_at else None,
            coefficient=Decimal(line.coefficient) if line.coefficient is not None else None,
            unit_value=line.unit_value, factor=_factor_product(line),
            share=Decimal(line.share) if line.share is not None else None, amount=line.amount,
        ) for line, title, category in by_payee[sp.payee_id]]
        tax_id = payee.tax_code or payee.id_number or ""
        unit_name = sp.unit_name or NO_UNIT
        units[unit_name].append(DocumentPayee(
            name=payee.full_name, pen_name=payee.pen_name, unit=unit_name,
            tax_id=tax_id if personal else mask(tax_id),
            bank_account=(payee.bank_account or "") if personal else mask(payee.bank_account),
            bank_name=payee.bank_name or "", staff=sp.staff, commitment=sp.commitment, lines=doc_lines,
            gross=sp.gross, tax=sp.tax, net=sp.net,
        ))
    doc_units = []
    for name in sorted(units):
        payees = sorted(units[name], key=lambda p: (p.name, p.pen_name or ""))
        doc_units.append(DocumentUnit(name=name, payees=payees, gross=sum(p.gross for p in payees),
                                      tax=sum(p.tax for p in payees), net=sum(p.net for p in payees)))
    site = sheet.site
    agency = site.parent.name if site.parent else site.name
    with force_locale("vi"):  # an accounting document: Vietnamese whatever the reader's UI language
        state_label = str(STATE_LABELS[sheet.state])
    return SheetDocument(
        agency=f"Ban Biên tập {agency}", site=site.name, period=f"Tháng {sheet.period_start:%m/%Y}",
        number=sheet.number, state=state_label, payment_date=sheet.payment_date,
        regulation=sheet.regulation_label, units=doc_units, gross=sheet.gross, tax=sheet.tax, net=sheet.net,
    )


def export_sheet(sheet, viewer, fmt):
    """(bytes, mimetype, filename). A paid sheet's files are the ones kept when it was paid."""
    from .export import write_csv, write_xlsx

    personal = can_see_personal_payee_fields(viewer)
    if sheet.state == "paid" and personal:
        kept = db.session.get(SheetFile, (sheet.id, fmt))
        if kept is not None:
            return kept.content, _MIME[fmt], export_filename(sheet, fmt)
    document = sheet_document(sheet, viewer)
    try:
        content = write_xlsx(document) if fmt == "xlsx" else write_csv(document)
    except DocumentError as exc:
        # The writers refuse figures that do not add up: never hand out a wrong sheet.
        raise ServiceError(_l("The sheet's figures do not add up (%(problem)s); recompute it.", problem=str(exc)),
                           code="sheet_inconsistent")
    return content, _MIME[fmt], export_filename(sheet, fmt)


_MIME = {"xlsx": XLSX_MIMETYPE, "csv": CSV_MIMETYPE}


def _keep_files(sheet):
    """Write the paid sheet's files once, with every personal field (read by accountants only)."""
    from .export import write_csv, write_xlsx

    class _Accountant:
        is_authenticated, is_admin = True, True

    document = sheet_document(sheet, _Accountant())
    for fmt, writer in (("xlsx", write_xlsx), ("csv", write_csv)):
        try:
            content = writer(document)
        except DocumentError as exc:
            raise ServiceError(_l("The sheet's figures do not add up (%(problem)s); recompute it.",
                                  problem=str(exc)), code="sheet_inconsistent")
        db.session.add(SheetFile(sheet_id=sheet.id, format=fmt, content=content))
    db.session.flush()


# --- the payee's own view and the fund check ---------------------------------------

def my_lines(user, start=None, end=None):
    """The caller's own lines (every site) and totals per sheet, newest first."""
    payee = payee_for_user(user)
    stmt = (select(RoyaltyLine, RoyaltySheet).join(RoyaltySheet, RoyaltySheet.id == RoyaltyLine.sheet_id)
            .where(RoyaltyLine.payee_id == payee.id)
            .options(selectinload(RoyaltyLine.submission))
            .order_by(RoyaltySheet.period_start.desc(), RoyaltyLine.published_at, RoyaltyLine.id))
    if start:
        stmt = stmt.where(RoyaltySheet.period_end >= start)
    if end:
        stmt = stmt.where(RoyaltySheet.period_start <= end)
    rows = db.session.execute(stmt.limit(5000)).all()
    totals = {sp.sheet_id: sp for sp in db.session.scalars(
        select(SheetPayee).where(SheetPayee.payee_id == payee.id,
                                 SheetPayee.sheet_id.in_({sheet.id for _, sheet in rows})))} if rows else {}
    sheets = {}
    for line, sheet in rows:
        entry = sheets.setdefault(sheet.id, {
            "sheet_id": sheet.id, "site": sheet.site.code, "site_name": sheet.site.name,
            "period": f"{sheet.period_start:%Y-%m}", "state": sheet.state, "payment_date": sheet.payment_date,
            "paid": sheet.state == "paid", "paid_on": sheet.payment_date if sheet.state == "paid" else None,
            "gross": totals[sheet.id].gross if sheet.id in totals else 0,
            "tax": totals[sheet.id].tax if sheet.id in totals else 0,
            "net": totals[sheet.id].net if sheet.id in totals else 0, "lines": []})
        entry["lines"].append({"submission_id": line.submission_id, "title": line.submission.title,
                               "kind": line.kind, "genre": line.genre_label, "amount": line.amount,
                               "published_at": line.published_at, "paid": entry["paid"],
                               "paid_on": entry["paid_on"]})
    periods = list(sheets.values())
    return {"payee_id": payee.id, "sheets": periods,
            "totals": {k: sum(p[k] for p in periods) for k in ("gross", "tax", "net")}}


def fund_check(site, year):
    """Royalties, fees and the yearly budget of a site: the limits of NĐ 18/2014, Điều 8, as warnings.

    Incentive royalties (nhuận bút khuyến khích) are not modelled yet: counted as 0.
    """
    from ..accounts.models import PlanTarget

    start, end = date(year, 1, 1), date(year, 12, 31)
    # An adjustment line of a fee keeps its fee_role: it counts with the fees.
    is_fee = RoyaltyLine.fee_role.is_not(None)
    amounts = dict(db.session.execute(
        select(is_fee, func.coalesce(func.sum(RoyaltyLine.amount), 0))
        .join(RoyaltySheet, RoyaltySheet.id == RoyaltyLine.sheet_id)
        .where(RoyaltySheet.site_id == site.id, RoyaltySheet.period_start >= start, RoyaltySheet.period_end <= end)
        .group_by(is_fee)
    ).all())
    royalties = int(amounts.get(False, 0))
    fees = int(amounts.get(True, 0))
    budget = db.session.scalar(select(PlanTarget.royalty_budget).where(PlanTarget.site_id == site.id,
                                                                        PlanTarget.year == year))
    warnings = []
    if royalties and fees * 2 > royalties:
        warnings.append(str(_l("Fees are above half of the royalties (the limit is 50 percent).")))
    if budget is not None and royalties + fees > budget:
        warnings.append(str(_l("Royalties and fees exceed the yearly budget.")))
    return {"year": year, "royalties": royalties, "fees": fees, "incentives": 0, "budget": budget,
            "fee_ratio": (Decimal(fees) * 100 / royalties).quantize(Decimal("0.1")) if royalties else None,
            "warnings": warnings}
