"""BBT Workflow: the editorial workflow of a provincial e-portal's editorial board.

`create_app` wires the areas together; it is the one module that imports them all (the top of the
import graph, see README "Architecture" and .importlinter).
"""
import os

from flask import Flask, request
from sqlalchemy import event

from config import config_from_env

from . import jobs, redis_jobs
from .accounts import hooks as account_hooks
from .accounts import models as _accounts  # noqa: F401  (every model, so Alembic and relationships see them all)
from .admin.views import bp as admin_bp
from .api import init_api
from .auth import login_setup
from .audit import models as _audit  # noqa: F401
from .auth import models as _auth  # noqa: F401
from .auth.views import bp as auth_bp
from .cli import bbt_cli
from .core.bench_ceiling import bp as bench_ceiling_bp
from .core.views import bp as core_bp
from .extensions import babel, cache, csrf, db, mail, migrate
from .i18n import install_template_translations, select_locale, select_timezone
from .logging_setup import configure_logging
from .mailqueue import models as _mail  # noqa: F401
from .mailqueue.worker import send_due_emails
from .permissions import check_rules, declare_framework_rules
from .publishing import init_app as init_publishing
from .publishing import models as _publishing  # noqa: F401
from .rate_limits import init_app as init_rate_limits
from .secret_box import box as secrets_box
from .reports.views import init_app as init_reports
from .request_guards import install_request_guards
from .request_writes import request_may_write
from .royalties import init_app as init_royalties
from .royalties import models as _royalties  # noqa: F401
from .submissions import hooks as workflow_hooks
from .submissions import models as _submissions  # noqa: F401
from .submissions.system_steps import release_stale_claims_job
from .submissions.views import bp as submissions_bp
from .templating import register_template_helpers
from .web_errors import register_error_handlers
from .security_headers import init_app as init_security_headers
from .static_versions import init_app as init_static_versions


def create_app(config_class=None):
    config_class = config_class or config_from_env()
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(os.path.dirname(__file__), "..", "templates"),
        static_folder=os.path.join(os.path.dirname(__file__), "..", "static"),
    )
    app.config.from_object(config_class)
    if hasattr(config_class, "check"):
        config_class.check(app)
    secrets_box(app.config["SECRETS_KEYS"])  # malformed or missing keys stop the start, not the first send
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "bbt_workflow.sqlite3"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        # psycopg 3 is the driver we ship.
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )

    configure_logging(app)

    db.init_app(app)
    _configure_sqlite(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"),
    )
    install_template_translations(app)
    cache.init_app(app)
    login_setup.init_app(app)
    install_request_guards(app)
    init_rate_limits(app)

    app.register_blueprint(core_bp)
    if app.config.get("BENCH_CEILING_ROUTE"):
        # Only for bench/pages_bench.py's server (see core/bench_ceiling.py).
        app.register_blueprint(bench_ceiling_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(submissions_bp)
    init_api(app)
    declare_framework_rules(app)

    # The listeners: royalties (its pages, grading step, payee records, its route rule), then publishing
    # (the outbox after transitions and edits, its route rule, its pages and jobs).
    init_royalties(app)
    init_publishing(app)
    init_reports(app)

    register_error_handlers(app)
    init_security_headers(app)
    init_static_versions(app)
    register_template_helpers(app)
    app.cli.add_command(bbt_cli)

    # register_task ignores a name already registered (create_app may run many times).
    jobs.register_task("send_due_emails", send_due_emails)
    jobs.register_task("release_stale_claims", release_stale_claims_job)
    if app.config.get("JOB_BACKEND") == "redis":
        redis_jobs.install_redis_wakeups(app, db)  # the workers run the jobs, never the web process
    elif (app.config.get("MAIL_SEND_IN_PROCESS") and os.environ.get("BBT_NO_RUNNER") != "1"
          and not jobs.created_by_a_command()):
        jobs.install_in_process_runner(app, db)

    # Refuse to start half-wired: a required workflow step, the payee records or a route rule
    # with no handler (see submissions/hooks.py, accounts/hooks.py, permissions.RULES).
    workflow_hooks.check_complete()
    account_hooks.check_complete()
    check_rules(app)
    return app


def _configure_sqlite(app):
    """Foreign keys on, and a busy timeout so the job thread and requests can share the file."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    app.before_request(_receive_body_before_the_database)

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, connection_record):
            # Let SQLAlchemy, not pysqlite, emit BEGIN: savepoints then work
            # (SQLAlchemy's documented recipe for pysqlite).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(app.config.get('SQLITE_BUSY_TIMEOUT_MS', 10000))}")
            # WAL: readers never block the writer (web requests beside the job thread).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
                return  # e.g. a migration's autocommit block (a PRAGMA that only works outside a transaction)
            # A request that may write takes the write lock at BEGIN and waits for it (busy
            # timeout). With a plain (deferred) BEGIN it reads first, and its first write fails
            # with "database is locked" whenever the job thread committed in between.
            connection.exec_driver_sql("BEGIN IMMEDIATE" if request_may_write() else "BEGIN")


def _receive_body_before_the_database():
    """SQLite: a request that may write holds the write lock from its first query (BEGIN IMMEDIATE),
    so its body is received first: a photo arriving over a slow line would otherwise keep every
    other writer waiting, then failing with "database is locked"."""
    if request_may_write():
        if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            request.form  # noqa: B018 (parses the body; uploaded files are spooled to temporary files)
        else:
            request.get_data(cache=True)


