"""Administration of the royalty rules (ROYALTIES.md): regulations with their genres and
adjustments, national caps, site factors, base salaries, tax rules and fee rules.

Admins only. Every row keeps its source text and effective period; a row shipped "to
verify" is confirmed here. Checks: ranges positive with min ≤ default ≤ max, a rate table
never above the national cap in force (domain `check_rate_table`), and no two rows of the
same key starting the same day or one closed after the next one began (an open end means
"until replaced", which is how a new rate takes over).

Changing a rule changes only future computations: sheet lines store the values they used.
Services flush, never commit.
"""
import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import Site
from ...audit.services import audited_save
from ...domain.decimal_input import parse_decimal
from ...domain.roles import SITE_KINDS
from ...domain.royalty_rules import FEE_KINDS, FEE_PERCENT, Range, check_rate_table, decimal_text
from ...errors import Forbidden, field_error
from ...extensions import db
from ...formatting import LocalNumber
from ...permissions import can_manage_royalty_rules
from ..models import (
    FEE_ROLES, AdjustmentType, BaseSalary, FeeRule, Genre, NationalCap, Regulation, SiteFactor, TaxRule,
)
from .queries import national_caps_on

CODE = re.compile(r"^[a-z0-9_]{1,60}$")
REGULATION_CODE = re.compile(r"^[a-z0-9_-]{1,60}$")
MAX_COEFFICIENT = Decimal("1000")


def _require_admin(actor):
    if not can_manage_royalty_rules(actor):
        raise Forbidden(_l("Only administrators manage royalty rules."))


def _decimal(data, field, *, required=True, places=4):
    raw = data.get(field)
    if raw is None or str(raw).strip() == "":
        if required:
            raise field_error(field, _l("This field is required."))
        return None
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise field_error(field, _l("Enter a number, e.g. %(example)s.", example=LocalNumber(Decimal("1.5"))))
    if value.as_tuple().exponent < -places:
        raise field_error(field, _l("Enter a number with at most %(n)s decimals.", n=places))
    return value


def _whole(data, field, *, required=True):
    raw = data.get(field)
    if raw is None or str(raw).strip() == "":
        if required:
            raise field_error(field, _l("This field is required."))
        return None
    text = str(raw).strip().replace(".", "").replace(",", "").replace(" ", "")
    if not re.fullmatch(r"\d{1,15}", text):
        raise field_error(field, _l("Enter a whole number of đồng."))
    return int(text)


def _text(data, field, limit, *, required=False):
    value = (data.get(field) or "").strip()
    if required and not value:
        raise field_error(field, _l("This field is required."))
    if len(value) > limit:
        raise field_error(field, _l("At most %(n)s characters.", n=limit))
    return value


def _period(data):
    start, end = data.get("effective_from"), data.get("effective_to")
    if not isinstance(start, date):
        raise field_error("effective_from", _l("This field is required."))
    if end is not None and not isinstance(end, date):
        end = None
    if end is not None and end < start:
        raise field_error("effective_to", _l("The end must be on or after the start."))
    return start, end


def _check_periods(rows, row, start, end):
    """Rows of the same key as `row`: refuse the same start, or a closed period running into the next."""
    for other in rows:
        if other is row or (row.id is not None and other.id == row.id):
            continue
        if other.effective_from == start:
            raise field_error("effective_from", _l("Another row of the same kind already starts on %(day)s.",
                                              day=start.strftime("%d/%m/%Y")))
        first, second = (other, None) if other.effective_from < start else (None, other)
        if first is not None and first.effective_to is not None and first.effective_to >= start:
            raise field_error("effective_from", _l("The period overlaps the row from %(day)s, which ends on %(end)s.",
                                              day=first.effective_from.strftime("%d/%m/%Y"),
                                              end=first.effective_to.strftime("%d/%m/%Y")))
        if second is not None and end is not None and end >= second.effective_from:
            raise field_error("effective_to", _l("The period overlaps the row from %(day)s: end this one before it.",
                                            day=second.effective_from.strftime("%d/%m/%Y")))


def _dated(row, data):
    start, end = _period(data)
    row.effective_from, row.effective_to = start, end
    row.source_text = _text(data, "source_text", 255, required=True)
    row.to_verify = bool(data.get("to_verify"))
    return start, end


def _same_key(model, *conditions):
    return db.session.scalars(select(model).where(*conditions)).all()


def _site(code, field="site"):
    if not code:
        return None
    site = db.session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise field_error(field, _l("Unknown site %(code)s.", code=str(code)[:60]))
    return site


# --- regulations, genres, adjustments ----------------------------------------------

def _position(data, row, siblings):
    """The order given, else after the last one for a new row (the row's own order when editing)."""
    if data.get("position") is not None:
        return int(data["position"])
    if row.position is not None and row in siblings:
        return row.position
    return max((s.position or 0 for s in siblings), default=-1) + 1


def _caps_for(regulation):
    return national_caps_on(regulation.effective_from)


def _check_table(regulation, genres):
    """The whole table against the national caps in force when it starts (and ends): the domain's
    check_rate_table finds the problems; each is said here in the reader's language."""
    days = [regulation.effective_from] + ([regulation.effective_to] if regulation.effective_to else [])
    by_code = {g.code: g for g in genres}
    rows = [(g.code, Range(Decimal(g.min_coefficient), Decimal(g.max_coefficient)), Decimal(g.default_coefficient),
             g.cap_group) for g in genres if g.fixed_amount is None]
    for day in days:
        caps = national_caps_on(day)
        problems = check_rate_table(rows, caps)
        if not problems:
            continue
        genre = by_code[problems[0][0]]
        when = day.strftime("%d/%m/%Y")
        cap = caps.get(genre.cap_group)
        if cap is None:
            raise field_error("cap_group", _l("Genre %(code)s: no national cap of the group %(group)s is in force on "
                                         "%(day)s.", code=genre.code, group=genre.cap_group, day=when))
        if Decimal(genre.max_coefficient) > cap:
            raise field_error("max_coefficient", _l(
                "Genre %(code)s: the maximum %(max)s exceeds the national cap %(cap)s in force on %(day)s.",
                code=genre.code, max=decimal_text(genre.max_coefficient), cap=decimal_text(cap), day=when))
        raise field_error("default_coefficient", _l("The default must be between the minimum and the maximum."))


@audited_save("rates.regulation.saved", "regulation", row_index=1)
def save_regulation(actor, regulation, data):
    """Create (regulation None) or edit a rate table's header: code, name, site, period, source."""
    _require_admin(actor)
    creating = regulation is None
    if creating:
        regulation = Regulation()
        code = _text(data, "code", 60, required=True).lower()
        if not REGULATION_CODE.match(code):
            raise field_error("code", _l("Use lowercase letters, digits, - and _ only."))
        if db.session.scalar(select(Regulation.id).where(Regulation.code == code)):
            raise field_error("code", _l("This code is already used."))
        regulation.code = code
    regulation.name = _text(data, "name", 255, required=True)
    if "site" in data:
        site = _site(data.get("site"))
        regulation.site_id = site.id if site else None
    start, end = _period(data)
    _check_periods(_same_key(Regulation, Regulation.site_id.is_(None) if regulation.site_id is None
                             else Regulation.site_id == regulation.site_id), regulation, start, end)
    _dated(regulation, data)
    if creating and data.get("copy_from"):
        source = db.session.scalar(select(Regulation).where(Regulation.code == data["copy_from"]))
        if source is None:
            raise field_error("copy_from", _l("Unknown regulation %(code)s.", code=str(data["copy_from"])[:60]))
        regulation.genres = [Genre(code=g.code, label=g.label, min_coefficient=g.min_coefficient,
                                   max_coefficient=g.max_coefficient, default_coefficient=g.default_coefficient,
                                   fixed_amount=g.fixed_amount, cap_group=g.cap_group, position=g.position,
                                   active=g.active) for g in source.genres]
        regulation.adjustments = [AdjustmentType(code=a.code, label=a.label, min_factor=a.min_factor,
                                                 max_factor=a.max_factor, default_factor=a.default_factor,
                                                 position=a.position) for a in source.adjustments]
    _check_table(regulation, regulation.genres)
    db.session.add(regulation)
    db.session.flush()
    return regulation


def _new_child(data, siblings, model):
    """A new genre or adjustment: its code, unique within the rate table."""
    code = _text(data, "code", 60, required=True).lower()
    if not CODE.match(code):
        raise field_error("code", _l("Use lowercase letters, digits and _ only."))
    if any(row.code == code for row in siblings):
        raise field_error("code", _l("This code is already used."))
    return model(code=code)


def _bounds(data, low_field, high_field, default_field):
    """(minimum, maximum, default): positive, min ≤ default ≤ max, max within reason."""
    low, high = _decimal(data, low_field), _decimal(data, high_field)
    default = _decimal(data, default_field)
    if low <= 0:
        raise field_error(low_field, _l("Must be above 0."))
    if high < low or high > MAX_COEFFICIENT:
        raise field_error(high_field, _l("Must be at least the minimum."))
    if not low <= default <= high:
        raise field_error(default_field, _l("The default must be between the minimum and the maximum."))
    return low, high, default


@audited_save("rates.genre.saved", "genre", row_index=2)
def save_genre(actor, regulation, genre, data):
    """Add (genre None) or edit a genre of a rate table; the table must stay within the national caps."""
    _require_admin(actor)
    creating = genre is None
    if creating:
        genre = _new_child(data, regulation.genres, Genre)
    low, high, default = _bounds(data, "min_coefficient", "max_coefficient", "default_coefficient")
    fixed = _whole(data, "fixed_amount", required=False)
    cap_group = _text(data, "cap_group", 40, required=True)
    known = set(db.session.scalars(select(NationalCap.cap_group).distinct()))
    if cap_group not in known:
        raise field_error("cap_group", _l("Unknown national cap group %(group)s.", group=cap_group))
    genre.label = _text(data, "label", 255, required=True)
    genre.min_coefficient, genre.max_coefficient, genre.default_coefficient = low, high, default
    genre.fixed_amount, genre.cap_group = fixed, cap_group
    genre.position = _position(data, genre, regulation.genres)
    genre.active = bool(data.get("active", True))
    _check_table(regulation, [g for g in regulation.genres if g is not genre] + [genre])
    if creating:
        regulation.genres.append(genre)
    db.session.flush()
    return genre


@audited_save("rates.adjustment.saved", "adjustment_type", row_index=2)
def save_adjustment(actor, regulation, adjustment, data):
    """Add (adjustment None) or edit an adjustment (factor) of a rate table."""
    _require_admin(actor)
    if adjustment is None:
        adjustment = _new_child(data, regulation.adjustments, AdjustmentType)
    low, high, default = _bounds(data, "min_factor", "max_factor", "default_factor")
    adjustment.label = _text(data, "label", 255, required=True)
    adjustment.min_factor, adjustment.max_factor, adjustment.default_factor = low, high, default
    adjustment.position = _position(data, adjustment, regulation.adjustments)
    if adjustment not in regulation.adjustments:
        regulation.adjustments.append(adjustment)
    db.session.flush()
    return adjustment


# --- the dated rules ----------------------------------------------------------------------

@audited_save("rates.national_cap.saved", "national_cap", row_index=1)
def save_national_cap(actor, cap, data):
    """A national maximum for a group; lowering it is refused while a rate table in force goes above it."""
    _require_admin(actor)
    cap = cap or NationalCap()
    group = _text(data, "cap_group", 40, required=True)
    if not CODE.match(group):
        raise field_error("cap_group", _l("Use lowercase letters, digits and _ only."))
    value = _decimal(data, "max_coefficient")
    if not Decimal(0) < value <= MAX_COEFFICIENT:
        raise field_error("max_coefficient", _l("Must be above 0."))
    start, end = _period(data)
    _check_periods(_same_key(NationalCap, NationalCap.cap_group == group), cap, start, end)
    cap.cap_group, cap.label, cap.max_coefficient = group, _text(data, "label", 255, required=True), value
    _dated(cap, data)
    db.session.add(cap)
    db.session.flush()
    # Every rate table whose period meets this cap's must stay within it.
    for regulation in db.session.scalars(select(Regulation)):
        if regulation.effective_to is not None and regulation.effective_to < start:
            continue
        if end is not None and regulation.effective_from > end:
            continue
        day = max(start, regulation.effective_from)
        for genre in regulation.genres:
            if genre.cap_group == group and genre.fixed_amount is None and Decimal(genre.max_coefficient) > value:
                if national_caps_on(day).get(group) == value:
                    raise field_error("max_coefficient", _l(
                        "%(regulation)s allows up to %(max)s for %(genre)s: above this cap.",
                        regulation=regulation.source_text or regulation.name, max=genre.max_coefficient.normalize(),
                        genre=genre.label))
    return cap


@audited_save("rates.site_factor.saved", "site_factor", row_index=1)
def save_site_factor(actor, row, data):
    """The share of the portal's rate a site pays: for one site, or for every site of a kind."""
    _require_admin(actor)
    row = row or SiteFactor()
    site = _site(data.get("site"))
    kind = (data.get("site_kind") or "").strip() or None
    if (site is None) == (kind is None):
        raise field_error("site", _l("Choose either a site or a kind of site."))
    if kind is not None and kind not in SITE_KINDS:
        raise field_error("site_kind", _l("Unknown kind of site."))
    factor = _decimal(data, "factor")
    if not Decimal(0) < factor <= 10:
        raise field_error("factor", _l("Must be above 0 and at most 10."))
    start, end = _period(data)
    key = SiteFactor.site_id == site.id if site else SiteFactor.site_kind == kind
    _check_periods(_same_key(SiteFactor, key), row, start, end)
    row.site_id, row.site_kind, row.factor = (site.id if site else None), kind, factor
    _dated(row, data)
    db.session.add(row)
    db.session.flush()
    return row


@audited_save("rates.base_salary.saved", "base_salary", row_index=1)
def save_base_salary(actor, row, data):
    _require_admin(actor)
    row = row or BaseSalary()
    amount = _whole(data, "amount")
    if amount <= 0:
        raise field_error("amount", _l("Must be above 0."))
    start, end = _period(data)
    _check_periods(_same_key(BaseSalary), row, start, end)
    row.amount = amount
    _dated(row, data)
    db.session.add(row)
    db.session.flush()
    return row


@audited_save("rates.tax_rule.saved", "tax_rule", row_index=1)
def save_tax_rule(actor, row, data):
    _require_admin(actor)
    row = row or TaxRule()
    threshold = _whole(data, "threshold")
    rate = _decimal(data, "rate_percent", places=2)
    if not Decimal(0) <= rate <= 100:
        raise field_error("rate_percent", _l("Must be between 0 and 100."))
    start, end = _period(data)
    _check_periods(_same_key(TaxRule), row, start, end)
    row.threshold, row.rate_percent = threshold, rate
    _dated(row, data)
    db.session.add(row)
    db.session.flush()
    return row


@audited_save("rates.fee_rule.saved", "fee_rule", row_index=1)
def save_fee_rule(actor, row, data):
    """A site's fee for a role: a percent of the item's royalties, or a coefficient × the unit value."""
    _require_admin(actor)
    row = row or FeeRule()
    site = _site(data.get("site"))
    if site is None:
        raise field_error("site", _l("This field is required."))
    role, kind = data.get("role"), data.get("kind")
    if role not in FEE_ROLES:
        raise field_error("role", _l("Choose editor, approver or provider."))
    if kind not in FEE_KINDS:
        raise field_error("kind", _l("Choose percent or coefficient."))
    value = _decimal(data, "value")
    if value < 0 or (kind == FEE_PERCENT and value > 100) or value > MAX_COEFFICIENT:
        raise field_error("value", _l("A percent is between 0 and 100; a coefficient is 0 or more."))
    start, end = _period(data)
    _check_periods(_same_key(FeeRule, FeeRule.site_id == site.id, FeeRule.role == role), row, start, end)
    row.site_id, row.role, row.kind, row.value = site.id, role, kind, value
    _dated(row, data)
    db.session.add(row)
    db.session.flush()
    return row


@audited_save("rates.confirmed", None, row_index=1)
def confirm(actor, row):
    """An admin checked a "to verify" row against the official text."""
    _require_admin(actor)
    row.to_verify = False
    db.session.flush()
    return row
