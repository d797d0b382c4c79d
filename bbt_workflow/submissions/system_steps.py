"""The workflow's narrow entry points for the system actor (WORKFLOW.md: `publish` is "the system only").

Publishing calls `publish_submission` when every endpoint has the item (or there is none); the claim
timeout job calls `release_idle_claim`. Both go through the one workflow service like any action.
"""
from .services import transition_submission


def publish_submission(sub, *, portal_url=None):
    """approved → published, recording the portal address the receiver gave (if any)."""
    if portal_url:
        sub.portal_url = portal_url
    return transition_submission(None, sub, "publish", None, system=True)


def release_idle_claim(sub, comment):
    """in_review → submitted for a claim left idle past CLAIM_TIMEOUT."""
    return transition_submission(None, sub, "release", None, comment=comment, system=True)
