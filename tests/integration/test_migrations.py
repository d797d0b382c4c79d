"""The schema comes from the migrations (conftest runs them from empty); they must match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bbt_workflow.extensions import db
from bbt_workflow.submissions.search import SCHEMA_OBJECTS


def test_migrations_build_every_table(app):
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        # The full-text search's column, index and FTS5 tables are not in the models (by design).
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_name": lambda name, type_, parent: name not in SCHEMA_OBJECTS})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
