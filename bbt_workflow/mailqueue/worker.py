"""The mail queue's worker entry point: it owns the transactions (claim, then one per message).

Claim (commit), send, record (commit per message): a worker that dies after sending sends that one
message again once the lease has passed — at least once, never lost.
"""
from datetime import timedelta

from ..db_types import utcnow
from ..domain import mail_policy
from ..extensions import db
from ..leases import claim_due_rows
from .models import OutboundEmail
from .services import deliver, record_failure, record_sent

# A claimed message is not picked again for this long: enough for a slow SMTP server to answer.
CLAIM_LEASE = timedelta(minutes=5)


def _claim_due(limit, now):
    """Claim due messages in one short write (their next attempt moves past the lease) and commit,
    so no transaction stays open while SMTP answers. Returns the ids claimed."""
    due = (OutboundEmail.state == mail_policy.PENDING) & (OutboundEmail.next_attempt_at <= now)
    rows = claim_due_rows(OutboundEmail, due, order_by=(OutboundEmail.id,), limit=limit, recheck=True,
                          values={"next_attempt_at": now + CLAIM_LEASE, "attempts": OutboundEmail.attempts + 1},
                          returning=(OutboundEmail.id,))
    return sorted(row.id for row in rows)


def send_due_emails(limit=50, now=None):
    """Send pending mail that is due. Returns (sent, failed)."""
    now = now or utcnow()
    sent = failed = 0
    for email_id in _claim_due(limit, now):
        row = db.session.get(OutboundEmail, email_id)
        try:
            deliver(row)
        except Exception as exc:  # any SMTP or network failure: retry later
            failed += 1
            record_failure(row, exc, now)
        else:
            sent += 1
            record_sent(row)
        db.session.commit()
    return sent, failed
