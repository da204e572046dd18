"""Engines and migrations: SQLite (embedded default) and Postgres (scale-out) behind one set-up.

SQLite runs in WAL mode with a busy timeout so readers never block the writer and concurrent writers wait
instead of failing. SQLAlchemy emits ``BEGIN`` itself (sqlite3's implicit transactions are disabled), so
a write transaction can start with ``BEGIN IMMEDIATE``: it takes the write lock up front, which is what
makes read-then-write sequences (and ``accounts.locked``) safe across processes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from ..errors import ConfigurationError

__all__ = [
    "WRITE_OPTION",
    "alembic_config",
    "create_store_engine",
    "default_database_url",
    "normalise_url",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Execution option: ``True`` makes the next SQLite transaction ``BEGIN IMMEDIATE``.
WRITE_OPTION = "crmbridge_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Arbitrary constant: serialises concurrent ``alembic upgrade`` runs from several workers on Postgres.
_PG_MIGRATION_LOCK = 0x63726D62


def default_database_url(data_dir: Path) -> str:
    """The embedded default: one SQLite file in the data directory."""
    return f"sqlite:///{Path(data_dir).resolve() / 'crmbridge.db'}"


def normalise_url(database_url: str) -> str:
    """Accept the URLs people paste: ``postgres://`` and ``postgresql://`` mean psycopg 3."""
    url = make_url(database_url)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql")
    return url.render_as_string(hide_password=False)


def create_store_engine(database_url: str) -> Engine:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("psycopg"):
                raise
            raise ConfigurationError(
                "A Postgres database_url needs the psycopg driver, which is not installed: "
                "pip install 'crmbridge[postgres]'."
            ) from None
    if url.database in (None, "", ":memory:"):
        raise ValueError("the store needs a SQLite file (in-memory databases are per connection)")
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(engine: Engine | None = None) -> Config:
    """An in-memory Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run ``alembic upgrade`` in one transaction, serialised against other processes doing the same."""
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
