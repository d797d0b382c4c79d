"""bulk_rows.insert_rows: COPY on PostgreSQL, one executemany on SQLite; the rows come back as an INSERT
through the table would have written them (defaults, UTC instants, coefficients)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from bbt_workflow.bulk_rows import insert_rows
from bbt_workflow.db_types import UTCDateTime
from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import COEFFICIENT


@pytest.fixture
def probe(app):
    table = Table("bulk_rows_probe", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UTCDateTime), Column("coefficient", COEFFICIENT),
                  Column("note", String(50), default="(none)"), Column("label", String(50)))
    table.create(db.session.connection())
    yield table
    db.session.rollback()
    table.drop(db.engine, checkfirst=True)


def test_rows_get_defaults_conversions_and_ids(probe):
    at = datetime(2026, 3, 1, 7, 30, tzinfo=timezone(timedelta(hours=7)))
    insert_rows(probe, [
        {"at": at, "coefficient": Decimal("1.25"), "label": "Nhuận bút “tin”", "note": "có"},
        {"at": None, "coefficient": Decimal("0.5"), "label": None},  # no note: the column's default
    ])
    rows = db.session.execute(select(probe).order_by(probe.c.id)).all()
    assert [row.id for row in rows] == [1, 2]
    assert rows[0].at == at and rows[0].at.tzinfo is not None  # the same instant, handed back in UTC
    assert rows[0].at.utcoffset() == timedelta(0)
    assert [Decimal(str(row.coefficient)) for row in rows] == [Decimal("1.25"), Decimal("0.5")]
    assert [(row.label, row.note) for row in rows] == [("Nhuận bút “tin”", "có"), (None, "(none)")]


def test_an_unknown_column_is_refused_and_nothing_written(probe):
    with pytest.raises(KeyError, match="amount"):
        insert_rows(probe, [{"label": "a"}, {"label": "b", "amount": 1}])
    assert db.session.execute(select(probe)).all() == []


def test_a_computed_default_must_be_given(app):
    # An INSERT would call the default per row; COPY cannot, so the rows must carry the value.
    table = Table("bulk_rows_computed", MetaData(), Column("id", Integer, primary_key=True),
                  Column("at", UTCDateTime, default=lambda: datetime.now(timezone.utc)))
    with pytest.raises(KeyError, match="at"):
        insert_rows(table, [{"id": 1}])
