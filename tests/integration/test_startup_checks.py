"""The app refuses to start half-wired (submissions/hooks.py, accounts/hooks.py, permissions.RULES)."""
import pytest
from flask import Flask

import bbt_workflow
from bbt_workflow import create_app
from bbt_workflow.accounts import hooks as account_hooks
from bbt_workflow.permissions import RULES, check_rules
from bbt_workflow.submissions import hooks
from config import ProductionConfig, TestConfig


def test_no_grading_handler_means_no_start(app):
    saved = hooks.steps.grading
    hooks.steps.grading = None
    try:
        with pytest.raises(RuntimeError, match="grading"):
            hooks.check_complete()
    finally:
        hooks.steps.grading = saved
    hooks.check_complete()


def test_create_app_runs_the_check_after_every_area_registered(app, monkeypatch):
    """create_app itself refuses: royalties forgetting to register the grading step stops the start."""
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    saved = hooks.steps.grading
    monkeypatch.setattr(bbt_workflow, "init_royalties", lambda app: None)
    hooks.steps.grading = None
    try:
        with pytest.raises(RuntimeError, match="grading"):
            create_app(Cfg)
    finally:
        hooks.steps.grading = saved
    assert create_app(Cfg) is not None  # wired again: starts


def test_payee_records_are_a_required_listener(app):
    saved = list(account_hooks.steps.user_saved)
    account_hooks.steps.user_saved.clear()
    try:
        with pytest.raises(RuntimeError, match="payee"):
            account_hooks.check_complete()
    finally:
        account_hooks.steps.user_saved[:] = saved


def test_an_unregistered_route_rule_stops_the_start(app):
    saved = RULES.pop("sheet_visible")
    try:
        with pytest.raises(ValueError, match="sheet_visible"):
            check_rules(app)
    finally:
        RULES["sheet_visible"] = saved
    check_rules(app)


# Issue 16, finding 2: reset links must not come from the Host header in production.
def _production_app(**settings):
    app = Flask(__name__)
    app.config.from_object(ProductionConfig)
    # A production key for stored secrets (test_secrets_at_rest.py checks the refusal without one).
    app.config.update(SECRET_KEY="x" * 64, EXTERNAL_BASE_URL=None, TRUSTED_HOSTS=None,
                      SECRETS_KEYS=["q0ZHKtR0rMGc1O0NL8xjTUV7fnaCvq4ybm6yEOUfWq4="])
    app.config.update(settings)
    return app


def test_production_refuses_to_start_without_base_url_or_trusted_hosts():
    with pytest.raises(RuntimeError, match="EXTERNAL_BASE_URL"):
        ProductionConfig.check(_production_app())
    ProductionConfig.check(_production_app(EXTERNAL_BASE_URL="https://bbt.example.vn"))
    ProductionConfig.check(_production_app(TRUSTED_HOSTS=["bbt.example.vn"]))
