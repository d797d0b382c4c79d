"""The workflow's narrow entry points for the system actor (WORKFLOW.md: `publish` is "the system only").

Publishing calls `publish_submission` when every endpoint has the item (or there is none); the claim
timeout job calls `release_idle_claim`. Both go through the one workflow service like any action.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..db_types import utcnow
from ..domain import workflow as wf
from ..extensions import db
from .models import Submission
from .services import transition_submission

IDLE_CLAIM_COMMENT = "Tự động trả về hàng chờ: quá thời gian giữ bài (CLAIM_TIMEOUT)."


def publish_submission(sub, *, portal_url=None):
    """approved → published, recording the portal address the receiver gave (if any)."""
    if portal_url:
        sub.portal_url = portal_url
    return transition_submission(None, sub, "publish", None, system=True)


def release_idle_claim(sub, comment):
    """in_review → submitted for a claim left idle past CLAIM_TIMEOUT."""
    return transition_submission(None, sub, "release", None, comment=comment, system=True)


def release_stale_claims(now=None):
    """Return items claimed and left idle past CLAIM_TIMEOUT to the queue. Flushes only: the
    periodic job (`release_stale_claims_job`) owns the transaction."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=current_app.config["CLAIM_TIMEOUT_MINUTES"])
    stale = db.session.scalars(
        select(Submission).where(Submission.state == wf.IN_REVIEW, Submission.last_activity_at < cutoff)
        .order_by(Submission.id).limit(200)
    ).all()
    for sub in stale:
        release_idle_claim(sub, IDLE_CLAIM_COMMENT)
    return len(stale)


def release_stale_claims_job():
    """The job's entry point (registered in create_app): one transaction per run."""
    count = release_stale_claims()
    db.session.commit()
    return count
