from sqlalchemy import func, select

from bbt_workflow.accounts.models import Site, User
from bbt_workflow.extensions import db


def test_create_admin_with_and_without_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bbt", "create-admin", "--username", "quantri", "--email", "qt@bbt-test.vn",
                                 "--full-name", "Quản trị", "--password", "Hethong@2026"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "quantri"))
    assert user.is_admin and user.check_password("Hethong@2026")
    result = runner.invoke(args=["bbt", "create-admin", "--username", "qt2", "--email", "qt2@bbt-test.vn",
                                 "--full-name", "Quản trị 2"], input="Matkhau-2026\nMatkhau-2026\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["bbt", "create-admin", "--username", "qt3", "--email", "qt3@bbt-test.vn",
                                 "--full-name", "Yếu", "--password", "abc"])
    assert result.exit_code == 1 and "Error" in result.output


def test_demo_loads_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bbt", "demo"])
    assert result.exit_code == 0 and "lanhdao" in result.output
    assert db.session.scalar(select(func.count(Site.id))) == 4
    assert runner.invoke(args=["bbt", "demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["bbt", "demo"]).exit_code == 1
    assert db.session.scalar(select(func.count(Site.id))) == 4


def test_production_config_refuses_default_secret(monkeypatch):
    import pytest

    from bbt_workflow import create_app
    from config import ProductionConfig

    class Prod(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SECRET_KEY = "dev-insecure-change-me"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)
