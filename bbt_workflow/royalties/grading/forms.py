"""The grading form of the web pages (forward/approve): read the posted fields into the
API.md grading dict, and prepare what the form shows (defaults, kept values, the rules).
Numbers the form shows are in the reader's format (1,5 / 1.5: formatting.input_number); what
was typed is kept as typed; the services parse either separator.

The form works without JavaScript: every part, adjustment and payee row is a plain
field named g-<part>-..., so the server reads the same fields the live quote sends.
Field names:
  g-<i>-genre, g-<i>-coefficient, g-<i>-remove
  g-<i>-f-<code>-on, g-<i>-f-<code>-value, g-<i>-f-<code>-reason
  g-<i>-p-<j>-payee_id, -label, -username, -name, -pen_name, -share
  g-provider-username, g-provider-name, g-provider-pen_name
"""
import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from ...accounts.models import User
from ...domain.royalty_rules import decimal_text, split_by_shares
from ...errors import ServiceError
from ...extensions import db
from ...formatting import input_number
from .services import current_grading, grading_day, grading_view
from ..rules.queries import regulation_on

MAX_PARTS = 20
MAX_PAYEE_ROWS = 30
BLANK_PAYEE_ROWS = 2
_PART = re.compile(r"^g-(\d{1,3})-genre$")
_FACTOR = re.compile(r"^g-(\d{1,3})-f-(\w{1,60})-(on|value|reason)$")
_PAYEE = re.compile(r"^g-(\d{1,3})-p-(\d{1,3})-(payee_id|label|username|name|pen_name|share)$")
# The genre a new grading starts from, by content type (when the regulation has it).
DEFAULT_GENRE = {"tin": "tin_ngan", "bai": "bai_phan_anh", "anh": "anh_dong_bang", "video": "truc_tuyen_media",
                 "infographic": "infographic", "banner": "infographic"}


@dataclass
class PayeeRow:
    payee_id: str = ""
    label: str = ""
    username: str = ""
    name: str = ""
    pen_name: str = ""
    share: str = ""

    def is_empty(self):
        return not (self.payee_id or self.username.strip() or self.name.strip())

    def ref(self):
        if self.payee_id.isdecimal():
            ref = {"payee_id": int(self.payee_id)}
        elif self.username.strip():
            ref = {"username": self.username.strip()}
        else:
            ref = {"name": self.name.strip(), "pen_name": self.pen_name.strip()}
        ref["share"] = self.share.strip()
        return ref


@dataclass
class FactorRow:
    on: bool = False
    value: str = ""
    reason: str = ""


@dataclass
class PartState:
    genre: str = ""
    coefficient: str = ""
    remove: bool = False
    factors: dict = field(default_factory=dict)  # adjustment code -> FactorRow
    payees: list = field(default_factory=list)  # [PayeeRow]


@dataclass
class GradingState:
    parts: list = field(default_factory=list)
    provider_username: str = ""
    provider_name: str = ""
    provider_pen_name: str = ""

    def to_grading(self):
        """The grading dict of API.md: removed parts, unchecked adjustments and empty payee rows left out."""
        data = {"parts": [
            {"genre": part.genre, "coefficient": part.coefficient.strip(),
             "factors": [{"code": code, "value": row.value.strip(), "reason": row.reason}
                         for code, row in part.factors.items() if row.on],
             "payees": [row.ref() for row in part.payees if not row.is_empty()]}
            for part in self.parts if not part.remove
        ]}
        if self.provider_username.strip():
            data["provider"] = {"username": self.provider_username.strip()}
        elif self.provider_name.strip():
            data["provider"] = {"name": self.provider_name.strip(), "pen_name": self.provider_pen_name.strip()}
        return data


def _text(form, name, limit=500):
    return (form.get(name) or "")[:limit]


def state_from_form(form):
    """The grading fields of a posted form, in the order shown; None when it has none."""
    indexes = sorted({int(m.group(1)) for m in map(_PART.match, form.keys()) if m})[:MAX_PARTS]
    if not indexes:
        return None
    parts = {}
    for i in indexes:
        parts[i] = PartState(genre=_text(form, f"g-{i}-genre", 60), coefficient=_text(form, f"g-{i}-coefficient", 30),
                             remove=bool(form.get(f"g-{i}-remove")))
    rows = {}
    for key in form.keys():
        match = _FACTOR.match(key)
        if match and int(match.group(1)) in parts:
            i, code = int(match.group(1)), match.group(2)
            row = parts[i].factors.setdefault(code, FactorRow())
            if match.group(3) == "on":
                row.on = bool(form.get(key))
            else:
                setattr(row, match.group(3), _text(form, key))
            continue
        match = _PAYEE.match(key)
        if match and int(match.group(1)) in parts and int(match.group(2)) < MAX_PAYEE_ROWS:
            row = rows.setdefault((int(match.group(1)), int(match.group(2))), PayeeRow())
            setattr(row, match.group(3), _text(form, key, 255))
    for (i, _j), row in sorted(rows.items()):
        parts[i].payees.append(row)
    return GradingState(parts=[parts[i] for i in indexes],
                        provider_username=_text(form, "g-provider-username", 64),
                        provider_name=_text(form, "g-provider-name", 255),
                        provider_pen_name=_text(form, "g-provider-pen_name", 255))


def state_from_grading(grading):
    """A stored grading as the form shows it (the approver starts from the editor's)."""
    parts = []
    for part in grading.parts:
        parts.append(PartState(
            genre=part.genre_code, coefficient=input_number(Decimal(part.coefficient)),
            factors={f.code: FactorRow(True, input_number(Decimal(f.value)), f.reason) for f in part.factors},
            payees=[PayeeRow(payee_id=str(gp.payee_id), label=_payee_label(gp.payee),
                             share=input_number(Decimal(gp.share))) for gp in part.payees]))
    state = GradingState(parts=parts)
    if grading.provider is not None:
        state.provider_name = grading.provider.full_name
        state.provider_pen_name = grading.provider.pen_name or ""
        if grading.provider.user_id:
            user = db.session.get(User, grading.provider.user_id)
            state.provider_username, state.provider_name, state.provider_pen_name = user.username, "", ""
    return state


def _payee_label(payee):
    return f"{payee.full_name} ({payee.pen_name})" if payee.pen_name else payee.full_name


def blank_part(regulation, content_type=None):
    genre = _genre(regulation, DEFAULT_GENRE.get(content_type)) or next((g for g in regulation.genres if g.active), None)
    if genre is None:
        return PartState()
    return PartState(genre=genre.code, coefficient=input_number(Decimal(genre.default_coefficient)))


def default_state(sub, regulation):
    """A first grading: one part of the content type's genre, paid to the item's co-authors by their shares."""
    part = blank_part(regulation, sub.content_type)
    users = {}
    ids = [a.user_id for a in sub.authors if a.user_id]
    if ids:
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    for author in sub.authors:
        share = input_number(Decimal(author.share))
        if author.user_id and author.user_id in users:
            user = users[author.user_id]
            part.payees.append(PayeeRow(username=user.username, label=user.full_name, share=share))
        else:
            part.payees.append(PayeeRow(name=author.name, pen_name=author.pen_name or "", share=share))
    if not part.payees and sub.author is not None:
        part.payees.append(PayeeRow(username=sub.author.username, label=sub.author.full_name, share="100"))
    return GradingState(parts=[part])


def _genre(regulation, code):
    return next((g for g in regulation.genres if g.code == code and g.active), None)


def form_context(sub, state=None, error=None, *, add_part=False):
    """What templates/royalties/_grading_form.html needs; the rules come from the day that applies."""
    on = grading_day(sub)
    try:
        regulation = regulation_on(sub.site, on)
    except ServiceError as exc:
        return {"missing": str(exc.message), "on": on, "error": error, "state": state or GradingState()}
    if state is None:
        grading = current_grading(sub)
        state = state_from_grading(grading) if grading is not None else default_state(sub, regulation)
    if add_part and len(state.parts) < MAX_PARTS:
        state.parts.append(blank_part(regulation))
    for part in state.parts:
        filled = [row for row in part.payees if not row.is_empty()]
        part.payees = filled + [PayeeRow() for _ in range(min(BLANK_PAYEE_ROWS, MAX_PAYEE_ROWS - len(filled)))]
    genres = [g for g in regulation.genres if g.active]
    return {
        "missing": None, "on": on, "error": error, "state": state, "regulation": regulation,
        "genres": [{"code": g.code, "label": g.label, "min": decimal_text(Decimal(g.min_coefficient)),
                    "max": decimal_text(Decimal(g.max_coefficient)), "default": input_number(Decimal(g.default_coefficient)),
                    "fixed_amount": g.fixed_amount} for g in genres],
        "adjustments": [{"code": a.code, "label": a.label, "min": decimal_text(Decimal(a.min_factor)),
                         "max": decimal_text(Decimal(a.max_factor)), "default": input_number(Decimal(a.default_factor))}
                        for a in regulation.adjustments],
    }


def grading_display(sub):
    """The current grading for the detail page: parts with genre labels, payees with their amounts, total."""
    view = grading_view(sub)
    if view is None:
        return None
    grading = current_grading(sub)
    labels = {g.code: g.label for g in grading.regulation.genres}
    adjustments = {a.code: a.label for a in grading.regulation.adjustments}
    for part in view["parts"]:
        part["genre_label"] = labels.get(part["genre"], part["genre"])
        for factor in part["factors"]:
            factor["label"] = adjustments.get(factor["code"], factor["code"])
        amounts = [None] * len(part["payees"])
        if part["amount"] is not None and part["payees"]:
            amounts = split_by_shares(part["amount"], [Decimal(p["share"]) for p in part["payees"]])
        for payee, amount in zip(part["payees"], amounts):
            payee["amount"] = amount
    view["regulation"] = grading.regulation.source_text or grading.regulation.name
    view["action"] = grading.action
    return view
