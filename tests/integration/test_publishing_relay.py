"""The outbox and relay against a real HTTP receiver on 127.0.0.1 that verifies signatures
with the `standardwebhooks` package and de-duplicates on webhook-id."""
import io
import json
import time
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from bbt_workflow import jobs
from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.publishing import endpoints as endpoint_service
from bbt_workflow.publishing import outbox
from bbt_workflow.publishing.deliveries import replay_delivery
from bbt_workflow.publishing.models import Delivery, DeliveryAttempt, PortalEndpoint, RemoteItem
from bbt_workflow.publishing.relay import LEASE, record, send_all
from bbt_workflow.publishing.worker import claim_due, load_jobs, relay_due_deliveries
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Submission
from tests.publishing_helpers import People, add_endpoint, approve, create_approved, create_submitted
from tests.shared_data import NINJS_SCHEMA

with open(NINJS_SCHEMA) as fh:
    NINJS = Draft202012Validator(json.load(fh))


@pytest.fixture
def people(make):
    return People(make)


@pytest.fixture
def endpoint(people, receiver):
    ep, secret = add_endpoint(people.site, receiver.url)
    receiver.secret = secret
    return ep


def rows(**where):
    stmt = select(Delivery).order_by(Delivery.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Delivery, key) == value)
    return db.session.scalars(stmt).all()


def drain(start=None, step=timedelta(hours=1), passes=40):
    """Run relay passes, moving the clock forward, until nothing is left to send."""
    now = start or utcnow()
    for _ in range(passes):
        relay_due_deliveries(now=now)
        db.session.expire_all()
        if not rows(state="pending") and not rows(state="delivering"):
            return now
        now += step
    raise AssertionError("deliveries still pending")


def assert_valid(document):
    errors = [e.message for e in NINJS.iter_errors(document)]
    assert errors == []


def test_approve_goes_out_and_the_item_becomes_published(people, endpoint, receiver):
    sub = create_approved(people, image=True)
    [row] = rows()
    assert (row.state, row.event, row.item_version, row.endpoint_id) == ("pending", "article.published", 1, endpoint.id)
    assert sub.state == "approved"

    assert relay_due_deliveries() == {"claimed": 1, "delivered": 1, "retry": 0, "dead": 0}
    db.session.expire_all()
    assert [m for m, _ in receiver.accepted] == [row.webhook_id]
    envelope = receiver.accepted[0][1]
    assert envelope["type"] == "article.published"
    assert_valid(envelope["data"])
    assert envelope["data"]["uri"] == f"urn:bbt:tinh:submission:{sub.id}"
    assert envelope["data"]["associations"][0]["name"] == "featureimage"
    # The bytes received are exactly the bytes stored (and signed).
    assert json.loads(bytes(row.body)) == envelope
    sub = db.session.get(Submission, sub.id)
    assert sub.state == "published" and sub.published_at is not None
    assert sub.portal_url == f"https://cong.example.vn/bai/{sub.id}"
    assert db.session.scalar(select(RemoteItem.portal_url).where(RemoteItem.submission_id == sub.id)) == sub.portal_url
    attempt = db.session.scalars(select(DeliveryAttempt)).one()
    assert (attempt.status, attempt.outcome) == (200, "delivered")


def test_without_an_active_endpoint_approval_publishes_at_once(people):
    sub = create_approved(people)
    assert sub.state == "published" and sub.published_at is not None
    assert rows() == []


def test_paused_endpoints_get_nothing(people, endpoint, receiver):
    endpoint_service.update_endpoint(None, endpoint, active=False)
    db.session.commit()
    sub = create_approved(people)
    assert sub.state == "published" and rows() == []


def test_503_for_a_while_then_200_every_version_once_in_order(people, endpoint, receiver):
    items = [create_approved(people, title=f"Tin {i}") for i in range(3)]
    drain()
    assert all(db.session.get(Submission, s.id).state == "published" for s in items)
    receiver.fail_next(503, 7, **{"Retry-After": "1"})
    # Corrections while the portal is down: two updates per item.
    for round_ in (1, 2):
        for sub in items:
            sub = db.session.get(Submission, sub.id)
            services.edit_submission(people.approver, sub, sub.version, {"title": f"{sub.title} (sửa {round_})"})
            db.session.commit()
    assert len(rows(event="article.updated")) == 6
    relay_due_deliveries()
    db.session.expire_all()
    assert any(r.attempts and r.state == "pending" for r in rows(event="article.updated"))
    drain(start=utcnow() + timedelta(seconds=10))

    assert receiver.duplicates == {}
    assert receiver.bad_signatures == 0
    for sub in items:
        uri = f"urn:bbt:tinh:submission:{sub.id}"
        seen = [(env["type"], env["data"]["version"]) for _, env in receiver.accepted if env["data"]["uri"] == uri]
        assert seen == [("article.published", "1"), ("article.updated", "2"), ("article.updated", "3")]
    for document in receiver.documents():
        assert_valid(document)
    assert {r.state for r in rows()} == {"delivered"}
    assert receiver.requests == 9 + 7  # every version once, plus the refused attempts


def test_401_is_dead_at_once_and_emails_approvers_and_admins(people, endpoint, receiver):
    receiver.fail_next(401, 1)
    sub = create_approved(people)
    db.session.query(OutboundEmail).delete()
    db.session.commit()
    assert relay_due_deliveries()["dead"] == 1
    db.session.expire_all()
    [row] = rows()
    assert (row.state, row.last_status, row.attempts) == ("dead", 401, 1)
    assert "401" in row.last_error
    assert db.session.get(Submission, sub.id).state == "approved"
    # Told in the endpoint's digest, a few minutes later (issue 11, point 12).
    from bbt_workflow.publishing.notifications import DIGEST_DELAY
    from bbt_workflow.publishing.worker import send_dead_digests

    send_dead_digests(now=utcnow() + DIGEST_DELAY + timedelta(seconds=1))
    recipients = set(db.session.scalars(select(OutboundEmail.recipient)))
    assert recipients == {people.approver.email, people.admin.email}
    # Nothing is sent again by itself...
    relay_due_deliveries(now=utcnow() + timedelta(days=2))
    assert receiver.requests == 1
    # ...until someone replays it.
    replay_delivery(people.approver, row)
    db.session.commit()
    relay_due_deliveries()
    db.session.expire_all()
    assert row.state == "delivered" and len(receiver.accepted) == 1
    assert db.session.get(Submission, sub.id).state == "published"


def test_410_disables_the_endpoint(people, endpoint, receiver):
    receiver.fail_next(410, 1)
    create_approved(people)
    relay_due_deliveries()
    db.session.expire_all()
    assert rows()[0].state == "dead"
    assert db.session.get(PortalEndpoint, endpoint.id).active is False
    assert "410" in db.session.get(PortalEndpoint, endpoint.id).disabled_reason


def test_retries_exhausted_then_dead(people, endpoint, receiver):
    receiver.fail_next(500, 20)
    create_approved(people)
    now = utcnow()
    for _ in range(15):
        relay_due_deliveries(now=now)
        now += timedelta(hours=25)
    db.session.expire_all()
    [row] = rows()
    assert row.state == "dead" and row.attempts == 10 and receiver.requests == 10


def test_a_killed_worker_s_row_is_resent_after_its_lease_and_deduplicated(people, endpoint, receiver):
    sub = create_approved(people)
    claimed = claim_due()
    jobs_ = load_jobs(claimed)
    send_all(jobs_)  # it reached the receiver, then the worker died before recording
    assert len(receiver.accepted) == 1
    db.session.expire_all()
    assert rows()[0].state == "delivering"
    # Within the lease nobody else takes the row.
    assert relay_due_deliveries()["claimed"] == 0
    assert relay_due_deliveries(now=utcnow() + LEASE - timedelta(seconds=5))["claimed"] == 0
    counts = relay_due_deliveries(now=utcnow() + LEASE + timedelta(seconds=1))
    assert counts["delivered"] == 1
    assert receiver.requests == 2
    assert receiver.duplicates == {rows()[0].webhook_id: 1}  # the receiver saw the resend and dropped it
    assert len(receiver.accepted) == 1
    # The old worker wakes up: its result is fenced off.
    assert record(jobs_[0], type("R", (), {"status": 500, "retry_after": None, "error": "late",
                                           "duration_ms": 1, "response_excerpt": "", "portal_url": None,
                                           "remote_id": None})()) is None
    db.session.commit()
    db.session.expire_all()
    assert rows()[0].state == "delivered"
    assert db.session.get(Submission, sub.id).state == "published"


def test_outbox_row_and_state_change_are_one_transaction(people, endpoint, monkeypatch):
    sub = create_submitted(people)
    services.transition_submission(people.editor, sub, "forward", sub.version,
                                   grading={"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                                                       "payees": [{"username": people.author.username,
                                                                   "share": "100"}]}]})
    db.session.commit()
    real_enqueue = outbox.enqueue

    def enqueue_then_fail(*args, **kwargs):
        written = real_enqueue(*args, **kwargs)
        assert db.session.scalar(select(func.count(Delivery.id))) == 1  # the row is there...
        raise RuntimeError("crash after the state change and the outbox row")

    monkeypatch.setattr(outbox, "enqueue", enqueue_then_fail)
    with pytest.raises(RuntimeError):
        approve(people, sub)
    db.session.rollback()
    db.session.expire_all()
    # ...and both are gone.
    assert db.session.get(Submission, sub.id).state == "pending_approval"
    assert db.session.scalar(select(func.count(Delivery.id))) == 0

    monkeypatch.setattr(outbox, "enqueue", real_enqueue)
    approve(people, db.session.get(Submission, sub.id))
    assert db.session.get(Submission, sub.id).state == "approved"
    assert db.session.scalar(select(func.count(Delivery.id))) == 1


def test_unpublish_sends_a_takedown_and_republish_goes_out_again(people, endpoint, receiver):
    sub = create_approved(people)
    drain()
    sub = db.session.get(Submission, sub.id)
    services.transition_submission(people.approver, sub, "unpublish", sub.version, comment="Sai thông tin")
    db.session.commit()
    drain()
    envelope = receiver.accepted[-1][1]
    assert envelope["type"] == "article.canceled" and envelope["data"]["pubStatus"] == "canceled"
    assert_valid(envelope["data"])
    sub = db.session.get(Submission, sub.id)
    assert sub.state == "unpublished"
    services.transition_submission(people.approver, sub, "republish", sub.version)
    db.session.commit()
    drain()
    assert [env["type"] for _, env in receiver.accepted] == ["article.published", "article.canceled",
                                                              "article.published"]
    assert db.session.get(Submission, sub.id).state == "published"


def test_a_takedown_or_correction_waits_for_a_paused_endpoint_that_has_the_item(people, endpoint, receiver):
    """Pausing an endpoint (portal maintenance) must not lose a correction or a takedown of an item
    it already shows: they wait, and go out in order when it is turned on again."""
    sub = create_approved(people)
    drain()
    endpoint_service.update_endpoint(None, endpoint, active=False)
    db.session.commit()
    sub = db.session.get(Submission, sub.id)
    services.edit_submission(people.approver, sub, sub.version, {"title": "Tin đã sửa"})
    db.session.commit()
    sub = db.session.get(Submission, sub.id)
    services.transition_submission(people.approver, sub, "unpublish", sub.version, comment="Gỡ theo yêu cầu")
    db.session.commit()
    relay_due_deliveries(now=utcnow() + timedelta(days=3))
    db.session.expire_all()
    assert [env["type"] for _, env in receiver.accepted] == ["article.published"]  # nothing while paused
    assert [(r.event, r.state) for r in rows()] == [
        ("article.published", "delivered"), ("article.updated", "pending"), ("article.canceled", "pending")]
    endpoint_service.update_endpoint(None, db.session.get(PortalEndpoint, endpoint.id), active=True)
    db.session.commit()
    drain()
    assert [env["type"] for _, env in receiver.accepted] == ["article.published", "article.updated",
                                                              "article.canceled"]
    assert receiver.accepted[1][1]["data"]["headlines"][0]["value"] == "Tin đã sửa"


def test_a_wordpress_batch_is_loaded_without_reading_the_images(people):
    """A batch holds up to 40 items: their photos (up to MAX_IMAGE_MB each) are read only by the
    thread that uploads one, and only when WordPress does not have it yet."""
    from bbt_workflow.submissions.attachments import attachment_path

    add_endpoint(people.site, "https://wp.example.vn", kind="wordpress", username="bbt", app_password="x y z")
    items = [create_approved(people, title=f"Ảnh {i}", image=True) for i in range(3)]
    jobs = load_jobs(claim_due())
    assert len(jobs) == 3
    for job, sub in zip(jobs, items):
        [media] = job.media
        assert media.data == b""  # not read while the batch is loaded
        with open(attachment_path(outbox.feature_image_of(db.session.get(Submission, sub.id))), "rb") as fh:
            assert media.read() == fh.read()


def test_rotation_keeps_both_secrets_valid(people, endpoint, receiver):
    new_secret = endpoint_service.rotate_secret(None, endpoint)
    db.session.commit()
    assert new_secret != receiver.secret  # the receiver still has the old one
    create_approved(people)
    relay_due_deliveries()
    assert receiver.bad_signatures == 0 and len(receiver.accepted) == 1
    receiver.secret = new_secret
    sub = create_approved(people, title="Tin mới")
    relay_due_deliveries()
    assert receiver.bad_signatures == 0 and len(receiver.accepted) == 2
    # After the overlap only the new secret signs: the old one stops verifying.
    endpoint.previous_secret_valid_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sub = db.session.get(Submission, sub.id)
    services.edit_submission(people.approver, sub, sub.version, {"title": "Tin mới (sửa)"})
    db.session.commit()
    [job] = load_jobs(claim_due())
    assert len(job.secrets) == 1 and job.secrets[0] == new_secret


@pytest.mark.real_clock
def test_scheduled_item_goes_out_from_the_worker_tick_alone(app, people, endpoint, receiver):
    publish_at = utcnow() + timedelta(seconds=2)
    sub = create_approved(people, publish_at=publish_at)
    assert sub.state == "approved" and rows() == []
    runner = jobs.InProcessRunner(app, interval=0.2)  # the same loop `flask bbt worker` runs
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            db.session.rollback()  # end our read transaction: see what the worker committed
            if db.session.get(Submission, sub.id).state == "published":
                break
            time.sleep(0.2)
    finally:
        runner.stop()
        runner._thread.join(5)
    sub = db.session.get(Submission, sub.id)
    assert sub.state == "published"
    assert sub.published_at >= publish_at
    [(_, envelope)] = receiver.accepted
    assert envelope["data"]["embargoedUntil"]
    assert_valid(envelope["data"])


def test_scheduled_item_without_endpoint_is_published_by_the_scheduler(people):
    from bbt_workflow.publishing.worker import publish_scheduled

    sub = create_approved(people, publish_at=utcnow() + timedelta(hours=1))
    assert publish_scheduled() == 0
    assert db.session.get(Submission, sub.id).state == "approved"
    assert publish_scheduled(now=utcnow() + timedelta(hours=2)) == 1
    db.session.expire_all()
    assert db.session.get(Submission, sub.id).state == "published"


def test_the_in_process_runner_is_woken_by_the_commit_that_queued_deliveries(app, people, endpoint, receiver):
    sub = create_submitted(people)
    services.transition_submission(people.editor, sub, "forward", sub.version,
                                   grading={"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                                                       "payees": [{"username": people.author.username,
                                                                   "share": "100"}]}]})
    db.session.commit()
    # (Started only now: on SQLite a write transaction of this thread that overlaps the runner's
    # writes can fail with "database is locked"; see README, Performance.)
    runner = jobs.install_in_process_runner(app, db)
    runner.interval = 60  # only the wake-up after the commit can make it run in time
    try:
        time.sleep(0.5)  # let its first pass (at start) finish
        approve(people, sub)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.rollback()
            if db.session.get(Submission, sub.id).state == "published":
                break
            time.sleep(0.1)
        db.session.rollback()
        assert db.session.get(Submission, sub.id).state == "published"
        assert len(receiver.accepted) == 1
    finally:
        runner.stop()
        runner._thread.join(5)


def test_a_photo_added_to_a_published_item_goes_out_as_an_update(people, endpoint, receiver):
    """A correction by file: new revision, `article.updated` carrying the feature image, after the publish."""
    from bbt_workflow.submissions.attachments import add_attachment
    from tests.functional.test_uploads import png_bytes

    sub = create_approved(people)
    relay_due_deliveries()
    db.session.expire_all()
    assert sub.state == "published" and sub.revision == 1
    add_attachment(people.approver, sub, io.BytesIO(png_bytes()), "anh-moi.png")
    db.session.commit()
    assert sub.revision == 2
    relay_due_deliveries()
    seen = [(env["type"], env["data"]["version"]) for _, env in receiver.accepted]
    assert seen == [("article.published", "1"), ("article.updated", "2")]
    update = receiver.documents()[-1]
    assert_valid(update)
    assert [a["name"] for a in update["associations"]] == ["featureimage"]


def _dead_mail():
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.contains("Cổng"))
                              .order_by(OutboundEmail.id)).all()


def test_forty_dead_rows_on_one_endpoint_make_one_digest_per_recipient_and_outage(people, endpoint, receiver):
    """A dead WordPress password over a batch of 40: one email per recipient listing the 40 items;
    after the endpoint delivered again, a new outage is a new email (issue 11, point 12)."""
    from bbt_workflow.publishing.notifications import DIGEST_DELAY
    from bbt_workflow.publishing.worker import send_dead_digests

    receiver.fail_next(401, 40)
    subs = [create_approved(people, title=f"Tin số {i}") for i in range(40)]
    db.session.query(OutboundEmail).delete()
    db.session.commit()
    assert relay_due_deliveries()["dead"] == 40
    db.session.expire_all()
    assert {r.state for r in rows()} == {"dead"}
    assert _dead_mail() == []  # gathered first, for a short while
    send_dead_digests()
    assert _dead_mail() == []
    send_dead_digests(now=utcnow() + DIGEST_DELAY + timedelta(seconds=1))
    mails = _dead_mail()
    assert sorted(m.recipient for m in mails) == sorted([people.approver.email, people.admin.email])
    for mail in mails:
        assert "40" in mail.subject
        assert all(f"Tin số {i}" in mail.body_text for i in range(40))
    assert all(r.dead_notified_at is not None for r in rows())
    # Nothing is sent twice.
    send_dead_digests(now=utcnow() + timedelta(days=1))
    assert len(_dead_mail()) == 2

    # The password is fixed: a replay delivers. A later outage is a new email listing only its item.
    later = utcnow() + DIGEST_DELAY * 2
    replay_delivery(people.approver, rows()[0], now=later)
    db.session.commit()
    assert relay_due_deliveries(now=later)["delivered"] == 1
    receiver.fail_next(401, 1)
    create_approved(people, title="Tin sau khi khôi phục")
    assert relay_due_deliveries(now=later)["dead"] == 1
    send_dead_digests(now=later + DIGEST_DELAY + timedelta(seconds=1))
    later = _dead_mail()[2:]
    assert len(later) == 2 and all("Tin sau khi khôi phục" in m.body_text and "Tin số 1" not in m.body_text
                                   for m in later)


def test_rows_dying_later_in_the_same_outage_are_listed_in_a_follow_up_not_lost(people, endpoint, receiver):
    from bbt_workflow.publishing.notifications import DIGEST_DELAY, FOLLOW_UP_DELAY
    from bbt_workflow.publishing.worker import send_dead_digests

    receiver.fail_next(401, 2)
    create_approved(people, title="Tin thứ nhất")
    assert relay_due_deliveries()["dead"] == 1
    db.session.query(OutboundEmail).delete()
    db.session.commit()
    start = utcnow()
    send_dead_digests(now=start + DIGEST_DELAY + timedelta(seconds=1))
    assert len(_dead_mail()) == 2
    create_approved(people, title="Tin thứ hai")
    assert relay_due_deliveries()["dead"] == 1
    # Still the same outage (nothing delivered since): no second email within the hour...
    send_dead_digests(now=start + DIGEST_DELAY * 3)
    assert len(_dead_mail()) == 2
    # ...then one follow-up with the row that died meanwhile.
    send_dead_digests(now=start + FOLLOW_UP_DELAY + DIGEST_DELAY * 2)
    follow_up = _dead_mail()[2:]
    assert len(follow_up) == 2 and all("Tin thứ hai" in m.body_text and "Tin thứ nhất" not in m.body_text
                                       for m in follow_up)
