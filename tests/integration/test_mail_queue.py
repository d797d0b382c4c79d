"""Mail goes through a real SMTP server (aiosmtpd in-process), after commit, with retries."""
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from bbt_workflow.accounts.models import User
from bbt_workflow.auth.services import request_password_reset
from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.mailqueue.worker import send_due_emails


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    app.extensions["mail"].server = "127.0.0.1"
    app.extensions["mail"].port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_down(app):
    """An SMTP address where nothing listens: every attempt fails. Yields the port."""
    port = _free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app.extensions["mail"].server, app.extensions["mail"].port = "127.0.0.1", port
    return port


def _reset_for(user):
    request_password_reset(user.email, lambda raw: f"http://bbt.local/password/reset/{raw}")


def test_reset_email_arrives_in_vietnamese(app, make, smtp):
    user = make.user("hong", full_name="Nguyễn Thị Hồng")
    _reset_for(user)
    # Nothing is sent before the transaction commits.
    assert smtp.messages == []
    db.session.commit()
    assert send_due_emails() == (1, 0)
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "hong@bbt-test.vn"
    plain = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    body = plain[0].get_payload(decode=True).decode(plain[0].get_content_charset())
    assert "Nguyễn Thị Hồng" in body and "http://bbt.local/password/reset/" in body
    assert db.session.scalars(select(OutboundEmail)).one().state == "sent"


def test_rolled_back_transaction_sends_nothing(app, make, smtp):
    user = make.user("hong")
    _reset_for(user)
    db.session.rollback()
    assert send_due_emails() == (0, 0) and smtp.messages == []


def test_smtp_down_then_retried(app, make, smtp_down):
    port = smtp_down
    user = make.user("hong")
    _reset_for(user)
    db.session.commit()
    assert send_due_emails() == (0, 1)
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.state == "pending" and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > utcnow()
    # Not due yet: nothing is tried.
    assert send_due_emails() == (0, 0)
    # The server comes back; when the retry is due the mail goes out.
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_due_emails(now=utcnow() + timedelta(minutes=2)) == (1, 0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    db.session.refresh(row)
    assert row.state == "sent" and row.attempts == 2


def test_gives_up_after_the_retry_schedule(app, make, smtp_down):
    user = make.user("hong")
    _reset_for(user)
    db.session.commit()
    later = utcnow()
    for _ in range(20):
        later += timedelta(days=1)
        send_due_emails(now=later)
    row = db.session.scalars(select(OutboundEmail)).one()
    assert row.state == "dead" and row.attempts == 8


def test_console_backend_without_mail_server(app, make, capsys):
    app.config["MAIL_SERVER"] = None
    user = make.user("hong")
    _reset_for(user)
    db.session.commit()
    assert send_due_emails() == (1, 0)
    assert "hong@bbt-test.vn" in capsys.readouterr().out
    assert db.session.scalar(select(User).where(User.username == "hong"))


def test_a_claimed_message_is_not_sent_twice_while_its_lease_runs(app, make, smtp):
    """A second worker (or tick) during another's SMTP call does not pick the same message;
    after the lease, a message whose sender died is sent again (at least once, never lost)."""
    from bbt_workflow.mailqueue.worker import CLAIM_LEASE, _claim_due

    user = make.user("hong")
    _reset_for(user)
    db.session.commit()
    now = utcnow()
    claimed = _claim_due(10, now)  # the first worker claims, then "dies" before sending
    assert len(claimed) == 1
    assert send_due_emails(now=now) == (0, 0) and smtp.messages == []
    assert send_due_emails(now=now + CLAIM_LEASE + timedelta(seconds=1)) == (1, 0)
    assert len(smtp.messages) == 1
    row = db.session.get(OutboundEmail, claimed[0])
    assert row.state == "sent" and row.attempts == 2
