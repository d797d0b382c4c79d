"""Queue mail in the caller's transaction; record what sending it did.

Services call queue_email(); nothing touches SMTP until the transaction that queued the mail has
committed: the worker (mailqueue/worker.py) claims due rows, sends them and records the result,
so a slow or absent SMTP server never blocks a request or loses a message. Nothing here commits.
"""
import logging

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message

from ..db_types import utcnow
from ..domain import mail_policy
from ..extensions import db, mail
from .models import OutboundEmail

log = logging.getLogger(__name__)

RETRY_DELAYS = mail_policy.RETRY_DELAYS


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


def deliver(row):
    """Hand one message to SMTP (or the console). Raises on any SMTP or network failure."""
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


def record_sent(row):
    row.state = mail_policy.SENT
    row.sent_at = utcnow()
    row.last_error = None


def record_failure(row, exc, now):
    """A failed attempt: tried again later on the schedule, or dead past its end."""
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    next_attempt_at = mail_policy.next_attempt_after_failure(row.attempts, now)
    if next_attempt_at is None:
        row.state = mail_policy.DEAD
        log.error("email dead", extra={"email_id": row.id, "error": row.last_error})
    else:
        row.next_attempt_at = next_attempt_at
        log.warning("email retry", extra={"email_id": row.id, "error": row.last_error})
