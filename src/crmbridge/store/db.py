"""Engines and migrations: SQLite (embedded default) and Postgres (scale-out) behind one set-up.

SQLite runs in WAL mode with a busy timeout so readers never block the writer and concurrent writers wait
instead of failing. SQLAlchemy emits ``BEGIN`` itself (sqlite3's implicit transactions are disabled), so
a write transaction can start with ``BEGIN IMMEDIATE``: it takes the write lock up front, which is what
makes read-then-write sequences (and ``accounts.locked``) safe across processes.

Every wait is bounded, so a database that is down, hung or held by a frozen worker costs a caller seconds
and a retryable error, not its whole request: Postgres gets a connect timeout and, per session, a lock,
statement and idle-in-transaction timeout; SQLite a busy timeout. A value the URL sets itself wins
(``?connect_timeout=…``, ``?options=-c lock_timeout=…``, SQLite's ``?timeout=…``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from ..errors import ConfigurationError

__all__ = [
    "CONNECT_TIMEOUT",
    "LOCK_TIMEOUT",
    "STATEMENT_TIMEOUT",
    "WRITE_OPTION",
    "alembic_config",
    "create_store_engine",
    "default_database_url",
    "normalise_url",
    "schema_is_current",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Execution option: ``True`` makes the next SQLite transaction ``BEGIN IMMEDIATE``.
WRITE_OPTION = "crmbridge_write"
#: Seconds to establish a Postgres connection (libpq counts whole seconds, at least 2).
CONNECT_TIMEOUT = 5
#: Seconds to wait for a lock: an account's refresh lock (Postgres row lock) or SQLite's write lock.
#: Longer than a normal token refresh holds it, far shorter than a stalled worker would.
LOCK_TIMEOUT = 10.0
#: Seconds one Postgres statement may run (ours are single-row reads and writes).
STATEMENT_TIMEOUT = 30.0
#: Seconds a Postgres session may sit inside a transaction doing nothing before the server ends it and
#: frees its locks: a worker frozen while holding an account's refresh lock (SIGSTOP, a debugger) stops
#: blocking that account. Above the 30 s a token request may take under the lock.
IDLE_IN_TRANSACTION_TIMEOUT = 60.0
#: Seconds to wait for another process's migration (Postgres advisory lock) before giving up.
MIGRATION_LOCK_TIMEOUT = 60.0
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


def create_store_engine(database_url: str, *, lock_timeout: float | None = None) -> Engine:
    """An engine whose every wait is bounded; ``lock_timeout`` (seconds) overrides :data:`LOCK_TIMEOUT`."""
    url = make_url(normalise_url(database_url))
    lock = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    if url.get_backend_name() == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True, connect_args=_postgres_connect_args(url, lock))
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
    busy = float(url.query["timeout"]) if "timeout" in url.query else lock  # type: ignore[arg-type]
    engine = create_engine(url, connect_args={"timeout": busy})
    event.listen(engine, "connect", functools.partial(_sqlite_on_connect, busy_ms=round(busy * 1000)))
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _postgres_connect_args(url: URL, lock_timeout: float) -> dict[str, Any]:
    """Timeouts for every session, as libpq connection parameters; the URL's own settings come last."""
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = max(2, CONNECT_TIMEOUT)
    settings = {
        "lock_timeout": lock_timeout,
        "statement_timeout": STATEMENT_TIMEOUT,
        "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION_TIMEOUT,
    }
    ours = " ".join(f"-c {name}={max(1, round(seconds * 1000))}" for name, seconds in settings.items())
    theirs = url.query.get("options")
    args["options"] = f"{ours} {theirs}" if isinstance(theirs, str) and theirs else ours
    return args


def _sqlite_on_connect(dbapi_connection: Any, _record: Any, *, busy_ms: int) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module docstring)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
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


@functools.cache
def _head_revisions() -> frozenset[str]:
    """The newest revision(s) of the packaged migrations, read once per process."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _current_revisions(conn: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(conn).get_current_heads())


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the packaged head: one read, no write lock (WAL readers never wait)."""
    with engine.connect() as conn, conn.begin():
        return _current_revisions(conn) == _head_revisions()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run ``alembic upgrade`` in one transaction, serialised against other processes doing the same.

    A schema already at the head is left alone after a plain read, so opening a store never queues for
    the write lock (which a worker frozen inside ``accounts.locked`` may hold) once it is migrated.
    """
    if revision == "head" and schema_is_current(engine):
        return
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # Migrations may rewrite big tables: no statement limit, a longer wait for another
                # process's migration (the advisory lock), still bounded.
                conn.execute(text("SET LOCAL statement_timeout = 0"))
                conn.execute(text(f"SET LOCAL lock_timeout = {round(MIGRATION_LOCK_TIMEOUT * 1000)}"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            if revision == "head" and _current_revisions(conn) == _head_revisions():
                return  # another process finished the same upgrade while we waited for the lock
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
