"""Shared fixtures.

The database schema is built once per session by running the Alembic migrations
from an empty database (so a missing migration fails the suite); each test then
starts from empty tables. SQLite by default; PostgreSQL when TEST_DATABASE_URL is set.
"""
import os
import re
import shutil
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from bbt_workflow import create_app
from bbt_workflow.extensions import db
from config import TestConfig
from tests.publishing_helpers import Receiver

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "template.sqlite3")


def _drop_everything(engine):
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _migrated(database_url):
    """Run every migration from an empty database, once per session."""
    from flask_migrate import upgrade

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Cfg)
    with app.app_context():
        _drop_everything(db.engine)
        upgrade()
        db.engine.dispose()
    return database_url


def _clean_tables():
    """PostgreSQL: empty every table (TRUNCATE fires no row triggers, so append-only
    history can be emptied between tests)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    db.session.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
    # The migration installs the default rate data; put it back as a fresh install has it.
    from bbt_workflow.royalties.default_data import insert_default_rates

    insert_default_rates(db.session.connection())
    db.session.commit()


def _test_database(template_url, tmp_path):
    """SQLite: a fresh copy of the migrated template file for each test."""
    if not template_url.startswith("sqlite:///"):
        return template_url, True
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(template_url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}", False


@pytest.fixture
def app(_migrated, tmp_path, request):
    url, needs_cleaning = _test_database(_migrated, tmp_path)
    # @pytest.mark.settings(NAME=value, ...): settings read when the app starts (e.g. RATELIMIT_ENABLED).
    marker = request.node.get_closest_marker("settings")
    overrides = marker.kwargs if marker else {}

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    for name, value in overrides.items():
        setattr(Cfg, name, value)

    app = create_app(Cfg)
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    app.test_client_class = IsolatedClient
    with app.app_context():
        if needs_cleaning:
            _clean_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The test itself holds an app context (for factories and queries); without a
    fresh one per request, `g` and the database session would leak between
    requests. The test's transaction is ended first so the request sees, and
    the test afterwards re-reads, committed data.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


# --- factories ---------------------------------------------------------------

class Factory:
    """Builds sites, units and users through the real services."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def unit(self, code=None, name=None):
        from bbt_workflow.accounts.services import create_unit

        self.counter += 1
        unit = create_unit(None, code=code or f"unit{self.counter}", name=name or f"Đơn vị {self.counter}")
        db.session.commit()
        return unit

    def site(self, code=None, kind="component", approval_levels=2, name=None):
        from bbt_workflow.accounts.services import create_site

        self.counter += 1
        site = create_site(None, code=code or f"site{self.counter}", name=name or f"Trang {self.counter}",
                           kind=kind, approval_levels=approval_levels)
        db.session.commit()
        return site

    def user(self, username=None, password="Matkhau-2026", roles=None, is_admin=False, unit=None, **kw):
        """roles: {site: [role, ...]}"""
        from bbt_workflow.accounts.services import create_user, set_membership

        self.counter += 1
        username = username or f"user{self.counter}"
        user = create_user(None, username=username, email=f"{username}@bbt-test.vn",
                           full_name=kw.pop("full_name", f"Người dùng {self.counter}"), password=password,
                           is_admin=is_admin, unit=unit, **kw)
        for site, site_roles in (roles or {}).items():
            set_membership(None, user, site, site_roles)
        db.session.commit()
        return user


@pytest.fixture
def make(app):
    return Factory(app)


# --- HTTP helpers ------------------------------------------------------------

def csrf_from(html):
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def login(client, username, password="Matkhau-2026"):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def api_token(client, username, password="Matkhau-2026"):
    response = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def simple_grading(*usernames, genre="tin_anh", coefficient="1.5"):
    """A valid one-part grading (API.md shape) paying the given users in equal shares of 100."""
    from decimal import Decimal

    count = len(usernames)
    shares = [Decimal(100) / count for _ in usernames] if count else []
    shares = [s.quantize(Decimal("0.01")) for s in shares]
    if shares:
        shares[0] += Decimal(100) - sum(shares)
    return {"parts": [{"genre": genre, "coefficient": coefficient, "factors": [],
                       "payees": [{"username": u, "share": str(s)} for u, s in zip(usernames, shares)]}]}


@pytest.fixture
def receiver():
    """A portal receiver on 127.0.0.1 verifying Standard Webhooks signatures (tests/publishing_helpers.py)."""
    r = Receiver().start()
    yield r
    r.stop()


def pytest_unconfigure(config):
    """Let the interpreter exit when the tests are done: cancel timers still waiting.

    The rate limiter's in-memory storage (limits' MemoryStorage) runs its expiry on a non-daemon
    threading.Timer. Under scripts/test-clock-ahead, libfaketime moves the monotonic clock that timer
    waits on, so its deadline lies two years ahead; Python joins non-daemon threads before it exits, and
    the run printed its summary and never ended (CI timed out). Cancelling wakes the timer at once.
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
