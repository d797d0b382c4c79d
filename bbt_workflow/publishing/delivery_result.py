"""What one delivery attempt through any adapter (webhook, WordPress) came back with.

Adapters only report what happened on the wire; the relay decides what it means
(delivered, retry later, dead) with `domain.delivery_policy`, so every adapter
follows the same retry rules.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryResult:
    status: int | None  # HTTP status, None when no answer (timeout, connection refused)
    error: str | None = None  # short human-readable reason when not 2xx
    portal_url: str | None = None  # the item's public URL, when the receiver told us
    remote_id: str | None = None  # the receiver's own id for the item (WordPress post id)
    retry_after: str | None = None  # the raw Retry-After header, if any
    duration_ms: int | None = None
    response_excerpt: str = ""  # first bytes of the answer, shown to admins
    # A WordPress test event: what the signed-in user may not do (e.g. "publish_posts", "upload_files").
    missing_capabilities: tuple = ()
