"""Portal endpoints, the transactional outbox, its attempt log, and item ↔ remote ids."""
from sqlalchemy import (JSON, Boolean, CheckConstraint, ForeignKey, Index, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..domain.delivery_policy import DELIVERY_STATES, PENDING
from ..extensions import db
from ..secret_box import SEALED_COLUMN, sealed

ENDPOINT_KINDS = ("webhook", "wordpress")
EVENTS = ("article.published", "article.updated", "article.canceled")


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


class PortalEndpoint(db.Model):
    """Where a site's items go: a signed webhook or a WordPress site. Admins configure them."""

    __tablename__ = "portal_endpoints"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(ENDPOINT_KINDS)})", name="kind"),
        Index("ix_portal_endpoints_site_active", "site_id", "active"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Webhooks: the current secret, and the previous one while a rotation is in progress.
    # WordPress: an Application Password. The columns hold Fernet tokens (secret_box.py; ENCRYPTED_COLUMNS
    # below) and loading a row decrypts nothing: the endpoint and delivery screens never need a secret and
    # must keep working when SECRETS_KEYS cannot read one. `secret`, `previous_secret` and `app_password`
    # (the properties after the columns) decrypt on use: signing, WordPress calls, the test event.
    secret_token: Mapped[str | None] = mapped_column("secret", Text, info=SEALED_COLUMN)
    previous_secret_token: Mapped[str | None] = mapped_column("previous_secret", Text, info=SEALED_COLUMN)
    previous_secret_valid_until = mapped_column(UTCDateTime)
    # WordPress: the user name and category code -> WordPress category id.
    username: Mapped[str | None] = mapped_column(String(255))
    app_password_token: Mapped[str | None] = mapped_column("app_password", Text, info=SEALED_COLUMN)
    category_map = mapped_column(JSON)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    site = relationship("Site")

    secret = sealed("secret_token")
    previous_secret = sealed("previous_secret_token")
    app_password = sealed("app_password_token")


# The encrypted columns of portal_endpoints (`flask bbt rotate-secrets`, migration 0016_h16a).
ENCRYPTED_COLUMNS = ("secret", "previous_secret", "app_password")


class Delivery(db.Model):
    """One event for one endpoint, written in the transaction of the change that caused it.

    `body` holds the exact bytes sent (and signed) on every attempt; `webhook_id` is the
    same on every retry so the receiver can de-duplicate.
    """

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        CheckConstraint(f"state IN ({_in(DELIVERY_STATES)})", name="state"),
        CheckConstraint(f"event IN ({_in(EVENTS)})", name="event"),
        # The relay's due query: pending rows by next attempt, expired leases.
        Index("ix_outbox_deliveries_due", "state", "next_attempt_at"),
        Index("ix_outbox_deliveries_lease", "state", "lease_until"),
        # Version order per item and endpoint.
        Index("ix_outbox_deliveries_item_endpoint", "submission_id", "endpoint_id", "id"),
        Index("ix_outbox_deliveries_site_state", "site_id", "state", "id"),
        # The dead-delivery digest: dead rows of an endpoint not yet listed in an email.
        Index("ix_outbox_deliveries_dead_digest", "endpoint_id", "state", "dead_notified_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("portal_endpoints.id"))
    event: Mapped[str] = mapped_column(String(30))
    item_version: Mapped[int]
    body = mapped_column(LargeBinary, nullable=False)
    state: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    lease_until = mapped_column(UTCDateTime)
    # Set on each claim; a relay records its result only while it still holds this token,
    # so a worker that lost its lease (presumed dead) cannot overwrite a later attempt.
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    portal_url: Mapped[str | None] = mapped_column(String(1000))
    remote_id: Mapped[str | None] = mapped_column(String(100))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    delivered_at = mapped_column(UTCDateTime)
    dead_at = mapped_column(UTCDateTime)
    # When this dead row was listed in a digest email to the approvers and admins (None: not yet).
    dead_notified_at = mapped_column(UTCDateTime)

    site = relationship("Site")
    endpoint = relationship("PortalEndpoint")
    submission = relationship("Submission")


class DeliveryAttempt(db.Model):
    """The log of every attempt: status, error, duration, the start of the answer."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (Index("ix_outbox_attempts_delivery", "delivery_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("outbox_deliveries.id", ondelete="CASCADE"))
    attempt: Mapped[int]
    started_at = mapped_column(UTCDateTime, nullable=False)
    duration_ms: Mapped[int | None]
    status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))


class RemoteItem(db.Model):
    """What an endpoint calls our item: its id (WordPress post id) and public URL."""

    __tablename__ = "remote_items"
    __table_args__ = (UniqueConstraint("submission_id", "endpoint_id", name="submission_endpoint"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("portal_endpoints.id"))
    remote_id: Mapped[str | None] = mapped_column(String(100))
    portal_url: Mapped[str | None] = mapped_column(String(1000))
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
