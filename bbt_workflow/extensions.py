"""Unbound extensions; create_app() binds them."""
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Deterministic constraint names so Alembic migrations are stable on every database.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
# render_as_batch: SQLite can only ALTER through table copies, which batch mode does.
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
# Limits are declared in rate_limits.py; per address (behind a proxy, configure ProxyFix).
limiter = Limiter(get_remote_address)
# Rendered page fragments kept under a key that says everything they show (a template's {% cache %}), in each
# process's memory: no invalidation to get wrong, nothing shared to set up.
cache = Cache()
