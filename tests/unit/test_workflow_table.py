"""Every (state, action, caller) triple against WORKFLOW.md's table."""
import itertools

import pytest

from bbt_workflow.domain import workflow as wf
from bbt_workflow.domain.workflow import Actor, TransitionRefused, decide

CALLERS = {
    "author": Actor(is_author=True, roles=frozenset({"contributor"})),
    "editor": Actor(roles=frozenset({"editor"})),
    "assignee_editor": Actor(is_assignee=True, roles=frozenset({"editor"})),
    "approver": Actor(roles=frozenset({"approver"})),
    "admin": Actor(is_admin=True),
    "accountant": Actor(roles=frozenset({"accountant"})),
    "contributor": Actor(roles=frozenset({"contributor"})),
    "system": Actor(is_system=True),
}

# (action) -> (sources, target, callers allowed on a 2-level site)
EXPECTED = {
    "submit": ({"draft", "returned"}, "submitted", {"author"}),
    "withdraw": ({"draft", "submitted", "returned"}, "withdrawn", {"author"}),
    "reopen": ({"withdrawn"}, "draft", {"author"}),
    "claim": ({"submitted"}, "in_review", {"editor", "assignee_editor", "approver", "admin"}),
    "release": ({"in_review"}, "submitted", {"assignee_editor", "approver", "admin", "system"}),
    "return": ({"in_review", "pending_approval"}, "returned", {"assignee_editor", "approver", "admin"}),
    "reject": ({"in_review", "pending_approval"}, "rejected", {"assignee_editor", "approver", "admin"}),
    "forward": ({"in_review"}, "pending_approval", {"assignee_editor"}),
    "approve": ({"in_review", "pending_approval"}, "approved", {"approver", "admin"}),
    "publish": ({"approved"}, "published", {"system"}),
    "unpublish": ({"published"}, "unpublished", {"approver", "admin"}),
    "republish": ({"unpublished"}, "approved", {"approver", "admin"}),
}


def test_the_table_has_exactly_the_contracts_actions_and_states():
    assert set(wf.ACTIONS) == set(EXPECTED)
    assert len(wf.STATES) == 10


@pytest.mark.parametrize("state,action,caller", list(itertools.product(wf.STATES, EXPECTED, CALLERS)))
def test_every_triple_on_a_two_level_site(state, action, caller):
    sources, target, allowed = EXPECTED[action]
    actor = CALLERS[caller]
    if state in sources and caller in allowed:
        assert decide(action, state, actor, 2).target == target
    else:
        with pytest.raises(TransitionRefused) as info:
            decide(action, state, actor, 2)
        assert info.value.reason == ("invalid_state" if state not in sources else "not_allowed")


def test_one_level_site_lets_the_assignee_editor_approve():
    assert decide("approve", "in_review", CALLERS["assignee_editor"], 1).target == "approved"
    with pytest.raises(TransitionRefused):
        decide("approve", "in_review", CALLERS["editor"], 1)  # not the assignee
    with pytest.raises(TransitionRefused):
        decide("approve", "pending_approval", CALLERS["assignee_editor"], 1)


def test_unknown_action():
    with pytest.raises(TransitionRefused) as info:
        decide("explode", "draft", CALLERS["admin"], 2)
    assert info.value.reason == "unknown_action"


def test_allowed_actions_match_decide():
    for state, (name, actor) in itertools.product(wf.STATES, CALLERS.items()):
        listed = wf.allowed_actions(state, actor, 2)
        for action in wf.ACTIONS:
            try:
                decide(action, state, actor, 2)
                ok = not actor.is_system  # the system's actions are not offered to clients
            except TransitionRefused:
                ok = False
            assert (action in listed) == ok, (state, name, action)
