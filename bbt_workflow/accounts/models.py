from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false as sa_false
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..db_types import UTCDateTime, utcnow
from ..domain.roles import ROLES
from ..extensions import db

_roles_sql = ", ".join(f"'{r}'" for r in ROLES)

# One hash per configured method, made once: checking a password against it costs what a real
# check costs, so a login for an unknown username takes as long as one for a known one.
_dummy_hashes = {}


def _hash_method():
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def check_against_dummy_hash(password):
    """Spend one password check for nobody (always False)."""
    method = _hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("dummy-password-for-timing", method=method)
    check_password_hash(_dummy_hashes[method], password)
    return False


class Unit(db.Model):
    """An agency (đơn vị) users belong to; reports count by unit."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Site(db.Model):
    """The provincial portal or one of its component sites."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("kind IN ('portal', 'component')", name="kind"),
        CheckConstraint("approval_levels IN (1, 2)", name="approval_levels"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    approval_levels: Mapped[int] = mapped_column(default=2)
    # Four eyes: an item's author or co-author can neither forward nor approve it
    # (domain/workflow.py). On by default for two-level sites (accounts.services.create_site).
    four_eyes: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    parent = relationship("Site", remote_side=[id])
    categories = relationship(
        "Category", back_populates="site", order_by="Category.position, Category.id"
    )


class PlanTarget(db.Model):
    """A site's yearly plan (chỉ tiêu kế hoạch): items to publish and royalty budget."""

    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint("site_id", "year", name="site_year"),
        CheckConstraint("plan_items >= 0", name="plan_items"),
        CheckConstraint("royalty_budget >= 0", name="royalty_budget"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    year: Mapped[int]
    plan_items: Mapped[int] = mapped_column(default=0)
    # Whole đồng.
    royalty_budget: Mapped[int] = mapped_column(db.BigInteger, default=0)

    site = relationship("Site")


class Category(db.Model):
    """A section (chuyên mục) owned by a site."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("site_id", "code", name="site_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    site = relationship("Site", back_populates="categories")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # Stored lower-cased so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    pen_name: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    preferred_language: Mapped[str | None] = mapped_column(String(5))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until = mapped_column(UTCDateTime)
    password_changed_at = mapped_column(UTCDateTime, default=utcnow)
    # Moved on logout: every session and remember cookie carrying the old value stops working
    # (the signed cookie alone is not enough, a copy of it would outlive the logout).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    unit = relationship("Unit")
    memberships = relationship(
        "Membership", back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self):  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password):
        # Werkzeug's scrypt with a random salt unless configured otherwise.
        self.password_hash = generate_password_hash(password, method=_hash_method())
        self.password_changed_at = utcnow()

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def get_id(self):
        # Changing the password or logging out invalidates sessions: the id carries a stamp
        # and the session generation, and the user loader compares them with the stored ones.
        stamp = int(self.password_changed_at.timestamp() * 1_000_000) if self.password_changed_at else 0
        return f"{self.id}:{stamp}:{self.session_generation or 0}"

    def roles_on(self, site):
        """Set of role codes on a site (empty when not a member)."""
        site_id = site if isinstance(site, int) else site.id
        for m in self.memberships:
            if m.site_id == site_id:
                return m.role_set
        return frozenset()


class Membership(db.Model):
    """A user's roles on one site."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "site_id", name="user_site"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User", back_populates="memberships")
    site = relationship("Site")
    roles = relationship(
        "MembershipRole",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="MembershipRole.role",
    )

    @property
    def role_set(self):
        return frozenset(r.role for r in self.roles)

    def set_roles(self, roles):
        wanted = set(roles)
        self.roles = [r for r in self.roles if r.role in wanted] + [
            MembershipRole(role=r) for r in sorted(wanted - self.role_set)
        ]


class MembershipRole(db.Model):
    __tablename__ = "membership_roles"
    __table_args__ = (
        CheckConstraint(f"role IN ({_roles_sql})", name="role"),
        # "Who are the editors of site S" reads this index.
        Index("ix_membership_roles_role", "role"),
    )
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


def with_roles(user_path=None):
    """Loader options that bring a user's memberships and their roles in the statement that loads the user
    (`user_path`: the relationship leading to the user, e.g. ApiToken.user; None when loading User itself).
    Every signed-in page reads them (the navigation, the route's rule: User.roles_on); loaded lazily they
    were two more statements on each page."""
    memberships = joinedload(user_path).joinedload(User.memberships) if user_path is not None \
        else joinedload(User.memberships)
    return (memberships.joinedload(Membership.roles),)
