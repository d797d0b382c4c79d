"""Queue mail in the caller's transaction; send it after commit, with retries.

Services call queue_email(); nothing touches SMTP until the transaction that
queued the mail has committed, and a slow or absent SMTP server never blocks
a request or loses a message.
"""
import logging
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy import select, update

from ..db_types import utcnow
from ..extensions import db, mail
from .models import OutboundEmail

log = logging.getLogger(__name__)

# Delay before attempt n+1 (after n failures); past the end the row is dead.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)


def queue_email(recipient, template, *, locale="vi", **context):
    """Render templates/email/<template>.{subject,txt,html} in the recipient's language."""
    with force_locale(locale or "vi"):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        body_text = render_template(f"email/{template}.txt", **context)
        body_html = render_template(f"email/{template}.html", **context)
    row = OutboundEmail(
        recipient=recipient, subject=subject, body_text=body_text, body_html=body_html
    )
    db.session.add(row)
    return row


def _deliver(row):
    if not current_app.config.get("MAIL_SERVER"):
        # Embedded default: the console is the mailbox.
        log.info("email (console)", extra={"to": row.recipient, "subject": row.subject})
        print(f"--- email to {row.recipient}: {row.subject}\n{row.body_text}\n---", flush=True)
        return
    msg = Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=row.body_text,
        html=row.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
    )
    mail.send(msg)


# A claimed message is not picked again for this long: enough for a slow SMTP server to answer.
CLAIM_LEASE = timedelta(minutes=5)


def _claim_due(limit, now):
    """Claim due messages in one short write (their next attempt moves past the lease) and commit,
    so no transaction stays open while SMTP answers. Returns the ids claimed."""
    db.session.commit()
    # A plain read first: an idle queue takes no write lock (SQLite has one writer).
    due = (OutboundEmail.state == "pending") & (OutboundEmail.next_attempt_at <= now)
    found = db.session.scalar(select(OutboundEmail.id).where(due).limit(1))
    # End the read before writing: on SQLite a read transaction that then writes fails at once
    # ("database is locked") when another writer committed meanwhile; a fresh one waits its turn.
    db.session.commit()
    if found is None:
        return []
    ids = select(OutboundEmail.id).where(due).order_by(OutboundEmail.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    claimed = db.session.scalars(
        update(OutboundEmail).where(OutboundEmail.id.in_(ids.scalar_subquery()), due)
        .values(next_attempt_at=now + CLAIM_LEASE, attempts=OutboundEmail.attempts + 1)
        .returning(OutboundEmail.id).execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(claimed)


def send_due_emails(limit=50, now=None):
    """Send pending mail that is due. Returns (sent, failed).

    Claim (commit), send, record (commit per message): a worker that dies after sending
    sends that one message again once the lease has passed — at least once, never lost.
    """
    now = now or utcnow()
    sent = failed = 0
    for email_id in _claim_due(limit, now):
        row = db.session.get(OutboundEmail, email_id)
        try:
            _deliver(row)
        except Exception as exc:  # any SMTP or network failure: retry later
            failed += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts > len(RETRY_DELAYS):
                row.state = "dead"
                log.error("email dead", extra={"email_id": row.id, "error": row.last_error})
            else:
                row.next_attempt_at = now + RETRY_DELAYS[row.attempts - 1]
                log.warning("email retry", extra={"email_id": row.id, "error": row.last_error})
        else:
            sent += 1
            row.state = "sent"
            row.sent_at = utcnow()
            row.last_error = None
        db.session.commit()
    return sent, failed
