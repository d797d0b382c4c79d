from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..extensions import db


class AuditEntry(db.Model):
    """One administrative change. Rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # None: a command-line or system change (no signed-in actor).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(60))
    # JSON objects of the changed record's fields (never secrets or password hashes); None when the
    # record did not exist before (creation) or no longer exists after (deletion).
    before = mapped_column(JSON)
    after = mapped_column(JSON)

    actor = relationship("User")
