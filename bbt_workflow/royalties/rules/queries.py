"""Which rule rows are in force for a site on a day (ROYALTIES.md, computation step 1).

Every computation asks these lookups, so the grading form, the sheet and the
rates API agree. A missing rule is a clear error, never a silent zero.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...domain.royalty_rules import in_force, unit_value
from ...errors import ValidationFailed
from ...extensions import db
from ..models import BaseSalary, FeeRule, NationalCap, Regulation, SiteFactor, TaxRule
from ..session_cache import session_cache

RULE_MODELS = (Regulation, BaseSalary, SiteFactor, TaxRule, NationalCap, FeeRule)


class MissingRule(ValidationFailed):
    code = "missing_rule"


def _rows(model):
    """Every row of a rule table, oldest first. The tables are small (dozens of rows); a transaction
    reads each once, so a page of fifty graded items does not query them fifty times. The cache
    belongs to the database session and is dropped whenever a rule row changes (session_cache)."""
    cache = session_cache("rule_rows", RULE_MODELS)
    if model not in cache:
        cache[model] = db.session.scalars(select(model).order_by(model.effective_from, model.id)).all()
    return cache[model]


def regulation_on(site, on):
    """The site's own regulation in force that day, else the installation's default."""
    rows = [r for r in _rows(Regulation) if r.site_id in (site.id, None)]
    own = in_force([r for r in rows if r.site_id == site.id], on)
    regulation = own or in_force([r for r in rows if r.site_id is None], on)
    if regulation is None:
        raise MissingRule(_l("No royalty regulation is in force on %(day)s.", day=on.isoformat()))
    return regulation


def base_salary_on(on):
    row = in_force(_rows(BaseSalary), on)
    if row is None:
        raise MissingRule(_l("No base salary is in force on %(day)s.", day=on.isoformat()))
    return row


def unit_value_on(on):
    return unit_value(base_salary_on(on).amount)


def site_factor_on(site, on):
    rows = [r for r in _rows(SiteFactor) if r.site_id == site.id or r.site_kind == site.kind]
    row = in_force([r for r in rows if r.site_id == site.id], on) or in_force(
        [r for r in rows if r.site_id is None], on)
    if row is None:
        raise MissingRule(_l("No site factor is in force for %(site)s on %(day)s.", site=site.name,
                             day=on.isoformat()))
    return row


def tax_rule_on(on):
    row = in_force(_rows(TaxRule), on)
    if row is None:
        raise MissingRule(_l("No tax rule is in force on %(day)s.", day=on.isoformat()))
    return row


def national_caps_on(on):
    """{cap_group: max coefficient} in force that day."""
    rows = _rows(NationalCap)
    caps = {}
    for group in {r.cap_group for r in rows}:
        row = in_force([r for r in rows if r.cap_group == group], on)
        if row is not None:
            caps[group] = Decimal(row.max_coefficient)
    return caps


def fee_rules_on(site, on):
    """The site's fee rule in force per role that day: {role: FeeRule}."""
    rows = [r for r in _rows(FeeRule) if r.site_id == site.id]
    rules = {}
    for role in {r.role for r in rows}:
        row = in_force([r for r in rows if r.role == role], on)
        if row is not None:
            rules[role] = row
    return rules


def genre_of(regulation, code):
    for genre in regulation.genres:
        if genre.code == code:
            return genre
    return None


def adjustment_of(regulation, code):
    for adjustment in regulation.adjustments:
        if adjustment.code == code:
            return adjustment
    return None
