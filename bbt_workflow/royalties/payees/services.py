"""Payees: every user has one (created with the user); outsiders are named records.

Personal fields (tax code, ID number, bank account) are read and written only by
accountants and admins; `payee_view` masks them for everyone else.

Creating and editing a payee on the payee pages or the API is recorded in the audit log (issue 16).
The records that come with a user account (`keep_payee_of_user`) and the outsiders a grading or
an import names (`resolve_payee`) are not: the user's own entry, or the grading, is the trace.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...accounts.models import User
from ...accounts.services import get_unit_by_code
from ...audit.services import record, snapshot
from ...errors import Forbidden, NotFound, field_error
from ...extensions import db
from ...permissions import can_manage_payees, can_see_personal_payee_fields
from ...domain.text_search import fold
from ...sql_search import contains
from ..models import Payee, PayeeCommitment

PERSONAL_FIELDS = ("tax_code", "id_number", "bank_account", "bank_name")
MASK = "••••"


def payee_for_user(user):
    """The user's payee record, created on first need (and with every new user)."""
    payee = db.session.scalar(select(Payee).where(Payee.user_id == user.id))
    if payee is None:
        payee = Payee(user_id=user.id, full_name=user.full_name, pen_name=user.pen_name, unit_id=user.unit_id)
        db.session.add(payee)
        db.session.flush()
    return payee


def sync_payee_with_user(user):
    """Name, pen name and unit follow the user's account."""
    payee = payee_for_user(user)
    payee.full_name, payee.pen_name, payee.unit_id = user.full_name, user.pen_name, user.unit_id


def keep_payee_of_user(user, *, created):
    """accounts.hooks.on_user_saved: a new user gets a payee record; a changed one keeps it in step."""
    if created:
        payee_for_user(user)
    else:
        sync_payee_with_user(user)


def resolve_payee(ref, *, field="payees"):
    """A payee reference from a grading or an import (API.md):
    {"payee_id"}, {"username"} for a user, or {"name", "pen_name"} for an outsider
    (matched to an existing outsider of that name and pen name, else created)."""
    if ref.get("payee_id"):
        payee_id = ref["payee_id"]
        # Only a whole number in the id column's range is looked up: anything else (true, "x",
        # 10**30) would match payee 1 or make the database fail.
        digits = str(payee_id) if isinstance(payee_id, (int, str)) and not isinstance(payee_id, bool) else ""
        payee = db.session.get(Payee, int(digits)) if digits.isdecimal() and int(digits) < 2 ** 31 else None
        if payee is None:
            raise field_error(field, _l("Unknown payee %(id)s.", id=str(payee_id)[:20]))
        return payee
    if ref.get("username"):
        user = db.session.scalar(select(User).where(User.username == str(ref["username"]).strip().lower()))
        if user is None:
            raise field_error(field, _l("Unknown user %(name)s.", name=str(ref["username"])[:64]))
        return payee_for_user(user)
    name, pen_name = ref.get("name") or "", ref.get("pen_name") or ""
    if not isinstance(name, str) or not isinstance(pen_name, str):
        raise field_error(field, _l("A payee's name and pen name must be text."))
    name = name.strip()
    if not name:
        raise field_error(field, _l("Each payee needs a payee id, a username or a name."))
    pen_name = pen_name.strip()[:255] or None
    payee = db.session.scalar(
        select(Payee).where(Payee.user_id.is_(None), Payee.full_name == name[:255],
                            Payee.pen_name.is_(None) if pen_name is None else Payee.pen_name == pen_name)
        .order_by(Payee.id).limit(1)
    )
    if payee is None:
        payee = Payee(full_name=name[:255], pen_name=pen_name)
        db.session.add(payee)
        db.session.flush()
    return payee


def _check_commitment_years(years):
    clean = set()
    for year in years or []:
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise field_error("commitment_years", _l("Years must be whole numbers."))
        if not 2000 <= year <= 2100:
            raise field_error("commitment_years", _l("Years must be between 2000 and 2100."))
        clean.add(year)
    return sorted(clean)


def _apply(payee, data):
    if "full_name" in data:
        name = (data["full_name"] or "").strip()
        if not name:
            raise field_error("full_name", _l("This field is required."))
        payee.full_name = name[:255]
    if "pen_name" in data:
        payee.pen_name = (data["pen_name"] or "").strip()[:255] or None
    if "unit" in data:
        payee.unit = get_unit_by_code(data["unit"]) if data["unit"] else None
    for name in PERSONAL_FIELDS:
        if name in data:
            value = (data[name] or "").strip() or None
            limit = Payee.__table__.c[name].type.length
            if value and len(value) > limit:
                raise field_error(name, _l("At most %(n)s characters.", n=limit))
            if value and name in ("tax_code", "id_number") and not value.isdigit():
                raise field_error(name, _l("Digits only."))
            setattr(payee, name, value)
    if "labour_contract" in data:
        payee.labour_contract = bool(data["labour_contract"])
    if "commitment_years" in data:
        years = _check_commitment_years(data["commitment_years"])
        payee.commitments = [PayeeCommitment(year=y) for y in years]


def _require_accounting(actor):
    if not can_manage_payees(actor):
        raise Forbidden(_l("Only accountants and administrators manage payees."), code="not_allowed")


def create_payee(actor, data):
    """An outsider payee (users get theirs with their account)."""
    _require_accounting(actor)
    payee = Payee(full_name="")
    _apply(payee, {"full_name": data.get("full_name"), **data})
    db.session.add(payee)
    db.session.flush()
    record(actor, "payee.created", "payee", payee.id, None, _audit_view(payee))
    return payee


def update_payee(actor, payee, data):
    _require_accounting(actor)
    before = _audit_view(payee)
    if payee.user_id is not None:
        # A user's name and unit come from the account: change them there, not here.
        current = {"full_name": payee.full_name, "pen_name": payee.pen_name,
                   "unit": payee.unit.code if payee.unit else None}
        for name in ("full_name", "pen_name", "unit"):
            if name in data and (data[name] or None) != current[name]:
                raise field_error(name, _l("This payee is a user: change the name and unit in the user's account."))
        data = {k: v for k, v in data.items() if k not in current}
    _apply(payee, data)
    payee.updated_at = func.now()
    db.session.flush()
    db.session.refresh(payee)
    record(actor, "payee.updated", "payee", payee.id, before, _audit_view(payee))
    return payee


def _audit_view(payee):
    """What the audit log keeps of a payee. The personal fields are kept as values, not as "changed":
    they are personal data, not secrets (stored in clear, unlike endpoint secrets and passwords),
    the log is read by admins only, who may read them on the payee pages anyway, and a changed
    bank account or tax code is exactly what an audit of payments must be able to show."""
    return {"user": payee.user.username if payee.user else None,
            **snapshot(payee, ("full_name", "pen_name", *PERSONAL_FIELDS, "labour_contract")),
            "unit": payee.unit.code if payee.unit else None, "commitment_years": payee.commitment_years}


def get_payee(actor, payee_id):
    _require_accounting(actor)
    payee = db.session.get(Payee, payee_id)
    if payee is None:
        raise NotFound(_l("Not found."))
    return payee


def payees_query(actor, *, username=None, q=None):
    _require_accounting(actor)
    # The list shows each payee's user and unit: load them per page, not per row.
    stmt = select(Payee).options(selectinload(Payee.user), selectinload(Payee.unit)).order_by(Payee.full_name, Payee.id)
    if username:
        stmt = stmt.join(User, User.id == Payee.user_id).where(User.username == username.strip().lower())
    if q:
        stmt = stmt.where(contains(Payee.search_name, fold(q)))
    return stmt


def mask(value):
    """Keep the last three characters so a person can still tell records apart."""
    if not value:
        return ""
    return MASK + value[-3:] if len(value) > 4 else MASK


def payee_view(payee, viewer):
    """The payee as `viewer` may read it: personal fields masked unless accountant/admin."""
    personal = can_see_personal_payee_fields(viewer)
    view = {
        "id": payee.id, "user_id": payee.user_id, "full_name": payee.full_name, "pen_name": payee.pen_name,
        "unit": payee.unit.code if payee.unit else None, "labour_contract": payee.labour_contract,
        "commitment_years": payee.commitment_years,
    }
    for name in PERSONAL_FIELDS:
        value = getattr(payee, name)
        view[name] = value if personal else (mask(value) if name != "bank_name" else value)
    return view
