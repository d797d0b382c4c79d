"""The mail queue's states and retry schedule. Pure: no Flask, no database."""
from datetime import timedelta

PENDING, SENT, DEAD = "pending", "sent", "dead"
MAIL_STATES = (PENDING, SENT, DEAD)

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


def next_attempt_after_failure(attempts, now):
    """When to try again after `attempts` attempts (this one included) failed; None: the row is dead."""
    if attempts > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[attempts - 1]
