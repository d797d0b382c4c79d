"""Configuration: every setting comes from the environment, with safe defaults.

The embedded default needs nothing installed: SQLite in the instance folder,
jobs in-process, email printed to the console.
"""
import os
from datetime import timedelta

DEFAULT_SECRET_KEY = "dev-insecure-change-me"
# The Fernet key development and the tests encrypt stored secrets with (secret_box.py). Public, so
# production refuses it: set SECRETS_KEYS there (python -c "from cryptography.fernet import Fernet;
# print(Fernet.generate_key().decode())").
DEV_SECRETS_KEY = "YDquFCbXL-KrXCN8qf8tsPY5R03paJQuUUnWSrCXusM="


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name):
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    # Fernet keys for webhook secrets and WordPress Application Passwords at rest (secret_box.py):
    # comma-separated, the first encrypts, all decrypt; `flask bbt rotate-secrets` after adding one.
    SECRETS_KEYS = _list("SECRETS_KEYS") or [DEV_SECRETS_KEY]
    # None means "SQLite file in the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # A month with more published items than this has its royalty sheet computed by the job runner
    # (a task page with progress) instead of inside the request (issue 14).
    SHEET_JOB_THRESHOLD = int(os.environ.get("SHEET_JOB_THRESHOLD", "300"))
    # A sheet with more lines than this gets its XLSX made by the job runner (a task page with a link).
    SHEET_EXPORT_THRESHOLD = int(os.environ.get("SHEET_EXPORT_THRESHOLD", "3000"))
    # Days a finished export's file is kept; then a job removes it and the task page says "export again".
    TASK_FILE_DAYS = int(os.environ.get("TASK_FILE_DAYS", "7"))

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_HOURS", 12))
    # "Remember me" (Flask-Login's default would be 365 days).
    REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 14))

    # Hosts item bodies may show <img> from (comma-separated; default none: only the item's own
    # attachments). Enforced by the body sanitizer and by the Content-Security-Policy's img-src.
    IMAGE_HOSTS = [h.strip().lower() for h in os.environ.get("IMAGE_HOSTS", "").split(",") if h.strip()]
    # Strict-Transport-Security max-age; 0 = no header (production sets it, HTTPS only).
    HSTS_SECONDS = _int("HSTS_SECONDS", 0)

    # Portal endpoints on loopback, link-local or private addresses (publishing/address_policy.py):
    # refused unless the portal really is on the internal network.
    ALLOW_PRIVATE_ENDPOINTS = _bool("ALLOW_PRIVATE_ENDPOINTS", False)

    # Request limits
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 50 * 1024 * 1024)

    # Page fragments cached by templates ({% cache %}, Flask-Caching): in each process, keyed by all they show.
    CACHE_TYPE = "SimpleCache"
    CACHE_THRESHOLD = 500  # entries per process
    CACHE_DEFAULT_TIMEOUT = 3600

    # Languages
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    # Login protection
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_IP = _int("LOGIN_MAX_FAILURES_PER_IP", 20)
    LOGIN_FAILURE_WINDOW_MINUTES = _int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    LOGIN_LOCKOUT_MINUTES = _int("LOGIN_LOCKOUT_MINUTES", 15)
    # Request rate limits (Flask-Limiter; rate_limits.py): "N per minute;M per hour" strings.
    # Memory storage counts per process; several workers or hosts share Redis
    # (RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379, with the redis package installed).
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True  # Retry-After (and X-RateLimit-*) on the answers
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "30 per minute;300 per hour")
    RATELIMIT_TOKENS = os.environ.get("RATELIMIT_TOKENS", "30 per minute;300 per hour")
    RATELIMIT_PASSWORD_RESET = os.environ.get("RATELIMIT_PASSWORD_RESET", "5 per minute;30 per hour")
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "600 per minute")
    PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_RESET_HOURS = _int("PASSWORD_RESET_HOURS", 2)
    # Werkzeug hashing method; scrypt (the default) is memory-hard.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")

    # Uploads: stored outside static/, under generated names. None = instance/uploads.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")
    MAX_IMAGE_MB = _int("MAX_IMAGE_MB", 20)
    MAX_DOCUMENT_MB = _int("MAX_DOCUMENT_MB", 30)
    # The font of the printed PDFs (royalties/pdf_render.py): DejaVuSans.ttf and DejaVuSans-Bold.ttf,
    # from Debian's fonts-dejavu-core by default.
    PDF_FONT_DIR = os.environ.get("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
    MAX_VIDEO_MB = _int("MAX_VIDEO_MB", 45)
    MAX_IMAGE_PIXELS = _int("MAX_IMAGE_PIXELS", 80_000_000)

    # Workflow: a claim left idle this long returns the item to the queue.
    CLAIM_TIMEOUT_MINUTES = _int("CLAIM_TIMEOUT_MINUTES", 240)

    # API tokens
    API_TOKEN_HOURS = _int("API_TOKEN_HOURS", 24 * 7)

    # Mail: with no MAIL_SERVER, mail is written to the log (console).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "BBT Workflow <no-reply@localhost>")
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 10)
    # Send queued mail from a thread in the web process after each commit.
    # Turn off when a separate `flask bbt worker` does it.
    MAIL_SEND_IN_PROCESS = _bool("MAIL_SEND_IN_PROCESS", True)
    # The job runner: "inprocess" (default: a thread in the web process, no Redis needed) or
    # "redis": web processes only push wakeups to REDIS_URL; `flask bbt worker` processes (as
    # many as wanted) run the jobs (bbt_workflow/redis_jobs.py).
    JOB_BACKEND = os.environ.get("JOB_BACKEND", "inprocess")
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    # The relay's batch and lease (unset: 40 rows, a lease that outlasts 40 timed-out sends).
    RELAY_BATCH = _int("RELAY_BATCH", 0) or None
    RELAY_LEASE_SECONDS = _int("RELAY_LEASE_SECONDS", 0) or None
    # Absolute base for links in emails (reset links, notifications, feed media). Links never
    # come from the request's Host header: with no base URL they use the request's host only
    # when TRUSTED_HOSTS lists the hosts Flask accepts (others answer 400), else the local
    # development address http://127.0.0.1:5000 (links.py). Production needs one of the two.
    EXTERNAL_BASE_URL = os.environ.get("EXTERNAL_BASE_URL") or None
    # Comma-separated host names (Flask's TRUSTED_HOSTS); unset = no host check.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None

    # OpenAPI (flask-smorest)
    API_TITLE = "BBT Workflow API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # bench/pages_bench.py's trivial page (core/bench_ceiling.py); off unless the benchmark sets it.
    BENCH_CEILING_ROUTE = _bool("BENCH_CEILING_ROUTE", False)
    LOG_JSON = _bool("LOG_JSON", True)


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SEND_IN_PROCESS = False
    # Tests send through a real in-process SMTP server, so Flask-Mail must not suppress.
    MAIL_SUPPRESS_SEND = False
    LOG_JSON = False
    PASSWORD_MIN_LENGTH = 10
    # The limiter is off in the suite; tests/functional/test_rate_limits.py turns it on with explicit
    # limits per test (@pytest.mark.settings), so no other test depends on how fast it runs.
    RATELIMIT_ENABLED = False
    # The suite's receivers listen on 127.0.0.1 (tests that check the refusal turn this off).
    ALLOW_PRIVATE_ENDPOINTS = True
    # The test client's host, configured (links never come from the request's Host header).
    EXTERNAL_BASE_URL = os.environ.get("EXTERNAL_BASE_URL") or "http://localhost"
    # A cheap hash keeps the suite fast; production keeps scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    SECRETS_KEYS = _list("SECRETS_KEYS")
    HSTS_SECONDS = _int("HSTS_SECONDS", 365 * 24 * 3600)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def check(cls, app):
        if app.config["SECRET_KEY"] in (None, "", DEFAULT_SECRET_KEY):
            raise RuntimeError(
                "SECRET_KEY must be set to a long random value in production "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        keys = app.config.get("SECRETS_KEYS") or []
        if not keys or DEV_SECRETS_KEY in keys:
            raise RuntimeError(
                "Set SECRETS_KEYS in production (comma-separated Fernet keys, the first encrypts; "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'): "
                "webhook secrets and WordPress Application Passwords are stored encrypted with them. "
                "The development key is public and refused."
            )
        if not app.config.get("EXTERNAL_BASE_URL") and not app.config.get("TRUSTED_HOSTS"):
            raise RuntimeError(
                "Set EXTERNAL_BASE_URL (e.g. https://bbt.example.gov.vn) in production: links in "
                "emails (password resets) must not be built from the request's Host header. "
                "Alternatively set TRUSTED_HOSTS to the comma-separated host names the site answers on."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def config_from_env():
    return CONFIGS[os.environ.get("BBT_CONFIG", "development")]
