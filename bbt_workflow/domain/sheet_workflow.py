"""The royalty sheet's states and actions (ROYALTIES.md, step 5), as data.

draft (recomputed on demand) → checked → approved → paid (locked); reopen takes a checked or
approved sheet back to draft. `who` names the site role that may act: the sheets service maps it
to the permission predicates.
"""
from dataclasses import dataclass

DRAFT, CHECKED, APPROVED, PAID = "draft", "checked", "approved", "paid"
SHEET_STATES = (DRAFT, CHECKED, APPROVED, PAID)

ACCOUNTANT, APPROVER, ACCOUNTANT_OR_APPROVER = "accountant", "approver", "accountant_or_approver"


# The sheet's stamps: who took the step and when (`<stamp>_by_id`, `<stamp>_at` on the sheet).
STAMP_CHECKED, STAMP_APPROVED, STAMP_PAID = "checked", "approved", "paid"


@dataclass(frozen=True)
class SheetAction:
    sources: frozenset
    target: str
    who: str
    recomputes: bool = False  # the lines are computed again first
    stamps: str = None  # the stamp this step sets
    clears: tuple = ()  # the stamps this step removes
    keeps_files: bool = False  # the sheet's files are written once and kept byte for byte


SHEET_ACTIONS = {
    "recompute": SheetAction(frozenset({DRAFT}), DRAFT, ACCOUNTANT, recomputes=True),
    "check": SheetAction(frozenset({DRAFT}), CHECKED, ACCOUNTANT, recomputes=True, stamps=STAMP_CHECKED),
    "approve": SheetAction(frozenset({CHECKED}), APPROVED, APPROVER, stamps=STAMP_APPROVED),
    "pay": SheetAction(frozenset({APPROVED}), PAID, ACCOUNTANT, stamps=STAMP_PAID, keeps_files=True),
    "reopen": SheetAction(frozenset({CHECKED, APPROVED}), DRAFT, ACCOUNTANT_OR_APPROVER,
                          clears=(STAMP_CHECKED, STAMP_APPROVED)),
}
