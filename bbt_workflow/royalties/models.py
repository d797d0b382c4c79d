"""Royalty data (ROYALTIES.md): the rules as rows with effective dates, payees,
gradings of items, and the sheets accountants pay from.

Every rule row names the text it comes from (`source_text`) and whether an admin
still has to verify it against an official copy (`to_verify`). A computed line
keeps the ids of the rule rows it used, so changing a rule never rewrites it.
Money is whole đồng (BigInteger); coefficients, factors and shares are Numeric.
"""
from sqlalchemy import (
    event, CheckConstraint, Date, ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db_types import UTCDateTime, utcnow
from ..domain.royalty_rules import FEE_KINDS
from ..domain.sheet_workflow import DRAFT, SHEET_STATES
from ..domain.text_search import fold
from ..extensions import db

COEFFICIENT = Numeric(8, 4)
SHARE = Numeric(5, 2)
LINE_KINDS = ("royalty", "fee", "adjustment", "incentive")
FEE_ROLES = ("editor", "approver", "provider")


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


class DatedRule:
    """Columns every rule row has: when it applies and where it comes from."""

    effective_from = mapped_column(Date, nullable=False)
    effective_to = mapped_column(Date)  # inclusive; None = until replaced
    source_text: Mapped[str] = mapped_column(String(255), default="")
    to_verify: Mapped[bool] = mapped_column(default=False)


class Regulation(DatedRule, db.Model):
    """A rate table (a provincial decision): genres with coefficient ranges and adjustments.

    site_id None: the installation's default; a site's own regulation takes precedence.
    """

    __tablename__ = "royalty_regulations"
    __table_args__ = (Index("ix_royalty_regulations_site_from", "site_id", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    site = relationship("Site")
    genres = relationship("Genre", back_populates="regulation", order_by="Genre.position, Genre.id",
                          cascade="all, delete-orphan")
    adjustments = relationship("AdjustmentType", back_populates="regulation",
                               order_by="AdjustmentType.position, AdjustmentType.id", cascade="all, delete-orphan")


class Genre(db.Model):
    """A genre (thể loại) of a regulation: coefficient range and default, or a fixed amount."""

    __tablename__ = "royalty_genres"
    __table_args__ = (
        UniqueConstraint("regulation_id", "code", name="uq_royalty_genres_regulation_code"),
        CheckConstraint("min_coefficient > 0 AND min_coefficient <= max_coefficient", name="range"),
        CheckConstraint("default_coefficient >= min_coefficient AND default_coefficient <= max_coefficient",
                        name="default_in_range"),
        CheckConstraint("fixed_amount IS NULL OR fixed_amount >= 0", name="fixed_amount"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("royalty_regulations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(255))
    min_coefficient = mapped_column(COEFFICIENT, nullable=False)
    max_coefficient = mapped_column(COEFFICIENT, nullable=False)
    default_coefficient = mapped_column(COEFFICIENT, nullable=False)
    # Where a province's decision sets an amount per item instead of a coefficient.
    fixed_amount: Mapped[int | None] = mapped_column(db.BigInteger)
    # Which national maximum (NĐ 18/2014, Điều 7.1) bounds it: see NationalCap.cap_group.
    cap_group: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    regulation = relationship("Regulation", back_populates="genres")


class AdjustmentType(db.Model):
    """An adjustment a grader may apply (translation, for minorities ...): a multiplier range."""

    __tablename__ = "royalty_adjustment_types"
    __table_args__ = (
        UniqueConstraint("regulation_id", "code", name="uq_royalty_adjustment_types_regulation_code"),
        CheckConstraint("min_factor > 0 AND min_factor <= max_factor", name="range"),
        CheckConstraint("default_factor >= min_factor AND default_factor <= max_factor", name="default_in_range"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("royalty_regulations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(255))
    min_factor = mapped_column(COEFFICIENT, nullable=False)
    max_factor = mapped_column(COEFFICIENT, nullable=False)
    default_factor = mapped_column(COEFFICIENT, nullable=False)
    position: Mapped[int] = mapped_column(default=0)

    regulation = relationship("Regulation", back_populates="adjustments")


class NationalCap(DatedRule, db.Model):
    """A national maximum coefficient for a group of genres (NĐ 18/2014, Điều 7.1)."""

    __tablename__ = "royalty_national_caps"
    __table_args__ = (Index("ix_royalty_national_caps_group_from", "cap_group", "effective_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cap_group: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(255))
    max_coefficient = mapped_column(COEFFICIENT, nullable=False)


class SiteFactor(DatedRule, db.Model):
    """The share of the portal's rate a site pays: by site, or by site kind as the default."""

    __tablename__ = "royalty_site_factors"
    __table_args__ = (
        CheckConstraint("(site_id IS NULL) != (site_kind IS NULL)", name="site_or_kind"),
        CheckConstraint("factor > 0", name="factor"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    site_kind: Mapped[str | None] = mapped_column(String(20))
    factor = mapped_column(COEFFICIENT, nullable=False)

    site = relationship("Site")


class BaseSalary(DatedRule, db.Model):
    """Mức lương cơ sở (VND per month); one coefficient unit is 10% of it."""

    __tablename__ = "royalty_base_salaries"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[int] = mapped_column(db.BigInteger)


class TaxRule(DatedRule, db.Model):
    """Withholding on one payment: rate when the payment reaches the threshold."""

    __tablename__ = "royalty_tax_rules"
    __table_args__ = (
        CheckConstraint("threshold >= 0", name="threshold"),
        CheckConstraint("rate_percent >= 0 AND rate_percent <= 100", name="rate"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[int] = mapped_column(db.BigInteger)
    rate_percent = mapped_column(Numeric(5, 2), nullable=False)


class FeeRule(DatedRule, db.Model):
    """A site's fee (thù lao) for a role: a percent of the item's royalties or a coefficient."""

    __tablename__ = "royalty_fee_rules"
    __table_args__ = (
        CheckConstraint(f"role IN ({_in(FEE_ROLES)})", name="role"),
        CheckConstraint(f"kind IN ({_in(FEE_KINDS)})", name="kind"),
        CheckConstraint("value >= 0", name="value"),
        Index("ix_royalty_fee_rules_site_role", "site_id", "role", "effective_from"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    value = mapped_column(COEFFICIENT, nullable=False)

    site = relationship("Site")


class Payee(db.Model):
    """Someone paid: a user (one record each) or a named outsider.

    Tax code, ID number and bank details are personal: only accountants and
    admins read them (`royalties.payees.services.payee_view` masks them for others).
    """

    __tablename__ = "payees"
    __table_args__ = (Index("ix_payees_name", "full_name", "pen_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    pen_name: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    tax_code: Mapped[str | None] = mapped_column(String(20))
    id_number: Mapped[str | None] = mapped_column(String(20))
    bank_account: Mapped[str | None] = mapped_column(String(40))
    bank_name: Mapped[str | None] = mapped_column(String(255))
    # Name and pen name without diacritics, lower-case: "tran van" finds "Trần Văn B".
    search_name: Mapped[str] = mapped_column(String(520), default="")
    # A labour contract of 3 months or more: taxed through payroll, nothing withheld here.
    labour_contract: Mapped[bool] = mapped_column(default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user = relationship("User")
    unit = relationship("Unit")
    commitments = relationship("PayeeCommitment", cascade="all, delete-orphan", lazy="selectin",
                               order_by="PayeeCommitment.year")

    @property
    def commitment_years(self):
        return [c.year for c in self.commitments]


@event.listens_for(Payee, "before_insert")
@event.listens_for(Payee, "before_update")
def _fold_payee_name(mapper, connection, payee):
    payee.search_name = fold(f"{payee.full_name or ''} {payee.pen_name or ''}")[:520]


class PayeeCommitment(db.Model):
    """A year for which the payee filed a commitment (mẫu 08/CK-TNCN): nothing withheld."""

    __tablename__ = "payee_commitments"
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)


class Grading(db.Model):
    """How an item is paid, set when it is forwarded or approved (or imported).

    A regrading adds a new row and marks the old one not current: gradings are
    never edited, so a sheet's lines can always be traced to what was decided.
    """

    __tablename__ = "gradings"
    __table_args__ = (Index("ix_gradings_submission_current", "submission_id", "is_current"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    regulation_id: Mapped[int] = mapped_column(ForeignKey("royalty_regulations.id"))
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(20))  # forward, approve, import, regrade
    # Who provided the information, for the "provider" fee rule.
    provider_payee_id: Mapped[int | None] = mapped_column(ForeignKey("payees.id"))
    is_current: Mapped[bool] = mapped_column(default=True)
    graded_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    regulation = relationship("Regulation")
    graded_by = relationship("User")
    provider = relationship("Payee")
    parts = relationship("GradingPart", cascade="all, delete-orphan", order_by="GradingPart.position",
                         lazy="selectin")


class GradingPart(db.Model):
    """One paid part of an item (its text, its photos, its graphic) with its own payees."""

    __tablename__ = "grading_parts"
    __table_args__ = (CheckConstraint("coefficient > 0", name="coefficient"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    grading_id: Mapped[int] = mapped_column(ForeignKey("gradings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    genre_code: Mapped[str] = mapped_column(String(60))
    coefficient = mapped_column(COEFFICIENT, nullable=False)

    factors = relationship("GradingFactor", cascade="all, delete-orphan", order_by="GradingFactor.id",
                           lazy="selectin")
    payees = relationship("GradingPayee", cascade="all, delete-orphan", order_by="GradingPayee.id",
                          lazy="selectin")


class GradingFactor(db.Model):
    __tablename__ = "grading_factors"
    __table_args__ = (CheckConstraint("value > 0", name="value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("grading_parts.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    value = mapped_column(COEFFICIENT, nullable=False)
    reason: Mapped[str] = mapped_column(String(500), default="")


class GradingPayee(db.Model):
    __tablename__ = "grading_payees"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 100", name="share"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("grading_parts.id", ondelete="CASCADE"), index=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id"), index=True)
    share = mapped_column(SHARE, nullable=False)

    payee = relationship("Payee", lazy="joined")


class RoyaltySheet(db.Model):
    """A site's sheet for one period: draft (recomputed) → checked → approved → paid (locked)."""

    __tablename__ = "royalty_sheets"
    __table_args__ = (
        CheckConstraint(f"state IN ({_in(SHEET_STATES)})", name="state"),
        CheckConstraint("period_start <= period_end", name="period"),
        UniqueConstraint("site_id", "period_start", "period_end", name="uq_royalty_sheets_site_period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    period_start = mapped_column(Date, nullable=False)
    period_end = mapped_column(Date, nullable=False)
    payment_date = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    number: Mapped[str] = mapped_column(String(60))
    regulation_label: Mapped[str] = mapped_column(String(500), default="")
    gross: Mapped[int] = mapped_column(db.BigInteger, default=0)
    tax: Mapped[int] = mapped_column(db.BigInteger, default=0)
    net: Mapped[int] = mapped_column(db.BigInteger, default=0)
    warnings: Mapped[str] = mapped_column(Text, default="")  # one per line, shown on the sheet
    computed_at = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    site = relationship("Site")
    created_by = relationship("User", foreign_keys=[created_by_id])
    checked_by = relationship("User", foreign_keys=[checked_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    paid_by = relationship("User", foreign_keys=[paid_by_id])


class RoyaltyLine(db.Model):
    """One amount for one payee on one sheet, with every rule value it was computed from."""

    __tablename__ = "royalty_lines"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(LINE_KINDS)})", name="kind"),
        CheckConstraint("kind = 'adjustment' OR amount >= 0", name="amount"),
        Index("ix_royalty_lines_sheet_payee", "sheet_id", "payee_id"),
        Index("ix_royalty_lines_submission", "submission_id"),
        Index("ix_royalty_lines_payee", "payee_id", "published_at"),
        # The self-reference's foreign-key check when a sheet's lines are deleted (migration 0017).
        Index("ix_royalty_lines_adjustment_of", "adjustment_of_id", postgresql_where=text("adjustment_of_id IS NOT NULL"),
              sqlite_where=text("adjustment_of_id IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("royalty_sheets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id"))
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    grading_part_id: Mapped[int | None] = mapped_column(ForeignKey("grading_parts.id"))
    fee_rule_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_fee_rules.id"))
    regulation_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_regulations.id"))
    base_salary_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_base_salaries.id"))
    site_factor_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_site_factors.id"))
    adjustment_of_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_lines.id"))
    # An incentive line: the award it pays (each award is on one sheet only).
    incentive_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_incentives.id"), index=True)
    fee_role: Mapped[str | None] = mapped_column(String(20))
    genre_code: Mapped[str | None] = mapped_column(String(60))
    genre_label: Mapped[str] = mapped_column(String(255), default="")
    coefficient = mapped_column(COEFFICIENT)
    unit_value: Mapped[int | None] = mapped_column(db.BigInteger)
    site_factor = mapped_column(COEFFICIENT)
    # JSON list of {"code", "value", "reason"}: the adjustments applied.
    factors_json: Mapped[str] = mapped_column(Text, default="[]")
    share = mapped_column(SHARE)
    amount: Mapped[int] = mapped_column(db.BigInteger)
    published_at = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")

    sheet = relationship("RoyaltySheet")
    payee = relationship("Payee")
    submission = relationship("Submission")
    adjustment_of = relationship("RoyaltyLine", remote_side=[id])


class Incentive(db.Model):
    """An incentive royalty (nhuận bút khuyến khích) an approver awarded a payee of an item, with the
    reason: never edited, so it is also the record of who awarded what and when. It is paid as a line
    of kind "incentive" on the next sheet of the item's site that is computed after the award."""

    __tablename__ = "royalty_incentives"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id"), index=True)
    amount: Mapped[int] = mapped_column(db.BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    awarded_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    payee = relationship("Payee", lazy="joined")
    awarded_by = relationship("User")


class SheetPayee(db.Model):
    """A payee's totals on a sheet, with the tax rule applied (kept as computed)."""

    __tablename__ = "royalty_sheet_payees"
    sheet_id: Mapped[int] = mapped_column(ForeignKey("royalty_sheets.id", ondelete="CASCADE"), primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("payees.id"), primary_key=True)
    unit_name: Mapped[str] = mapped_column(String(255), default="")
    gross: Mapped[int] = mapped_column(db.BigInteger)
    tax: Mapped[int] = mapped_column(db.BigInteger)
    net: Mapped[int] = mapped_column(db.BigInteger)
    staff: Mapped[bool] = mapped_column(default=False)
    commitment: Mapped[bool] = mapped_column(default=False)
    tax_rule_id: Mapped[int | None] = mapped_column(ForeignKey("royalty_tax_rules.id"))

    payee = relationship("Payee", lazy="joined")


class SheetFile(db.Model):
    """The exact files of a paid sheet: a locked sheet exports byte-identical forever."""

    __tablename__ = "royalty_sheet_files"
    sheet_id: Mapped[int] = mapped_column(ForeignKey("royalty_sheets.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str] = mapped_column(String(10), primary_key=True)
    content = mapped_column(LargeBinary, nullable=False)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


TASK_STATES = ("queued", "running", "done", "failed")


class BackgroundTask(db.Model):
    """A long computation asked for on a page and run by the job runner (issue 14): its requester,
    arguments, state, progress (done of total), result (e.g. the sheet id) and error (a message key)."""

    __tablename__ = "background_tasks"
    __table_args__ = (CheckConstraint(f"state IN ({_in(TASK_STATES)})", name="state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    args_json: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    lease_token: Mapped[str] = mapped_column(String(32), default="")
    lease_until = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    started_at = mapped_column(UTCDateTime, nullable=True)
    finished_at = mapped_column(UTCDateTime, nullable=True)
