"""Issue 16, finding 6: an unknown username costs a password hash too.

Without it a login for an unknown name answered in ~18 ms against ~272 ms for a known one,
telling which usernames exist. The test counts the hash checks (timing goals live in bench/).
"""
import pytest

from bbt_workflow.accounts import models as account_models
from tests.conftest import login


@pytest.fixture
def hash_checks(monkeypatch):
    calls = []
    real = account_models.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(account_models, "check_password_hash", counting)
    return calls


@pytest.mark.parametrize("username, password, status", [
    ("nobody", "Sai-mat-khau-1", 401),        # unknown user
    ("hong", "Sai-mat-khau-1", 401),          # known user, wrong password
    ("hong", "Matkhau-2026", 302),            # known user, right password
])
def test_one_password_hash_whether_or_not_the_user_exists(client, make, hash_checks, username, password, status):
    make.user("hong")
    assert login(client, username, password).status_code == status
    assert len(hash_checks) == 1


def test_the_dummy_hash_uses_the_configured_method(client, make, app, hash_checks):
    login(client, "nobody", "Sai-mat-khau-1")
    method = app.config["PASSWORD_HASH_METHOD"].split(":")[0]
    assert hash_checks[0].startswith(method + ":")
