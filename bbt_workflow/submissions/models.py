from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..domain.content_types import CONTENT_TYPE_CODES
from ..domain.workflow import DRAFT, STATES
from ..extensions import db


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


class Submission(db.Model):
    """An item on its way from a contributor's draft to the portal.

    Only the workflow service assigns `state`. `version` is the optimistic lock
    every action and edit carries; SQLAlchemy checks it on every UPDATE.
    Facts reports need (site, unit, category, content type, step times) are columns.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(f"state IN ({_in(STATES)})", name="state"),
        CheckConstraint(f"content_type IN ({_in(CONTENT_TYPE_CODES)})", name="content_type"),
        CheckConstraint("state != 'in_review' OR assignee_id IS NOT NULL", name="in_review_has_assignee"),
        Index("ix_submissions_site_state", "site_id", "state", "updated_at", "id"),
        Index("ix_submissions_author", "author_id", "updated_at"),
        Index("ix_submissions_assignee", "assignee_id", "state"),
        # The reports' published figures (and the feed) read this index only (migration 0009).
        Index("ix_submissions_report", "site_id", "state", "published_at", "content_type", "category_id",
              "unit_id", "author_id", "first_submitted_at", "external_id", "id"),
        UniqueConstraint("site_id", "external_id", name="uq_submissions_site_external_id"),
        # The queue's "All" tab in each sort, and the API list across sites (migration 0014_hlists).
        Index("ix_submissions_site_updated", "site_id", "updated_at", "id"),
        Index("ix_submissions_site_created", "site_id", "created_at", "id"),
        Index("ix_submissions_site_title", "site_id", "title", "id"),
        Index("ix_submissions_updated", "updated_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="vi")
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    revision: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The author's unit when the item was created: reports count by it even if the author moves.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at = mapped_column(UTCDateTime)
    last_activity_at = mapped_column(UTCDateTime)
    publish_at = mapped_column(UTCDateTime)
    first_submitted_at = mapped_column(UTCDateTime)
    approved_at = mapped_column(UTCDateTime)
    published_at = mapped_column(UTCDateTime)
    portal_url: Mapped[str | None] = mapped_column(String(1000))
    # Items brought in from the old portal: their id there (re-imports skip it), and whether
    # their royalties were already paid outside this system (never on a sheet).
    external_id: Mapped[str | None] = mapped_column(String(100))
    royalty_settled: Mapped[bool] = mapped_column(default=False)
    # Folded (no diacritics, lower-case) title + summary + body text, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # When the item entered the state it is in (the queue's "Waited"): set by the workflow service with the
    # state; an item made without it (a test's fixture) counts from its creation.
    state_entered_at = mapped_column(UTCDateTime, default=lambda ctx: ctx.get_current_parameters()["created_at"],
                                     nullable=False)

    __mapper_args__ = {"version_id_col": version}

    site = relationship("Site")
    category = relationship("Category")
    author = relationship("User", foreign_keys=[author_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    unit = relationship("Unit")
    authors = relationship("SubmissionAuthor", cascade="all, delete-orphan", order_by="SubmissionAuthor.id",
                           lazy="selectin")
    attachments = relationship("Attachment", order_by="Attachment.id", lazy="selectin",
                               cascade="all, delete-orphan")


def with_references():
    """Loader options that bring an item's site, category, unit, author and assignee in the statement that loads
    it (one row each, joined by key). The permission rule reads the site and the item page shows the others:
    loaded lazily, they were five more statements on every item page."""
    return (joinedload(Submission.site), joinedload(Submission.category), joinedload(Submission.unit),
            joinedload(Submission.author), joinedload(Submission.assignee))


class SiteStateCount(db.Model):
    """How many items a site has in each state, per content type: kept by triggers on `submissions`
    (migrations 0021, 0023), so every writer keeps it right; the app only reads it (the queue's tab counts
    and a state tab's total with a type filter)."""

    __tablename__ = "site_state_counts"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int]


class SubmissionAuthor(db.Model):
    """Co-authors: members (user_id) or named outsiders, with pen names and shares (%)."""

    __tablename__ = "submission_authors"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 100", name="share"),
                      # The co-author EXISTS of queries.visible_submissions (migration 0014_hlists).
                      Index("ix_submission_authors_user", "user_id", "submission_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(255))
    pen_name: Mapped[str | None] = mapped_column(String(255))
    share = mapped_column(Numeric(5, 2), nullable=False)


class Revision(db.Model):
    """A snapshot of the content after each change; never modified."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("submission_id", "number", name="submission_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    content_type: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    created_by = relationship("User")
    category = relationship("Category")


class HistoryEntry(db.Model):
    """One row per action, written in the same transaction; append-only (database triggers)."""

    __tablename__ = "submission_history"
    # An item's history in order; action and at let the reports filter a period in the index (0009).
    __table_args__ = (Index("ix_submission_history_submission", "submission_id", "id", "action", "at"),
                      # The reports' decisions of a period, index-only (migration 0009).
                      Index("ix_submission_history_action_at", "action", "at", "submission_id"),
                      # A site's decisions of a period, index-only (migration 0010).
                      Index("ix_submission_history_site_action_at", "site_id", "action", "at", "submission_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    # The item's site, copied on insert (an item never changes site): the reports filter a site's
    # history without joining each row to its item (migration 0010, bench/RESULTS.md).
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int]
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor = relationship("User")


class Notification(db.Model):
    """The in-app notification list."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    # A royalty sheet's step (check, approve, pay, reopen): the notification links to the sheet.
    sheet_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_sheets.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(500))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    read_at = mapped_column(UTCDateTime)


class EmailOptOut(db.Model):
    """A user who turned email off for one event kind (in-app notifications stay)."""

    __tablename__ = "email_opt_outs"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)


class Attachment(db.Model):
    """A file of a submission, stored under a generated name outside static/."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("kind IN ('image', 'document', 'video')", name="kind"),
        CheckConstraint("size > 0", name="size"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # for display and download only
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(db.BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Written by the author on the form; the caption goes with the feature image to the portal.
    caption: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # At most one image per item is marked; none marked: the first image is the feature image.
    is_feature: Mapped[bool] = mapped_column(default=False, server_default=false())

    # Set on a fresh upload only (not stored): the name it came with when that name's extension
    # did not match the content, and the sentence telling the uploader what was detected.
    renamed_from = None
    notice = None
