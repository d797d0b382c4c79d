"""Royalties plug into the workflow and accounts through their registries (issue 12), and their
rule lookups cache per database transaction without needing a request."""
from datetime import timedelta

from sqlalchemy import event, select

from bbt_workflow.accounts import hooks as account_hooks
from bbt_workflow.db_types import utcnow
from bbt_workflow.domain.royalty_rules import local_date, unit_value
from bbt_workflow.extensions import db
from bbt_workflow.royalties.grading.services import grade_for_transition
from bbt_workflow.royalties.models import BaseSalary, Payee
from bbt_workflow.royalties.payees.services import keep_payee_of_user
from bbt_workflow.royalties.rules.queries import base_salary_on, unit_value_on
from bbt_workflow.submissions import hooks as workflow_hooks


def test_init_app_registers_the_grading_step_and_the_payee_handler(app):
    assert workflow_hooks.steps.grading is grade_for_transition
    assert keep_payee_of_user in account_hooks.steps.user_saved
    workflow_hooks.check_complete()
    account_hooks.check_complete()
    assert app.jinja_env.globals["SHEET"].PAID == "paid"
    assert "sheet_state_label" in app.jinja_env.filters


def test_the_payee_handler_creates_then_follows_the_user(app, make):
    user = make.user("ctv_payee")
    db.session.execute(Payee.__table__.delete().where(Payee.user_id == user.id))
    keep_payee_of_user(user, created=True)
    payee = db.session.scalar(select(Payee).where(Payee.user_id == user.id))
    assert payee is not None and payee.full_name == user.full_name
    user.full_name = "Tên Mới"
    keep_payee_of_user(user, created=False)
    assert db.session.scalar(select(Payee.full_name).where(Payee.user_id == user.id)) == "Tên Mới"
    assert db.session.scalar(select(db.func.count(Payee.id)).where(Payee.user_id == user.id)) == 1


def test_rule_rows_are_read_once_per_transaction_and_a_change_is_seen_at_once(app):
    today = local_date(utcnow())
    statements = []

    def count(*args):
        statements.append(args[2])

    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        first = unit_value_on(today)
        reads_after_first = len(statements)
        assert unit_value_on(today) == first and base_salary_on(today).amount > 0
        assert len(statements) == reads_after_first  # no request here, and still no second read
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # A new base salary in this same transaction (not flushed, not committed) is in force at once.
    later = today + timedelta(days=1)
    before = unit_value_on(later)
    db.session.add(BaseSalary(amount=9_000_000, effective_from=later, source_text="test", to_verify=False))
    assert unit_value_on(later) == unit_value(9_000_000)
    db.session.rollback()
    assert unit_value_on(later) == before
