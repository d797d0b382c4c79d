"""Many new rows into one table, inside the session's transaction: COPY on PostgreSQL.

A 20,000-line royalty sheet's INSERT took 1.2-1.6 s of its 5 s computation on PostgreSQL as batched
INSERT statements (bench/RESULTS.md); COPY takes the same rows as one stream. The rows get what an
INSERT through the table would give them: each column's scalar default when the row has no value, and
the column type's conversion (UTC datetimes, coefficients). SQLite has no COPY: one executemany.
"""
from sqlalchemy import insert

from .extensions import db


def insert_rows(table, rows):
    """Insert `rows` (dicts keyed by column name) into `table` (a Table or a mapped class). A key missing
    from a row is its column's scalar default, else NULL; a column whose default is computed (a function)
    must be given. Server-side defaults (the id) apply."""
    table = getattr(table, "__table__", table)
    if not rows:
        return
    given = set().union(*rows)
    unknown = given - {column.key for column in table.columns}
    if unknown:
        raise KeyError(f"no such column of {table.name}: {', '.join(sorted(unknown))}")
    computed = [column.key for column in table.columns
                if column.key not in given and column.default is not None and not column.default.is_scalar]
    if computed:  # COPY would leave them NULL where an INSERT calls the default: give them in the rows
        raise KeyError(f"{table.name}: give {', '.join(computed)} (their default is computed per row)")
    columns = [column for column in table.columns if column.key in given or _scalar_default(column) is not None]
    connection = db.session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        # Every row with every column: one batch (the ORM groups rows by the keys they have).
        db.session.execute(insert(table), [{column.key: row.get(column.key, _scalar_default(column))
                                            for column in columns} for row in rows])
        return
    fills = [(column.key, _scalar_default(column), column.type.bind_processor(dialect)) for column in columns]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    driver = connection.connection.driver_connection  # psycopg 3, in the session's transaction
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for key, default, convert in fills:
                value = row.get(key, default)
                values.append(convert(value) if convert is not None and value is not None else value)
            copy.write_row(values)


def _scalar_default(column):
    default = column.default
    return default.arg if default is not None and default.is_scalar else None
