"""The royalty sheet's states and actions (ROYALTIES.md, step 5), as data.

draft (recomputed on demand) → checked → approved → paid (locked); reopen takes a checked or
approved sheet back to draft. `who` names the site role that may act: the sheets service maps it
to the permission predicates.
"""
from dataclasses import dataclass

DRAFT, CHECKED, APPROVED, PAID = "draft", "checked", "approved", "paid"
SHEET_STATES = (DRAFT, CHECKED, APPROVED, PAID)

ACCOUNTANT, APPROVER, ACCOUNTANT_OR_APPROVER = "accountant", "approver", "accountant_or_approver"


@dataclass(frozen=True)
class SheetAction:
    sources: frozenset
    target: str
    who: str


SHEET_ACTIONS = {
    "recompute": SheetAction(frozenset({DRAFT}), DRAFT, ACCOUNTANT),
    "check": SheetAction(frozenset({DRAFT}), CHECKED, ACCOUNTANT),
    "approve": SheetAction(frozenset({CHECKED}), APPROVED, APPROVER),
    "pay": SheetAction(frozenset({APPROVED}), PAID, ACCOUNTANT),
    "reopen": SheetAction(frozenset({CHECKED, APPROVED}), DRAFT, ACCOUNTANT_OR_APPROVER),
}
