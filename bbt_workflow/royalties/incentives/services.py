"""Awarding incentive royalties (nhuận bút khuyến khích, ROYALTIES.md: NĐ 18/2014, Điều 8).

An approver of the item's site awards a published item an extra amount with a reason. The item's
incentives together stay within 30% of its royalty (the grading priced at its publication day), so the
site's yearly incentives stay within 30% of its royalties. The amount goes to one payee of the grading,
or is split among them in proportion to what each earns on the item. Each award is a row never edited
(who, when, why); the next sheet computed for the site pays it as a line of kind "incentive".
"""
from collections import defaultdict
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...domain.royalty_rules import incentive_limit, split_by_weights
from ...domain.vietnamese_numbers import format_vnd
from ...errors import Forbidden, ServiceError, ValidationFailed, field_error
from ...extensions import db
from ...permissions import may_award_incentive
from ..grading.services import current_grading, grading_day, price_grading
from ..models import Incentive

MAX_AMOUNT = 10 ** 12


def item_royalty(sub):
    """{payee: amount} the item's current grading pays (at its publication day), or None if ungraded."""
    grading = current_grading(sub)
    if grading is None:
        return None
    priced = price_grading(sub.site, [
        (p.genre_code, Decimal(p.coefficient), [Decimal(f.value) for f in p.factors],
         [(gp.payee, Decimal(gp.share)) for gp in p.payees]) for p in grading.parts
    ], grading_day(sub))
    earned = defaultdict(int)
    for part in priced["parts"]:
        for payee, _share, amount in part["lines"]:
            earned[payee] += amount
    return dict(earned)


def awarded_on(sub):
    return int(db.session.scalar(select(func.coalesce(func.sum(Incentive.amount), 0))
                                 .where(Incentive.submission_id == sub.id)))


def incentive_room(sub, awards):
    """(limit, already awarded, what is left) for the item; (0, awarded, 0) when it has no grading.
    awards: all the item's awards (awards_of), which the page and the API list beside these figures."""
    try:
        earned = item_royalty(sub)
    except ServiceError:
        earned = None
    limit = incentive_limit(sum(earned.values())) if earned else 0
    awarded = sum(award.amount for award in awards)
    return limit, awarded, max(limit - awarded, 0)


def awards_of(sub):
    return db.session.scalars(select(Incentive).where(Incentive.submission_id == sub.id)
                              .order_by(Incentive.awarded_at, Incentive.id)).all()


def award_incentive(actor, sub, amount, reason, payee_id=None):
    """Award the item `amount` whole đồng for `reason`; returns the new Incentive rows (one per payee).
    Refused (422, on the field) above the limit; flushes, the caller commits."""
    if not may_award_incentive(actor, sub):
        raise Forbidden(_l("Only the site's approvers award incentive royalties, on a published item."),
                        code="not_allowed")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _l("Say why the item earns an incentive."))
    if len(reason) > 500:
        raise field_error("reason", _l("At most %(n)s characters.", n=500))
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0 or amount > MAX_AMOUNT:
        raise field_error("amount", _l("Give a whole amount of đồng above 0."))
    earned = item_royalty(sub)
    if not earned:
        raise ValidationFailed(_l("The item has no royalty grading: grade it before awarding an incentive."),
                               code="not_graded")
    limit = incentive_limit(sum(earned.values()))
    awarded = awarded_on(sub)
    if awarded + amount > limit:
        raise field_error("amount", _l(
            "Above the limit: incentives on an item are at most 30%% of its royalty (%(royalty)s đ), that is "
            "%(limit)s đ; %(awarded)s đ already awarded, at most %(left)s đ more.",
            royalty=format_vnd(sum(earned.values())), limit=format_vnd(limit), awarded=format_vnd(awarded),
            left=format_vnd(max(limit - awarded, 0))), code="incentive_over_limit")
    payees = sorted(earned, key=lambda p: p.id)
    if payee_id is not None:
        chosen = [p for p in payees if p.id == payee_id]
        if not chosen:
            raise field_error("payee_id", _l("Choose one of the item's payees."))
        split = [(chosen[0], amount)]
    else:
        payees = [p for p in payees if earned[p] > 0]
        split = list(zip(payees, split_by_weights(amount, [earned[p] for p in payees])))
    rows = [Incentive(submission_id=sub.id, payee_id=payee.id, amount=part, reason=reason, awarded_by_id=actor.id)
            for payee, part in split if part > 0]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def incentive_view(row):
    return {"id": row.id, "submission_id": row.submission_id,
            "payee": {"id": row.payee.id, "full_name": row.payee.full_name, "pen_name": row.payee.pen_name},
            "amount": row.amount, "reason": row.reason,
            "awarded_by": row.awarded_by.username if row.awarded_by else None, "awarded_at": row.awarded_at}


def incentives_view(sub, rows=None):
    """The API's answer: `rows` (default: all the item's awards) with the item's limit and what is left."""
    awards = awards_of(sub)
    limit, awarded, left = incentive_room(sub, awards)
    return {"items": [incentive_view(r) for r in (awards if rows is None else rows)], "limit": limit,
            "awarded": awarded, "remaining": left}
