"""The delivery and mail states, named once in domain/, and what the screens show."""
from datetime import datetime, timedelta, timezone

from bbt_workflow.domain import delivery_policy as dp
from bbt_workflow.domain import mail_policy


def test_a_pending_row_that_failed_before_is_shown_retrying():
    assert dp.shown_state(dp.PENDING, 0) == dp.PENDING
    assert dp.shown_state(dp.PENDING, 2) == dp.RETRYING
    for state in (dp.DELIVERING, dp.DELIVERED, dp.DEAD):
        assert dp.shown_state(state, 3) == state


def test_the_screens_filter_on_the_stored_states_and_retrying():
    assert set(dp.SHOWN_STATES) == set(dp.DELIVERY_STATES) | {dp.RETRYING}
    assert dp.DELIVERY_STATES == ("pending", "delivering", "delivered", "dead")  # the table's CHECK


def test_mail_is_retried_on_its_schedule_then_dead():
    now = datetime.now(timezone.utc)
    assert mail_policy.next_attempt_after_failure(1, now) == now + timedelta(minutes=1)
    last = len(mail_policy.RETRY_DELAYS)
    assert mail_policy.next_attempt_after_failure(last, now) == now + mail_policy.RETRY_DELAYS[-1]
    assert mail_policy.next_attempt_after_failure(last + 1, now) is None
