"""What one delivery attempt means (PUBLISHING.md). Pure: no Flask, no database.

2xx: delivered. Timeout, connection error, 408, 429, 5xx: retry later (honouring
Retry-After) on the schedule below, then dead. 400, 401, 403, 404, 422 and any
other answer a retry cannot change: dead at once. 410: dead, and the endpoint is disabled.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

DELIVERED, RETRY, DEAD = "delivered", "retry", "dead"

# The states of an outbox row (the table's CHECK lists the same). A row ends "delivered" or
# "dead", the same words as the outcomes that put it there.
PENDING, DELIVERING = "pending", "delivering"
DELIVERY_STATES = (PENDING, DELIVERING, DELIVERED, DEAD)
IN_FLIGHT = (PENDING, DELIVERING)  # a later row of the same item and endpoint waits for these
# What the screens show and filter on: a pending row that has failed before is "retrying".
RETRYING = "retrying"
SHOWN_STATES = (PENDING, RETRYING, DELIVERING, DELIVERED, DEAD)


def shown_state(state, attempts):
    """The state a screen shows for a row: "retrying" for a pending row that has failed before."""
    return RETRYING if state == PENDING and attempts else state

# Delay before attempt n+1 after n failed attempts; past the end the row is dead.
RETRY_SCHEDULE = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), timedelta(hours=10), timedelta(hours=14), timedelta(hours=20), timedelta(hours=24),
)
JITTER = 0.1  # ±10 %
MAX_RETRY_AFTER = timedelta(hours=24)
RETRYABLE_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class Outcome:
    kind: str  # delivered | retry | dead
    next_attempt_at: datetime | None = None
    disable_endpoint: bool = False
    reason: str = ""


def is_retryable(status):
    return status is None or status in RETRYABLE_STATUSES or 500 <= status <= 599


def parse_retry_after(value, now):
    """Seconds or an HTTP date -> timedelta (None when absent or unreadable)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(when - now, timedelta(0))


def decide(status, attempts, now, *, retry_after=None, rng=random):
    """The outcome after `attempts` attempts (this one included) ended with `status`."""
    if status is not None and 200 <= status <= 299:
        return Outcome(DELIVERED)
    if status == 410:
        return Outcome(DEAD, disable_endpoint=True, reason="gone")
    if not is_retryable(status):
        return Outcome(DEAD, reason="refused")
    if attempts > len(RETRY_SCHEDULE):
        return Outcome(DEAD, reason="retries_exhausted")
    base = RETRY_SCHEDULE[attempts - 1]
    delay = base * (1 + rng.uniform(-JITTER, JITTER))
    asked = parse_retry_after(retry_after, now)
    if asked is not None:
        delay = max(delay, min(asked, MAX_RETRY_AFTER))
    return Outcome(RETRY, next_attempt_at=now + delay, reason="retry")
