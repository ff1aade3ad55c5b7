"""Bulk rows into PostgreSQL with COPY, on the psycopg 3 connection under SQLAlchemy.

A client batch holds thousands of rows; executemany through SQLAlchemy Core
costs far more Python per row than COPY's `write_row`. The rows go through the
same transaction as the rest of the batch (the same psycopg connection), so a
failing batch still leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["copies", "copy_rows", "next_seqs", "without_nul"]


def copies(connection: Connection) -> bool:
    """True on PostgreSQL through psycopg 3 (the driver whose COPY this module uses); other
    drivers (postgresql:// alone means psycopg2) and SQLite take the executemany path."""
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"


def without_nul(row: Sequence[Any]) -> Sequence[Any]:
    """PostgreSQL text cannot hold NUL: it becomes U+FFFD (as the executemany path does).
    `row` itself when it has none (nearly always), so the common case copies nothing."""
    for value in row:
        if type(value) is str and "\x00" in value:
            return tuple(
                v.replace("\x00", "\ufffd") if type(v) is str and "\x00" in v else v for v in row
            )
    return row


@contextmanager
def _cursor(connection: Connection, statement: str) -> Iterator[Any]:
    """A psycopg cursor on the connection's transaction; its errors raised as SQLAlchemy's
    (DBAPIError with `.orig`), as the callers' error handling expects."""
    import psycopg
    import sqlalchemy as sa

    driver: psycopg.Connection[Any] | None = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the database connection is closed; open a new one and retry")
    try:
        with driver.cursor() as cursor:
            yield cursor
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(
            statement, None, exc, psycopg.Error, dialect=connection.dialect
        ) from exc


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY `rows` (tuples in `columns` order) into `table`, NUL characters replaced."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with _cursor(connection, sql) as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(without_nul(row))


def next_seqs(connection: Connection, table: str, count: int) -> list[int]:
    """`count` new values of `table`'s serial `seq` column, ascending, taken up front so
    rows can be COPYed with their seq (no INSERT ... RETURNING needed)."""
    sql = f"SELECT nextval(pg_get_serial_sequence('{table}', 'seq')) FROM generate_series(1, %s)"
    with _cursor(connection, sql) as cursor:
        cursor.execute(sql, (count,))
        return sorted(row[0] for row in cursor.fetchall())
