"""How the audit log reads on the admin page: what was changed, in words, and only the fields that changed.

The log stores codes (`user.updated`, `royalty_sheet`) and whole records before and after (audit/services.py);
an administrator looking for "who switched this endpoint off" wants the kind of object, the verb and the one
field that moved. Codes without a label here are shown as stored."""
import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

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


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field did not exist (a creation)
    after: str | None  # None: it no longer exists (a deletion)


def object_label(target_type):
    return OBJECT_LABELS.get(target_type, target_type)


def verb_label(action):
    return VERB_LABELS.get(action.rsplit(".", 1)[-1], action)


def changes(before, after):
    """The fields that differ between two snapshots (every field of a creation or a deletion), in name order."""
    before, after = before or {}, after or {}
    return [Change(name, _text(before[name]) if name in before else None,
                   _text(after[name]) if name in after else None)
            for name in sorted(set(before) | set(after))
            if name not in before or name not in after or before[name] != after[name]]


def _text(value):
    # Readable Vietnamese (no \u escapes); the template escapes it.
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
