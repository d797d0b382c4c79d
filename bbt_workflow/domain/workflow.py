"""The submission state machine (WORKFLOW.md) as data.

One table says, for each action, the states it leaves from, the state it
reaches, who may take it and what it needs. `decide()` applies the table to a
caller's relation with an item; the workflow service is its only user for
changing state, and `allowed_actions()` tells clients what they may do now.
"""
from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
RETURNED = "returned"
PENDING_APPROVAL = "pending_approval"
APPROVED = "approved"
PUBLISHED = "published"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
UNPUBLISHED = "unpublished"

STATES = (DRAFT, SUBMITTED, IN_REVIEW, RETURNED, PENDING_APPROVAL, APPROVED, PUBLISHED,
          REJECTED, WITHDRAWN, UNPUBLISHED)

# Who sees what besides the authors: drafts and withdrawn items are the author's alone;
# accountants read items once approved.
HIDDEN_FROM_REVIEWERS = frozenset({DRAFT, WITHDRAWN})
VISIBLE_TO_ACCOUNTANTS = frozenset({APPROVED, PUBLISHED, UNPUBLISHED})


@dataclass(frozen=True)
class Actor:
    """What the table needs to know about the caller, relative to one item."""

    is_author: bool = False
    is_assignee: bool = False
    roles: frozenset = frozenset()  # roles on the item's site
    is_admin: bool = False
    is_system: bool = False
    # The item's site applies four eyes (Site.four_eyes).
    four_eyes: bool = False

    @property
    def is_approver(self):
        return self.is_admin or "approver" in self.roles

    @property
    def is_reviewer(self):
        return self.is_approver or "editor" in self.roles


# Who-predicates: (actor, state, approval_levels) -> bool
def _author(a, s, levels):
    return a.is_author


def _reviewer(a, s, levels):
    return a.is_reviewer


def _assignee_or_approver(a, s, levels):
    return (a.is_assignee and a.is_reviewer) or a.is_approver


def _assignee_approver_or_system(a, s, levels):
    # The system releases claims left idle past CLAIM_TIMEOUT.
    return a.is_system or _assignee_or_approver(a, s, levels)


def _assignee(a, s, levels):
    return a.is_assignee and a.is_reviewer


def _approver(a, s, levels):
    return a.is_approver


def _approve(a, s, levels):
    if a.is_approver:
        return True
    # On a one-level site the editor who holds the item approves it.
    return s == IN_REVIEW and levels == 1 and a.is_assignee and a.is_reviewer


def _system(a, s, levels):
    return a.is_system


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    who: object
    needs_comment: bool = False
    needs_grading: bool = False
    sets_assignee: bool = False
    clears_assignee: bool = False
    takes_publish_at: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("submit", frozenset({DRAFT, RETURNED}), SUBMITTED, _author),
        Transition("withdraw", frozenset({DRAFT, SUBMITTED, RETURNED}), WITHDRAWN, _author),
        Transition("reopen", frozenset({WITHDRAWN}), DRAFT, _author),
        Transition("claim", frozenset({SUBMITTED}), IN_REVIEW, _reviewer, sets_assignee=True),
        Transition("release", frozenset({IN_REVIEW}), SUBMITTED, _assignee_approver_or_system,
                   clears_assignee=True),
        Transition("return", frozenset({IN_REVIEW, PENDING_APPROVAL}), RETURNED, _assignee_or_approver,
                   needs_comment=True, clears_assignee=True),
        Transition("reject", frozenset({IN_REVIEW, PENDING_APPROVAL}), REJECTED, _assignee_or_approver,
                   needs_comment=True),
        Transition("forward", frozenset({IN_REVIEW}), PENDING_APPROVAL, _assignee, needs_grading=True),
        Transition("approve", frozenset({IN_REVIEW, PENDING_APPROVAL}), APPROVED, _approve,
                   needs_grading=True, takes_publish_at=True),
        Transition("publish", frozenset({APPROVED}), PUBLISHED, _system),
        Transition("unpublish", frozenset({PUBLISHED}), UNPUBLISHED, _approver, needs_comment=True),
        Transition("republish", frozenset({UNPUBLISHED}), APPROVED, _approver, takes_publish_at=True),
    )
}

ACTIONS = tuple(TRANSITIONS)

# Four eyes: under the site setting, what an item's author or co-author may not do to it.
FOUR_EYES_ACTIONS = frozenset({"forward", "approve"})


def _four_eyes_forbid(action, actor):
    return actor.four_eyes and actor.is_author and action in FOUR_EYES_ACTIONS


class TransitionRefused(Exception):
    """reason: 'unknown_action', 'invalid_state' (422), 'not_allowed' or 'four_eyes' (403)."""

    def __init__(self, reason, action, state):
        super().__init__(f"{action} from {state}: {reason}")
        self.reason, self.action, self.state = reason, action, state


def decide(action, state, actor, approval_levels):
    """Return the Transition to apply, or raise TransitionRefused."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionRefused("unknown_action", action, state)
    if state not in transition.sources:
        raise TransitionRefused("invalid_state", action, state)
    if not transition.who(actor, state, approval_levels):
        raise TransitionRefused("not_allowed", action, state)
    if _four_eyes_forbid(action, actor):
        raise TransitionRefused("four_eyes", action, state)
    return transition


def allowed_actions(state, actor, approval_levels):
    """Actions this actor may take now, in table order (the system's own excluded)."""
    return [
        t.action for t in TRANSITIONS.values()
        if state in t.sources and not actor.is_system and t.who(actor, state, approval_levels)
        and not _four_eyes_forbid(t.action, actor)
    ]


def may_edit(state, actor):
    """Editing content is not a transition: who may write a new revision in each state."""
    if state in (DRAFT, RETURNED):
        return actor.is_author
    if state == IN_REVIEW:
        return (actor.is_assignee and actor.is_reviewer) or actor.is_approver
    if state == PENDING_APPROVAL:
        return actor.is_approver
    if state == PUBLISHED:
        return actor.is_approver  # a correction, pushed as an update
    return False
