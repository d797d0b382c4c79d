"""Grading an item: parts with genre, coefficient, adjustments and payees (ROYALTIES.md, Grading).

`read_grading` checks a grading against the rules in force and returns plain
values; `store_grading` writes it (a new row each time: gradings are never
edited); `price_grading` computes the amounts with the domain functions, the
same way the sheet does, for the form's live figure and the API.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ...db_types import utcnow
from ...domain import workflow as wf
from ...domain.decimal_input import parse_decimal
from ...domain.royalty_rules import (
    Range, RuleError, check_coefficient, decimal_text, item_amount, local_date, split_by_shares,
)
from ...errors import Forbidden, ServiceError, ValidationFailed
from ...extensions import db
from ...formatting import LocalNumber
from ...permissions import may_regrade
from ...submissions.services import record_history
from ...versioning import check_version, flush_or_conflict
from ..models import COEFFICIENT, Grading, GradingFactor, GradingPart, GradingPayee, Payee
from ..payees.services import resolve_payee
from ..rules.queries import adjustment_of, genre_of, national_caps_on, regulation_on, site_factor_on, unit_value_on
from ..session_cache import session_cache


class InvalidGrading(ValidationFailed):
    code = "invalid_grading"


def _invalid(message):
    return InvalidGrading(message, details={"grading": [str(message)]})


@dataclass
class PartInput:
    genre: object  # Genre row
    coefficient: Decimal
    factors: list  # [(AdjustmentType row, Decimal value, reason)]
    payees: list  # [(Payee, Decimal share)]


@dataclass
class GradingInput:
    regulation: object
    on: date
    parts: list = field(default_factory=list)
    provider: object = None


def _decimal(value, message):
    try:
        return parse_decimal(value)
    except ValueError:
        raise _invalid(message)


def grading_day(sub, on=None):
    """The day whose rules apply: publication day if published, else the planned one, else today."""
    if on is not None:
        return on
    moment = sub.published_at or sub.publish_at or utcnow()
    return local_date(moment)


def read_grading(site, data, on):
    """Check a grading dict (API.md shape) against the rules in force `on`; raise InvalidGrading."""
    if not isinstance(data, dict) or not isinstance(data.get("parts"), list) or not data["parts"]:
        raise _invalid(_l("A grading needs at least one part."))
    if len(data["parts"]) > 20:
        raise _invalid(_l("A grading has at most 20 parts."))
    regulation = regulation_on(site, on)
    caps = national_caps_on(on)
    result = GradingInput(regulation=regulation, on=on)
    for number, part in enumerate(data["parts"], start=1):
        if not isinstance(part, dict):
            raise _invalid(_l("Part %(n)s: not a valid part.", n=number))
        genre, coefficient = _read_genre(regulation, caps, part, number)
        result.parts.append(PartInput(genre, coefficient, _read_factors(regulation, part, number),
                                      _read_payees(part, number)))
    if data.get("provider"):
        if not isinstance(data["provider"], dict):
            raise _invalid(_l("The information provider must be a payee (payee_id, username or name)."))
        try:
            result.provider = resolve_payee(data["provider"], field="grading")
        except ValidationFailed as exc:
            raise _invalid(exc.message)
    return result


def _read_genre(regulation, caps, part, number):
    genre = genre_of(regulation, part.get("genre"))
    if genre is None or not genre.active:
        raise _invalid(_l("Part %(n)s: unknown genre %(code)s in %(regulation)s.", n=number,
                          code=str(part.get("genre"))[:60], regulation=regulation.source_text or regulation.name))
    coefficient = _decimal(part.get("coefficient", genre.default_coefficient),
                           _l("Part %(n)s: the coefficient must be a number.", n=number))
    _check_places(coefficient, number)
    try:
        check_coefficient(coefficient, Range(Decimal(genre.min_coefficient), Decimal(genre.max_coefficient)),
                          caps.get(genre.cap_group))
    except RuleError:
        raise _invalid(_l("Part %(n)s: the coefficient of %(genre)s must be between %(low)s and %(high)s "
                          "(national cap %(cap)s).", n=number, genre=genre.label,
                          low=LocalNumber(decimal_text(genre.min_coefficient)),
                          high=LocalNumber(decimal_text(genre.max_coefficient)),
                          cap=LocalNumber(decimal_text(caps.get(genre.cap_group))) if caps.get(genre.cap_group) else "–"))
    return genre, coefficient


def _read_factors(regulation, part, number):
    factors, seen = [], set()
    if not isinstance(part.get("factors") or [], list):
        raise _invalid(_l("Part %(n)s: the adjustments must be a list.", n=number))
    for factor in part.get("factors") or []:
        if not isinstance(factor, dict):
            raise _invalid(_l("Part %(n)s: unknown or repeated adjustment %(code)s.", n=number, code="?"))
        adjustment = adjustment_of(regulation, factor.get("code"))
        if adjustment is None or adjustment.code in seen:
            raise _invalid(_l("Part %(n)s: unknown or repeated adjustment %(code)s.", n=number,
                              code=str((factor or {}).get("code"))[:60]))
        seen.add(adjustment.code)
        value = _decimal(factor.get("value", adjustment.default_factor),
                         _l("Part %(n)s: the adjustment value must be a number.", n=number))
        _check_places(value, number)
        if not Decimal(adjustment.min_factor) <= value <= Decimal(adjustment.max_factor):
            raise _invalid(_l("Part %(n)s: %(label)s must be between %(low)s and %(high)s.", n=number,
                              label=adjustment.label, low=LocalNumber(adjustment.min_factor, 2),
                              high=LocalNumber(adjustment.max_factor, 2)))
        reason = factor.get("reason") or ""
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise _invalid(_l("Part %(n)s: give a reason for %(label)s.", n=number, label=adjustment.label))
        factors.append((adjustment, value, reason[:500]))
    return factors


def _read_payees(part, number):
    payees, seen_payees = [], set()
    for ref in part.get("payees") or []:
        if not isinstance(ref, dict):
            raise _invalid(_l("Part %(n)s: not a valid payee.", n=number))
        share = _decimal(ref.get("share"), _l("Part %(n)s: each share must be a number.", n=number))
        if not Decimal(0) < share <= 100 or share.as_tuple().exponent < -2:
            raise _invalid(_l("Part %(n)s: each share must be above 0 and at most 100, with at most two "
                              "decimals.", n=number))
        try:
            payee = resolve_payee(ref, field="grading")
        except ValidationFailed as exc:
            raise _invalid(_l("Part %(n)s: %(problem)s", n=number, problem=exc.message))
        if payee.id in seen_payees:
            raise _invalid(_l("Part %(n)s: a payee is listed twice.", n=number))
        seen_payees.add(payee.id)
        payees.append((payee, share))
    if not payees:
        raise _invalid(_l("Part %(n)s: name at least one payee.", n=number))
    total = sum(share for _, share in payees)
    if total != 100:
        raise _invalid(_l("Part %(n)s: the shares must add up to 100 (now %(total)s).", n=number,
                          total=LocalNumber(decimal_text(total))))
    return payees


def _check_places(value, number):
    """A grading keeps four decimals (models.COEFFICIENT): a fifth would price the quote and the
    sheet differently, so it is refused rather than rounded silently."""
    if value.normalize().as_tuple().exponent < -COEFFICIENT.scale:
        raise _invalid(_l("Part %(n)s: coefficients and adjustments have at most four decimals.", n=number))


def store_grading(actor, sub, graded, action):
    """Write a new current grading for the item; earlier ones stay, marked not current."""
    db.session.execute(update(Grading).where(Grading.submission_id == sub.id, Grading.is_current.is_(True))
                       .values(is_current=False))
    grading = Grading(submission_id=sub.id, regulation_id=graded.regulation.id,
                      graded_by_id=actor.id if actor is not None else None, action=action,
                      provider_payee_id=graded.provider.id if graded.provider else None, is_current=True)
    for position, part in enumerate(graded.parts):
        grading.parts.append(GradingPart(
            position=position, genre_code=part.genre.code, coefficient=part.coefficient,
            factors=[GradingFactor(code=a.code, value=v, reason=r) for a, v, r in part.factors],
            payees=[GradingPayee(payee_id=p.id, share=s) for p, s in part.payees],
        ))
    db.session.add(grading)
    db.session.flush()
    return grading


def _current_gradings():
    """{submission id: current grading or None} known in this transaction (see session_cache)."""
    return session_cache("current_gradings", (Grading,))


def prefetch_current_gradings(subs):
    """Load the current gradings of a page of items in one query, for `current_grading` afterwards."""
    ids = [s.id for s in subs]
    found = {gr.submission_id: gr for gr in db.session.scalars(
        select(Grading).where(Grading.submission_id.in_(ids), Grading.is_current.is_(True)))} if ids else {}
    _current_gradings().update({i: found.get(i) for i in ids})


# One grading whole in one statement: its parts, their factors and payees, and who graded it (a few rows: a
# grading has one to a few parts, each a few payees and factors). Loaded by their relationships' own "selectin",
# they were five more statements on every item page; the payees' commitment years are the sheet's concern, not
# the item's (loaded if read).
_PARTS = joinedload(Grading.parts)
_WHOLE_GRADING = (joinedload(Grading.graded_by), _PARTS.joinedload(GradingPart.factors),
                  _PARTS.joinedload(GradingPart.payees).joinedload(GradingPayee.payee).lazyload(Payee.commitments))


def current_grading(sub):
    # Kept for the transaction like a prefetched page (the item page asked four times: the grading
    # forms, the display, the API view; each reloaded the grading with its parts, payees and factors).
    known = _current_gradings()
    if sub.id not in known:
        known[sub.id] = db.session.scalars(
            select(Grading).where(Grading.submission_id == sub.id, Grading.is_current.is_(True))
            .order_by(Grading.id.desc()).limit(1).options(*_WHOLE_GRADING)
        ).unique().one_or_none()
    return known[sub.id]


def price_part(site, on, genre_code, coefficient, factor_values, regulation=None):
    """(amount, unit value, site factor) for one part on a day — the sheet's own arithmetic."""
    regulation = regulation or regulation_on(site, on)
    genre = genre_of(regulation, genre_code)
    if genre is not None and genre.fixed_amount is not None:
        # A province that sets an amount per item: the amount stands in for coefficient × unit value.
        site_factor = Decimal(site_factor_on(site, on).factor)
        return item_amount(Decimal(1), genre.fixed_amount, site_factor, factor_values), None, site_factor
    unit = unit_value_on(on)
    site_factor = Decimal(site_factor_on(site, on).factor)
    return item_amount(coefficient, unit, site_factor, factor_values), unit, site_factor


def price_grading(site, graded_parts, on):
    """Amounts of each part and each payee's line. graded_parts: [(genre_code, coefficient,
    [factor values], [(payee, share)])]. Returns {"parts": [...], "total": int, "unit_value", "site_factor"}."""
    regulation = regulation_on(site, on)
    parts, total, unit, site_factor = [], 0, None, None
    for genre_code, coefficient, factor_values, payees in graded_parts:
        amount, unit, site_factor = price_part(site, on, genre_code, coefficient, factor_values, regulation)
        splits = split_by_shares(amount, [share for _, share in payees])
        parts.append({"amount": amount, "lines": [(payee, share, line) for (payee, share), line in zip(payees, splits)]})
        total += amount
    return {"parts": parts, "total": total, "unit_value": unit, "site_factor": site_factor,
            "regulation": regulation, "on": on}


def grade_for_transition(actor, sub, action, grading, publish_at=None):
    """forward/approve need a valid grading: the one sent now, or the one the editor already gave."""
    if grading is None:
        if current_grading(sub) is None:
            raise _invalid(_l("A royalty grading is required to %(action)s this item.", action=action))
        return current_grading(sub)
    on = local_date(publish_at) if publish_at is not None else grading_day(sub)
    return store_grading(actor, sub, read_grading(sub.site, grading, on), action)


def grading_view(sub, viewer=None):
    """The submission's grading as API.md shows it, with amounts at the applicable day; None if ungraded."""
    grading = current_grading(sub)
    if grading is None:
        return None
    on = grading_day(sub)
    try:
        priced = price_grading(sub.site, [
            (p.genre_code, Decimal(p.coefficient), [Decimal(f.value) for f in p.factors],
             [(gp.payee, Decimal(gp.share)) for gp in p.payees]) for p in grading.parts
        ], on)
        amounts, total = [p["amount"] for p in priced["parts"]], priced["total"]
    except ServiceError:
        amounts, total = [None] * len(grading.parts), None
    return {
        "parts": [
            {"genre": p.genre_code, "coefficient": decimal_text(Decimal(p.coefficient)),
             "factors": [{"code": f.code, "value": decimal_text(Decimal(f.value)), "reason": f.reason} for f in p.factors],
             "payees": [{"payee": {"id": gp.payee.id, "full_name": gp.payee.full_name,
                                   "pen_name": gp.payee.pen_name},
                         "share": decimal_text(Decimal(gp.share))} for gp in p.payees],
             "amount": amount}
            for p, amount in zip(grading.parts, amounts)
        ],
        "total": total, "on": on.isoformat(), "graded_at": grading.graded_at,
        "graded_by": grading.graded_by.full_name if grading.graded_by else None,
    }


def quote_grading(site, data, on):
    """Check and price a grading without storing it: the form's live figure."""
    graded = read_grading(site, data, on)
    priced = price_grading(site, [
        (p.genre.code, p.coefficient, [v for _, v, _ in p.factors], p.payees) for p in graded.parts
    ], on)
    return {
        "on": on.isoformat(), "unit_value": priced["unit_value"],
        "site_factor": decimal_text(priced["site_factor"]) if priced["site_factor"] is not None else None,
        "regulation": graded.regulation.source_text or graded.regulation.name,
        "parts": [
            {"genre": part.genre.code, "amount": p["amount"],
             "payees": [{"payee_id": payee.id, "full_name": payee.full_name, "share": decimal_text(share), "amount": line}
                        for payee, share, line in p["lines"]]}
            for part, p in zip(graded.parts, priced["parts"])
        ],
        "total": priced["total"],
    }


REGRADABLE = frozenset({wf.APPROVED, wf.PUBLISHED, wf.UNPUBLISHED})


def is_regradable(sub):
    """Approved or published items not yet settled elsewhere; before that the workflow grades."""
    return sub.state in REGRADABLE and not sub.royalty_settled


def _stale_item(now, seen):
    return _l("This item was changed by someone else (version %(now)s, you saw %(seen)s). Reload it and try again.",
              now=now, seen=seen)


def regrade_submission(actor, sub, version, grading):
    """An approver corrects the grading of an item already approved or published. A paid
    item's difference becomes an adjustment line on the next sheet (sheets.compute)."""
    check_version(sub, version, _stale_item)
    if not may_regrade(actor, sub):
        raise Forbidden(_l("Only approvers change the grading of an approved item."), code="not_allowed")
    if not is_regradable(sub):
        raise ValidationFailed(_l("The grading of this item cannot be changed now; use the workflow actions."),
                               code="invalid_transition")
    store_grading(actor, sub, read_grading(sub.site, grading, grading_day(sub)), "regrade")
    sub.updated_at = sub.last_activity_at = utcnow()
    flush_or_conflict(_l("This item was changed by someone else. Reload it and try again."))
    record_history(actor, sub, "regrade", sub.state)
    db.session.flush()
    return sub
