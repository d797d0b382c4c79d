"""How the audit log reads on the admin page: what was changed, in words, and only the fields that changed.

The log stores codes (`user.updated`, `royalty_sheet`, `four_eyes`) and whole records before and after
(audit/services.py); an administrator looking for "who switched this endpoint off" wants the kind of object,
the verb and the one field that moved, named as the forms name it. Codes without a label here are shown as
stored."""
import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Site, Unit
from ..extensions import db
from ..formatting import format_date, format_datetime
from ..royalties.models import Regulation

# target_type (as stored: a service's name for the object, or its table's name) → what it is.
OBJECT_LABELS = {
    "user": _l("User"), "unit": _l("Unit"), "site": _l("Site"), "membership": _l("Membership"),
    "plan_target": _l("Plan target"), "category": _l("Category"), "payee": _l("Payee"),
    "endpoint": _l("Portal endpoint"), "royalty_sheet": _l("Royalty sheet"),
    "regulation": _l("Royalty regulation"), "royalty_regulations": _l("Royalty regulation"),
    "genre": _l("Genre and coefficients"), "royalty_genres": _l("Genre and coefficients"),
    "adjustment_type": _l("Adjustment type"), "royalty_adjustment_types": _l("Adjustment type"),
    "national_cap": _l("National cap"), "royalty_national_caps": _l("National cap"),
    "site_factor": _l("Site factor"), "royalty_site_factors": _l("Site factor"),
    "base_salary": _l("Base salary"), "royalty_base_salaries": _l("Base salary"),
    "tax_rule": _l("Tax rule"), "royalty_tax_rules": _l("Tax rule"),
    "fee_rule": _l("Fee rule"), "royalty_fee_rules": _l("Fee rule"),
}
# The action code's last part → the verb (sheet steps keep the sheet workflow's own action names).
VERB_LABELS = {
    "created": _l("created"), "updated": _l("changed"), "saved": _l("saved"), "set": _l("set"),
    "deleted": _l("deleted"), "secret_rotated": _l("secret rotated"), "confirmed": _l("checked against the text"),
    "recompute": _l("recomputed"), "check": _l("checked"), "approve": _l("approved"), "pay": _l("paid"),
    "reopen": _l("reopened"),
}

# A snapshot's field (a column's name, or a key of a service's own view of the record) → its name in words,
# mostly the label of the form that edits it. Every field the audited services write has one
# (tests/integration/test_audit_log.py checks the snapshots of every kind of object against this table).
FIELD_LABELS = {
    "active": _l("Active"), "amount": _l("Amount"), "approval_levels": _l("Approval levels"),
    "bank_account": _l("Bank account"), "bank_name": _l("Bank"), "cap_group": _l("National cap group"),
    "categories": _l("Categories"), "category_map": _l("Category mapping (JSON)"), "code": _l("Code"),
    "commitment_years": _l("Commitment years"),
    "created_at": _l("Created at"), "default_coefficient": _l("Default coefficient"),
    "default_factor": _l("Default adjustment factor"), "disabled_reason": _l("Why it was switched off"),
    "effective_from": _l("In force from"), "effective_to": _l("In force until"), "email": _l("Email"),
    "factor": _l("Factor"), "fixed_amount": _l("Fixed amount per item"), "four_eyes": _l("Four-eyes rule"),
    "full_name": _l("Full name"), "id": _l("Record number"), "id_number": _l("ID number (CCCD)"),
    "is_admin": _l("Administrator"), "kind": _l("Kind"), "label": _l("Label shown"),
    "labour_contract": _l("Labour contract of 3 months or more"), "max_coefficient": _l("Maximum coefficient"),
    "max_factor": _l("Maximum adjustment factor"), "min_coefficient": _l("Minimum coefficient"),
    "min_factor": _l("Minimum adjustment factor"), "name": _l("Name"), "parent": _l("Parent site"),
    "pen_name": _l("Pen name"), "period_start": _l("Period"), "phone": _l("Phone"), "plan_items": _l("Items planned"),
    "position": _l("Order"), "previous_secret_valid_until": _l("Previous secret valid until"),
    "rate_percent": _l("Rate (%)"), "regulation_id": _l("Royalty regulation"), "role": _l("Role"),
    "roles": _l("Roles"), "royalty_budget": _l("Royalty budget (đồng)"), "site": _l("Site"), "site_id": _l("Site"),
    "site_kind": _l("Kind of site"), "source_text": _l("Source text"), "state": _l("State"),
    "tax_code": _l("Tax code"), "threshold": _l("Threshold per payment (VND)"), "to_verify": _l("To verify"),
    "unit": _l("Unit"), "unit_id": _l("Unit"), "updated_at": _l("Updated at"), "url": _l("URL"), "user": _l("User"),
    "username": _l("Username"), "value": _l("Value"), "version": _l("Version"), "year": _l("Year"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str  # the field in words (FIELD_LABELS), else its code
    before: str | None  # None: the field did not exist (a creation)
    after: str | None  # None: it no longer exists (a deletion)


def object_label(target_type):
    return OBJECT_LABELS.get(target_type, target_type)


def field_label(name):
    return str(FIELD_LABELS.get(name, name))


def verb_label(action):
    return VERB_LABELS.get(action.rsplit(".", 1)[-1], action)


# Fields that hold another record's id (a user's unit, a rate's site or regulation) → that record's code column:
# "Đơn vị: so-tttt" rather than "Đơn vị: 3". An id whose record is gone is shown as stored.
REFERENCES = {"unit_id": Unit.code, "site_id": Site.code, "regulation_id": Regulation.code}


# Fields kept as ISO text (audit.services.plain) → shown as the app shows days and instants (dd/mm/yyyy, local).
DAY_FIELDS = frozenset({"effective_from", "effective_to", "period_start"})
INSTANT_FIELDS = frozenset({"created_at", "updated_at", "previous_secret_valid_until"})


def referenced_codes(entries):
    """{field: {id: code}} for the ids that a page of entries holds in REFERENCES' fields: one statement per kind
    of record referred to, whatever the number of entries."""
    wanted = {}
    for entry in entries:
        for snapshot in (entry.before or {}, entry.after or {}):
            for field in REFERENCES.keys() & snapshot.keys():
                if isinstance(snapshot[field], int):
                    wanted.setdefault(field, set()).add(snapshot[field])
    codes = {}
    for field, ids in wanted.items():
        column = REFERENCES[field]
        id_column = column.class_.id
        codes[field] = dict(db.session.execute(select(id_column, column).where(id_column.in_(ids))).all())
    return codes


def changes(before, after, codes=None):
    """The fields that differ between two snapshots (every field of a creation or a deletion), in the snapshots'
    order (the record's columns or the service's view of it: code and name first, as its form reads, not the
    alphabet's); `codes` (referenced_codes) names the records that id fields point to."""
    before, after = before or {}, after or {}
    codes = codes or {}
    names = list(after) + [name for name in before if name not in after]
    return [Change(name, field_label(name), _text(name, before[name], codes) if name in before else None,
                   _text(name, after[name], codes) if name in after else None)
            for name in names
            if name not in before or name not in after or before[name] != after[name]]


def _text(name, value, codes):
    """A field's value as the page shows it (the template escapes it): another record's code for its id, a day or
    an instant as the app formats them, yes/no and lists in words, anything else as readable JSON (no \\u escapes)."""
    if name in codes and value in codes[name]:
        return codes[name][value]
    if isinstance(value, str) and name in DAY_FIELDS:
        return format_date(value)
    if isinstance(value, str) and name in INSTANT_FIELDS:
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        return ", ".join(str(v) for v in value) or "—"  # codes, roles, years: a list in words, not JSON
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
