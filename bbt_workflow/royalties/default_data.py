"""Write the default rate data (domain/default_rates.py) into an empty installation.

Plain SQL tables rather than the ORM models, so the 0004 migration that calls it
keeps working when the models grow columns later.
"""
import sqlalchemy as sa

from ..domain import default_rates as rates

_NUMBER = sa.Numeric(8, 4)

_regulations = sa.table(
    "royalty_regulations", sa.column("id"), sa.column("code"), sa.column("name"), sa.column("site_id"),
    sa.column("effective_from", sa.Date), sa.column("effective_to", sa.Date), sa.column("source_text"), sa.column("to_verify"),
    sa.column("created_at"),
)
_genres = sa.table(
    "royalty_genres", sa.column("regulation_id"), sa.column("code"), sa.column("label"),
    sa.column("min_coefficient", _NUMBER), sa.column("max_coefficient", _NUMBER), sa.column("default_coefficient", _NUMBER),
    sa.column("fixed_amount"), sa.column("cap_group"), sa.column("position"), sa.column("active"),
)
_adjustments = sa.table(
    "royalty_adjustment_types", sa.column("regulation_id"), sa.column("code"), sa.column("label"),
    sa.column("min_factor", _NUMBER), sa.column("max_factor", _NUMBER), sa.column("default_factor", _NUMBER), sa.column("position"),
)
_caps = sa.table(
    "royalty_national_caps", sa.column("cap_group"), sa.column("label"), sa.column("max_coefficient", _NUMBER),
    sa.column("effective_from", sa.Date), sa.column("source_text"), sa.column("to_verify"),
)
_salaries = sa.table(
    "royalty_base_salaries", sa.column("amount"), sa.column("effective_from", sa.Date), sa.column("source_text"),
    sa.column("to_verify"),
)
_taxes = sa.table(
    "royalty_tax_rules", sa.column("threshold"), sa.column("rate_percent", _NUMBER), sa.column("effective_from", sa.Date),
    sa.column("source_text"), sa.column("to_verify"),
)
_site_factors = sa.table(
    "royalty_site_factors", sa.column("site_kind"), sa.column("factor", _NUMBER), sa.column("effective_from", sa.Date),
    sa.column("source_text"), sa.column("to_verify"),
)


def insert_default_rates(connection):
    """Insert the defaults when no regulation exists yet; return whether anything was written."""
    if connection.execute(sa.select(sa.func.count()).select_from(_regulations)).scalar():
        return False
    connection.execute(_caps.insert(), [
        {"cap_group": group, "label": label, "max_coefficient": cap, "effective_from": rates.NATIONAL_CAPS_FROM,
         "source_text": rates.NATIONAL_CAP_SOURCE, "to_verify": False}
        for group, label, cap in rates.NATIONAL_CAPS
    ])
    connection.execute(_salaries.insert(), [
        {"amount": amount, "effective_from": start, "source_text": source, "to_verify": verify}
        for start, amount, source, verify in rates.BASE_SALARIES
    ])
    connection.execute(_taxes.insert(), [
        {"threshold": threshold, "rate_percent": rate, "effective_from": start, "source_text": source,
         "to_verify": verify}
        for start, threshold, rate, source, verify in rates.TAX_RULES
    ])
    connection.execute(_site_factors.insert(), [
        {"site_kind": kind, "factor": factor, "effective_from": rates.SITE_FACTORS_FROM, "source_text": source,
         "to_verify": False}
        for kind, factor, source in rates.SITE_KIND_FACTORS
    ])
    regulation = rates.DEFAULT_REGULATION
    connection.execute(_regulations.insert().values(
        code=regulation["code"], name=regulation["name"], site_id=None,
        effective_from=regulation["effective_from"], effective_to=None,
        source_text=regulation["source_text"], to_verify=False, created_at=sa.func.current_timestamp(),
    ))
    regulation_id = connection.execute(
        sa.select(_regulations.c.id).where(_regulations.c.code == regulation["code"])
    ).scalar_one()
    connection.execute(_genres.insert(), [
        {"regulation_id": regulation_id, "code": code, "label": label, "min_coefficient": low,
         "max_coefficient": high, "default_coefficient": default, "fixed_amount": None, "cap_group": group,
         "position": position, "active": True}
        for position, (code, label, low, high, default, group) in enumerate(rates.GENRES)
    ])
    connection.execute(_adjustments.insert(), [
        {"regulation_id": regulation_id, "code": code, "label": label, "min_factor": low, "max_factor": high,
         "default_factor": default, "position": position}
        for position, (code, label, low, high, default) in enumerate(rates.ADJUSTMENTS)
    ])
    return True
